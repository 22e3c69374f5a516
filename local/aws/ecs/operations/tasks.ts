/**
 * RunTask, StopTask, ListTasks, DescribeTasks.
 */
import { invalidParameter, type OperationHandler } from '../../protocol';
import { ecsArn, serviceNameOf, taskIdOf } from '../arns';
import {
  includes,
  optionalBoolean,
  optionalEnum,
  optionalInteger,
  optionalObject,
  optionalString,
  optionalStringList,
  optionalTags,
  requiredString,
} from '../input';
import type { Tag, TaskRecord } from '../model';
import { paginate } from '../pagination';
import { taskToApi } from '../render';
import {
  activeCluster,
  launchTypeFor,
  requireNetworkConfiguration,
  serviceNotFound,
  usableTaskDefinition,
  type EcsOperationDependencies,
} from './common';

const taskNotFound = () => invalidParameter('The referenced task was not found.');

export function taskOperations({ store, scheduler, lifecycle }: EcsOperationDependencies): Record<string, OperationHandler> {
  return {
    /** Starts 1–10 standalone tasks (group `family:<family>` unless given); they are not replaced when they stop. */
    RunTask(input, ctx) {
      const state = store.region(ctx.region);
      // The request's own members are checked before the cluster and task definition are looked up, as ECS does.
      const taskDefinition = requiredString(input, 'taskDefinition');
      const count = optionalInteger(input, 'count', 1, 10) ?? 1;
      const startedBy = optionalString(input, 'startedBy');
      if (startedBy !== undefined && startedBy.length > 128) throw invalidParameter('startedBy can be at most 128 characters.');
      const propagateTags = optionalEnum(input, 'propagateTags', ['TASK_DEFINITION', 'SERVICE', 'NONE'] as const);
      if (propagateTags === 'SERVICE') throw invalidParameter('propagateTags SERVICE is only valid for tasks of a service.');
      const cluster = activeCluster(state, input);
      const definition = usableTaskDefinition(state, taskDefinition);
      const networkConfiguration = optionalObject(input, 'networkConfiguration');
      requireNetworkConfiguration(definition, networkConfiguration);
      const tags: Tag[] = [
        ...optionalTags(input),
        ...(propagateTags === 'TASK_DEFINITION' ? definition.tags : []),
        ...(optionalBoolean(input, 'enableECSManagedTags') ? [{ key: 'aws:ecs:clusterName', value: cluster.name }] : []),
      ];
      const tasks: TaskRecord[] = [];
      for (let i = 0; i < count; i++) {
        tasks.push(
          scheduler.launchTask({
            state,
            cluster,
            definition,
            group: optionalString(input, 'group') ?? `family:${definition.family}`,
            startedBy,
            launchType: launchTypeFor(definition, optionalEnum(input, 'launchType', ['EC2', 'FARGATE', 'EXTERNAL'] as const)),
            platformVersion: optionalString(input, 'platformVersion'),
            networkConfiguration,
            overrides: optionalObject(input, 'overrides'),
            tags: tags.map((tag) => ({ ...tag })),
          }),
        );
      }
      return { tasks: tasks.map((task) => taskToApi(task, true)), failures: [] };
    },

    /** desiredStatus → STOPPED (stopCode UserInitiated); a service's scheduler then starts a replacement. */
    StopTask(input, ctx) {
      const state = store.region(ctx.region);
      const reference = requiredString(input, 'task');
      const reason = optionalString(input, 'reason');
      if (reason !== undefined && reason.length > 255) throw invalidParameter('reason can be at most 255 characters.');
      const cluster = activeCluster(state, input);
      const task = state.task(cluster.name, taskIdOf(reference));
      if (!task) throw taskNotFound();
      lifecycle.stop(task, 'UserInitiated', reason ?? 'Task stopped by user');
      return { task: taskToApi(task, false) };
    },

    /** Filters as ECS: desiredStatus defaults to RUNNING; results in creation order, pages of at most 100. */
    ListTasks(input, ctx) {
      const state = store.region(ctx.region);
      const family = optionalString(input, 'family');
      const startedBy = optionalString(input, 'startedBy');
      const launchType = optionalString(input, 'launchType');
      const desiredStatus = optionalEnum(input, 'desiredStatus', ['RUNNING', 'PENDING', 'STOPPED'] as const) ?? 'RUNNING';
      const serviceName = optionalString(input, 'serviceName');
      const maxResults = optionalInteger(input, 'maxResults', 1, 100);
      const cluster = activeCluster(state, input);
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
      const page = paginate(matching, (task) => task.taskArn, {
        nextToken: optionalString(input, 'nextToken'),
        maxResults,
        defaultSize: 100,
        maxSize: 100,
      });
      return { taskArns: page.items.map((task) => task.taskArn), nextToken: page.nextToken };
    },

    /** At most 100 tasks per call; unknown ones are reported in `failures` with reason MISSING. */
    DescribeTasks(input, ctx) {
      const state = store.region(ctx.region);
      const references = optionalStringList(input, 'tasks') ?? [];
      if (references.length === 0) throw invalidParameter('Tasks cannot be empty.');
      if (references.length > 100) throw invalidParameter('Tasks cannot be longer than 100.');
      const cluster = activeCluster(state, input);
      const includeTags = includes(input, 'TAGS');
      const tasks: unknown[] = [];
      const failures: unknown[] = [];
      for (const reference of references) {
        const task = state.task(cluster.name, taskIdOf(reference));
        if (task) tasks.push(taskToApi(task, includeTags));
        else {
          const arn = reference.startsWith('arn:') ? reference : ecsArn.task(ctx.region, cluster.name, reference);
          failures.push({ arn, reason: 'MISSING' });
        }
      }
      return { tasks, failures };
    },
  };
}
