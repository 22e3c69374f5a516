/**
 * RegisterTaskDefinition, DescribeTaskDefinition, ListTaskDefinitions, ListTaskDefinitionFamilies, DeregisterTaskDefinition.
 * Revisions increment per family from 1; deregistered revisions stay describable as INACTIVE.
 */
import { AwsServiceError, type RequestContext } from '../../protocol';
import { ecsArn, parseEcsArn } from '../arns';
import type { ContainerDefinition, TaskDefinitionRecord } from '../model';
import { paginate } from '../pagination';
import { tagsToApi, taskDefinitionToApi } from '../render';
import { includes, tagsOf } from '../request';
import type {
  DeregisterTaskDefinitionInput,
  DescribeTaskDefinitionInput,
  ListTaskDefinitionFamiliesInput,
  ListTaskDefinitionsInput,
  RegisterTaskDefinitionInput,
} from '../schemas';
import { validFamily, type EcsOperationDependencies } from './common';

const clientError = (message: string) => new AwsServiceError('ClientException', message, 400);

/** Members of RegisterTaskDefinition handled explicitly; the rest is kept and echoed back. */
const HANDLED = new Set(['family', 'containerDefinitions', 'networkMode', 'requiresCompatibilities', 'cpu', 'memory', 'tags']);

/** ECS's checks of the containers (ClientException), after the request's shape. */
function containerDefinitions(list: RegisterTaskDefinitionInput['containerDefinitions']): ContainerDefinition[] {
  if (list === undefined || list.length === 0) throw clientError('Container list cannot be empty.');
  const names = new Set<string>();
  const definitions = list.map((definition): ContainerDefinition => {
    if (typeof definition.name !== 'string' || definition.name === '') throw clientError('Container.name should not be null or empty.');
    if (typeof definition.image !== 'string' || definition.image === '') throw clientError('Container.image should not be null or empty.');
    if (names.has(definition.name)) throw clientError(`Duplicate container name: ${definition.name}.`);
    names.add(definition.name);
    return {
      cpu: 0,
      portMappings: [],
      environment: [],
      mountPoints: [],
      volumesFrom: [],
      ...definition,
      name: definition.name,
      image: definition.image,
      essential: definition.essential !== false,
    };
  });
  if (!definitions.some((definition) => definition.essential)) {
    throw clientError('Task definition must have at least one essential container.');
  }
  return definitions;
}

export function registerTaskDefinition({ store }: EcsOperationDependencies, request: RegisterTaskDefinitionInput, ctx: RequestContext) {
  const state = store.region(ctx.region);
  const family = validFamily(request.family);
  const containers = containerDefinitions(request.containerDefinitions);
  const requiresCompatibilities = request.requiresCompatibilities ?? [];
  const networkMode = request.networkMode ?? (requiresCompatibilities.includes('FARGATE') ? 'awsvpc' : 'bridge');
  const cpu = request.cpu === undefined ? undefined : String(request.cpu);
  const memory = request.memory === undefined ? undefined : String(request.memory);
  // Fargate's own requirements (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html).
  if (requiresCompatibilities.includes('FARGATE')) {
    if (networkMode !== 'awsvpc') throw clientError(`Fargate only supports network mode 'awsvpc'.`);
    if (!cpu) throw clientError(`Fargate requires that 'cpu' be defined at the task level.`);
    if (!memory) throw clientError(`Fargate requires that 'memory' be defined at the task level.`);
    // Fargate shares a PID namespace only within the task, and no IPC namespace at all.
    if (request.pidMode === 'host') {
      throw clientError(`Tasks using the Fargate launch type do not support pidMode 'host'. The supported value for pidMode is 'task'.`);
    }
    if (request.ipcMode !== undefined) throw clientError('Tasks using the Fargate launch type do not support ipcMode.');
  }
  // On EC2 (the default compatibility) a container's memory is reserved on an instance: without a task-level
  // memory each container must say how much it needs (memory, memoryReservation or both).
  const runsOnInstances = requiresCompatibilities.length === 0 || requiresCompatibilities.some((c) => c !== 'FARGATE');
  if (runsOnInstances && !memory) {
    const unsized = containers.find((c) => c.memory === undefined && c.memoryReservation === undefined);
    if (unsized) {
      throw clientError(`Invalid setting for container '${unsized.name}'. At least one of 'memory' or 'memoryReservation' must be specified.`);
    }
  }
  const revisions = state.families.get(family) ?? [];
  const revision = revisions.length + 1;
  const extra = Object.fromEntries(Object.entries(request).filter(([key]) => !HANDLED.has(key)));
  const definition: TaskDefinitionRecord = {
    family,
    revision,
    arn: ecsArn.taskDefinition(ctx.region, family, revision),
    status: 'ACTIVE',
    containerDefinitions: containers,
    networkMode,
    requiresCompatibilities,
    cpu,
    memory,
    extra,
    tags: tagsOf(request.tags),
    registeredAt: Date.now(),
  };
  revisions.push(definition);
  state.families.set(family, revisions);
  return { taskDefinition: taskDefinitionToApi(definition), tags: tagsToApi(definition.tags) };
}

