/**
 * RegisterTaskDefinition, DescribeTaskDefinition, ListTaskDefinitions, ListTaskDefinitionFamilies, DeregisterTaskDefinition.
 * Revisions increment per family from 1; deregistered revisions stay describable as INACTIVE.
 */
import { AwsServiceError, type OperationHandler, type OperationInput } from '../../protocol';
import { ecsArn, parseEcsArn } from '../arns';
import { includes, optionalEnum, optionalInteger, optionalString, optionalStringList, optionalTags, requiredString } from '../input';
import type { ContainerDefinition, TaskDefinitionRecord } from '../model';
import { paginate } from '../pagination';
import { tagsToApi, taskDefinitionToApi } from '../render';
import { validName, type EcsOperationDependencies } from './common';

const clientError = (message: string) => new AwsServiceError('ClientException', message, 400);

/** Members of RegisterTaskDefinition handled explicitly; the rest is kept and echoed back. */
const HANDLED = new Set(['family', 'containerDefinitions', 'networkMode', 'requiresCompatibilities', 'cpu', 'memory', 'tags']);

function containerDefinitions(input: OperationInput): ContainerDefinition[] {
  const list = input.containerDefinitions;
  if (!Array.isArray(list) || list.length === 0) throw clientError('Container list cannot be empty.');
  const names = new Set<string>();
  const definitions = list.map((item: unknown): ContainerDefinition => {
    if (typeof item !== 'object' || item === null) throw clientError('Container definitions must be objects.');
    const definition = item as Record<string, unknown>;
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

export function taskDefinitionOperations({ store }: EcsOperationDependencies): Record<string, OperationHandler> {
  return {
    RegisterTaskDefinition(input, ctx) {
      const state = store.region(ctx.region);
      const family = validName('Family', requiredString(input, 'family'), 'ClientException');
      const containers = containerDefinitions(input);
      const requiresCompatibilities = optionalStringList(input, 'requiresCompatibilities') ?? [];
      const networkMode = optionalString(input, 'networkMode') ?? (requiresCompatibilities.includes('FARGATE') ? 'awsvpc' : 'bridge');
      const cpu = input.cpu === undefined ? undefined : String(input.cpu);
      const memory = input.memory === undefined ? undefined : String(input.memory);
      // Fargate's own requirements (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html).
      if (requiresCompatibilities.includes('FARGATE')) {
        if (networkMode !== 'awsvpc') throw clientError(`Fargate only supports network mode 'awsvpc'.`);
        if (!cpu) throw clientError(`Fargate requires that 'cpu' be defined at the task level.`);
        if (!memory) throw clientError(`Fargate requires that 'memory' be defined at the task level.`);
        // Fargate shares a PID namespace only within the task, and no IPC namespace at all.
        if (input.pidMode === 'host') {
          throw clientError(`Tasks using the Fargate launch type do not support pidMode 'host'. The supported value for pidMode is 'task'.`);
        }
        if (input.ipcMode !== undefined && input.ipcMode !== null) throw clientError('Tasks using the Fargate launch type do not support ipcMode.');
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
      const extra = Object.fromEntries(Object.entries(input).filter(([key]) => !HANDLED.has(key)));
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
        tags: optionalTags(input),
        registeredAt: Date.now(),
      };
      revisions.push(definition);
      state.families.set(family, revisions);
      return { taskDefinition: taskDefinitionToApi(definition), tags: tagsToApi(definition.tags) };
    },

    /** A bare family resolves to its latest ACTIVE revision. */
    DescribeTaskDefinition(input, ctx) {
      const state = store.region(ctx.region);
      const definition = state.taskDefinition(requiredString(input, 'taskDefinition'));
      if (!definition) throw clientError('Unable to describe task definition.');
      const result: Record<string, unknown> = { taskDefinition: taskDefinitionToApi(definition) };
      if (includes(input, 'TAGS')) result.tags = tagsToApi(definition.tags);
      return result;
    },

    /** `familyPrefix` is, despite its name, a full family name (ECS matches it exactly). */
    ListTaskDefinitions(input, ctx) {
      const state = store.region(ctx.region);
      const family = optionalString(input, 'familyPrefix');
      const status = optionalEnum(input, 'status', ['ACTIVE', 'INACTIVE', 'DELETE_IN_PROGRESS'] as const) ?? 'ACTIVE';
      const sort = optionalEnum(input, 'sort', ['ASC', 'DESC'] as const) ?? 'ASC';
      const families = family !== undefined ? [state.families.get(family) ?? []] : [...state.families.values()];
      const matching = families
        .flat()
        .filter((definition) => definition.status === status)
        .sort((a, b) => a.family.localeCompare(b.family) || a.revision - b.revision);
      if (sort === 'DESC') matching.reverse();
      const page = paginate(matching, (definition) => definition.arn, {
        nextToken: optionalString(input, 'nextToken'),
        maxResults: optionalInteger(input, 'maxResults', 1, 100),
        defaultSize: 100,
        maxSize: 100,
      });
      return { taskDefinitionArns: page.items.map((definition) => definition.arn), nextToken: page.nextToken };
    },

    /**
     * Unlike ListTaskDefinitions', this `familyPrefix` is a prefix. `status` ACTIVE lists the families with an ACTIVE
     * revision, INACTIVE those whose revisions are all INACTIVE, ALL (the default) every family; sorted by name.
     */
    ListTaskDefinitionFamilies(input, ctx) {
      const state = store.region(ctx.region);
      const prefix = optionalString(input, 'familyPrefix') ?? '';
      const status = optionalEnum(input, 'status', ['ACTIVE', 'INACTIVE', 'ALL'] as const) ?? 'ALL';
      const families = [...state.families.entries()]
        .filter(([family]) => family.startsWith(prefix))
        .filter(([, revisions]) => {
          const active = revisions.some((definition) => definition.status === 'ACTIVE');
          return status === 'ALL' || (status === 'ACTIVE' ? active : !active);
        })
        .map(([family]) => family)
        .sort();
      const page = paginate(families, (family) => family, {
        nextToken: optionalString(input, 'nextToken'),
        maxResults: optionalInteger(input, 'maxResults', 1, 100),
        defaultSize: 100,
        maxSize: 100,
      });
      return { families: page.items, nextToken: page.nextToken };
    },

    /** Only a full `family:revision` (or its ARN) can be deregistered; running tasks are not affected. */
    DeregisterTaskDefinition(input, ctx) {
      const state = store.region(ctx.region);
      const reference = requiredString(input, 'taskDefinition');
      const name = parseEcsArn(reference)?.resource ?? reference;
      if (!/:\d+$/.test(name)) throw clientError('The task definition must be specified as family:revision.');
      const definition = state.taskDefinition(reference);
      if (!definition) throw clientError('The specified task definition does not exist.');
      if (definition.status === 'ACTIVE') {
        definition.status = 'INACTIVE';
        definition.deregisteredAt = Date.now();
      }
      return { taskDefinition: taskDefinitionToApi(definition) };
    },
  };
}
