/**
 * RunTask, StopTask, ListTasks, DescribeTasks.
 */
import { invalidParameter, type RequestContext } from '../../protocol';
import { ecsArn, serviceNameOf, taskIdOf } from '../arns';
import type { Tag, TaskRecord } from '../model';
import { paginate } from '../pagination';
import { taskToApi } from '../render';
import { includes, tagsOf } from '../request';
import type { DescribeTasksInput, ListTasksInput, RunTaskInput, StopTaskInput } from '../schemas';
import {
  activeCluster,
  launchTypeFor,
  requireNetworkConfiguration,
  serviceNotFound,
  usableTaskDefinition,
  type EcsOperationDependencies,
} from './common';

const taskNotFound = () => invalidParameter('The referenced task was not found.');

/** Starts 1–10 standalone tasks (group `family:<family>` unless given); they are not replaced when they stop. */
export function runTask({ store, scheduler }: EcsOperationDependencies, request: RunTaskInput, ctx: RequestContext) {
  const state = store.region(ctx.region);
  const { propagateTags, networkConfiguration } = request;
  // The request's own rules are checked before the cluster and task definition are looked up, as ECS does.
  if (propagateTags === 'SERVICE') throw invalidParameter('propagateTags SERVICE is only valid for tasks of a service.');
  const cluster = activeCluster(state, request.cluster);
  const definition = usableTaskDefinition(state, request.taskDefinition);
  requireNetworkConfiguration(definition, networkConfiguration);
  const tags: Tag[] = [
    ...tagsOf(request.tags),
    ...(propagateTags === 'TASK_DEFINITION' ? definition.tags : []),
    ...(request.enableECSManagedTags ? [{ key: 'aws:ecs:clusterName', value: cluster.name }] : []),
  ];
  const tasks: TaskRecord[] = [];
  for (let i = 0; i < (request.count ?? 1); i++) {
    tasks.push(
      scheduler.launchTask({
        state,
        cluster,
        definition,
        group: request.group ?? `family:${definition.family}`,
        startedBy: request.startedBy,
        launchType: launchTypeFor(definition, request.launchType),
        platformVersion: request.platformVersion,
        networkConfiguration,
        overrides: request.overrides,
        tags: tags.map((tag) => ({ ...tag })),
      }),
    );
  }
  return { tasks: tasks.map((task) => taskToApi(task, true)), failures: [] };
}

/** desiredStatus → STOPPED (stopCode UserInitiated); a service's scheduler then starts a replacement. */
export function stopTask({ store, lifecycle }: EcsOperationDependencies, request: StopTaskInput, ctx: RequestContext) {
  const state = store.region(ctx.region);
  const cluster = activeCluster(state, request.cluster);
  const task = state.task(cluster.name, taskIdOf(request.task));
  if (!task) throw taskNotFound();
  lifecycle.stop(task, 'UserInitiated', request.reason ?? 'Task stopped by user');
  return { task: taskToApi(task, false) };
}

/** Filters as ECS: desiredStatus defaults to RUNNING; results in creation order, pages of at most 100. */
export function listTasks({ store }: EcsOperationDependencies, request: ListTasksInput, ctx: RequestContext) {
  const state = store.region(ctx.region);
  const { family, startedBy, launchType, serviceName } = request;
  const desiredStatus = request.desiredStatus ?? 'RUNNING';
  const cluster = activeCluster(state, request.cluster);
  let serviceArn: string | undefined;
  if (serviceName !== undefined) {
    const service = state.service(cluster.name, serviceNameOf(serviceName));
    if (!service) throw serviceNotFound();
    serviceArn = service.arn;
  }
  const matching = state
    .tasksOf(cluster.name)
    .filter(
      (task) =>
        task.desiredStatus === desiredStatus &&
        (family === undefined || task.family === family) &&
        (startedBy === undefined || task.startedBy === startedBy) &&
        (launchType === undefined || task.launchType === launchType) &&
        (serviceArn === undefined || task.serviceArn === serviceArn),
    );
  const page = paginate(matching, (task) => task.taskArn, { nextToken: request.nextToken, maxResults: request.maxResults, defaultSize: 100 });
  return { taskArns: page.items.map((task) => task.taskArn), nextToken: page.nextToken };
}

/** At most 100 tasks per call; unknown ones are reported in `failures` with reason MISSING. */
export function describeTasks({ store }: EcsOperationDependencies, request: DescribeTasksInput, ctx: RequestContext) {
  const state = store.region(ctx.region);
  const cluster = activeCluster(state, request.cluster);
  const includeTags = includes(request.include, 'TAGS');
  const tasks: unknown[] = [];
  const failures: unknown[] = [];
  for (const reference of request.tasks) {
    const task = state.task(cluster.name, taskIdOf(reference));
    if (task) tasks.push(taskToApi(task, includeTags));
    else {
      const arn = reference.startsWith('arn:') ? reference : ecsArn.task(ctx.region, cluster.name, reference);
      failures.push({ arn, reason: 'MISSING' });
    }
  }
  return { tasks, failures };
}