/** A bare family resolves to its latest ACTIVE revision. */
export function describeTaskDefinition({ store }: EcsOperationDependencies, request: DescribeTaskDefinitionInput, ctx: RequestContext) {
  const state = store.region(ctx.region);
  const definition = state.taskDefinition(request.taskDefinition);
  if (!definition) throw clientError('Unable to describe task definition.');
  const result: Record<string, unknown> = { taskDefinition: taskDefinitionToApi(definition) };
  if (includes(request.include, 'TAGS')) result.tags = tagsToApi(definition.tags);
  return result;
}

/** `familyPrefix` is, despite its name, a full family name (ECS matches it exactly). */
export function listTaskDefinitions({ store }: EcsOperationDependencies, request: ListTaskDefinitionsInput, ctx: RequestContext) {
  const state = store.region(ctx.region);
  const family = request.familyPrefix;
  const status = request.status ?? 'ACTIVE';
  const families = family !== undefined ? [state.families.get(family) ?? []] : [...state.families.values()];
  const matching = families
    .flat()
    .filter((definition) => definition.status === status)
    .sort((a, b) => a.family.localeCompare(b.family) || a.revision - b.revision);
  if (request.sort === 'DESC') matching.reverse();
  const page = paginate(matching, (definition) => definition.arn, { nextToken: request.nextToken, maxResults: request.maxResults, defaultSize: 100 });
  return { taskDefinitionArns: page.items.map((definition) => definition.arn), nextToken: page.nextToken };
}

/**
 * Unlike ListTaskDefinitions', this `familyPrefix` is a prefix. `status` ACTIVE lists the families with an ACTIVE
 * revision, INACTIVE those whose revisions are all INACTIVE, ALL (the default) every family; sorted by name.
 */
export function listTaskDefinitionFamilies({ store }: EcsOperationDependencies, request: ListTaskDefinitionFamiliesInput, ctx: RequestContext) {
  const state = store.region(ctx.region);
  const prefix = request.familyPrefix ?? '';
  const status = request.status ?? 'ALL';
  const families = [...state.families.entries()]
    .filter(([family]) => family.startsWith(prefix))
    .filter(([, revisions]) => {
      const active = revisions.some((definition) => definition.status === 'ACTIVE');
      return status === 'ALL' || (status === 'ACTIVE' ? active : !active);
    })
    .map(([family]) => family)
    .sort();
  const page = paginate(families, (family) => family, { nextToken: request.nextToken, maxResults: request.maxResults, defaultSize: 100 });
  return { families: page.items, nextToken: page.nextToken };
}

/** Only a full `family:revision` (or its ARN) can be deregistered; running tasks are not affected. */
export function deregisterTaskDefinition({ store }: EcsOperationDependencies, request: DeregisterTaskDefinitionInput, ctx: RequestContext) {
  const state = store.region(ctx.region);
  const reference = request.taskDefinition;
  const name = parseEcsArn(reference)?.resource ?? reference;
  if (!/:\d+$/.test(name)) throw clientError('The task definition must be specified as family:revision.');
  const definition = state.taskDefinition(reference);
  if (!definition) throw clientError('The specified task definition does not exist.');
  if (definition.status === 'ACTIVE') {
    definition.status = 'INACTIVE';
    definition.deregisteredAt = Date.now();
  }
  return { taskDefinition: taskDefinitionToApi(definition) };
}
