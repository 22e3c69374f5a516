import type { RegisterTaskDefinitionCommandInput, TaskDefinition } from '@aws-sdk/client-ecs';
import type { EcsApi } from '../adapters/ecs';
import { diffTaskDefinition } from '../domain/ecs/diff-task-definition';
import { DeploymentFailedError } from '../errors';
import type { PreparedRollout, RegisteredRevision } from './types';

/** The members of a described task definition that RegisterTaskDefinition takes back as they are. */
const COPIED = [
  'family',
  'taskRoleArn',
  'executionRoleArn',
  'networkMode',
  'volumes',
  'placementConstraints',
  'requiresCompatibilities',
  'cpu',
  'memory',
  'pidMode',
  'ipcMode',
  'proxyConfiguration',
  'inferenceAccelerators',
  'ephemeralStorage',
  'runtimePlatform',
] as const;

/**
 * The roles a service's revision runs with: the stack's execution role and the mesh services' task role. A rollout
 * sets them instead of copying the running revision's, so the step only ever passes (iam:PassRole) these two roles,
 * and a revision registered before the services had a role of their own (or by hand) does not keep another role.
 */
export interface RevisionRoles {
  executionRoleArn: string;
  taskRoleArn: string;
}

/**
 * The task definition of the new revision: the running revision with the app container's image replaced, and
 * nothing else changed (the sidecar, environment, health check stay as the last deployment made them) but the
 * roles, when given (see RevisionRoles).
 * @throws DeploymentFailedError when the revision has no container for the service.
 */
export function buildRevision(
  current: TaskDefinition,
  container: string,
  imageUri: string,
  tags?: RegisterTaskDefinitionCommandInput['tags'],
  roles?: RevisionRoles,
): RegisterTaskDefinitionCommandInput {
  const containers = current.containerDefinitions ?? [];
  if (!containers.some((c) => c.name === container)) {
    throw new DeploymentFailedError(`task definition ${current.taskDefinitionArn} has no container "${container}" to give the new image`);
  }
  const input: Record<string, unknown> = {};
  for (const key of COPIED) if (current[key] !== undefined) input[key] = current[key];
  return {
    ...(input as Partial<RegisterTaskDefinitionCommandInput>),
    ...(roles ? { executionRoleArn: roles.executionRoleArn, taskRoleArn: roles.taskRoleArn } : {}),
    family: current.family,
    containerDefinitions: containers.map((c) => (c.name === container ? { ...c, image: imageUri } : c)),
    ...(tags && tags.length > 0 ? { tags } : {}),
  } as RegisterTaskDefinitionCommandInput;
}

/**
 * Registers the revision that runs `imageUri`. Idempotent, as a retried step must be: when the family's latest
 * ACTIVE revision already is the wanted one (a retry, or a rollout of an image that is already running) it is
 * used instead of registering another, since every RegisterTaskDefinition makes a new revision.
 */
export async function registerRevision(
  prepared: PreparedRollout,
  imageUri: string,
  deps: { ecs: Pick<EcsApi, 'describeTaskDefinition' | 'registerTaskDefinition'>; roles?: RevisionRoles },
): Promise<RegisteredRevision> {
  const described = await deps.ecs.describeTaskDefinition(prepared.previousTaskDefinitionArn, { includeTags: true });
  const running = described.taskDefinition;
  if (!running?.family) throw new DeploymentFailedError(`ECS describes no task definition ${prepared.previousTaskDefinitionArn}`);
  const wanted = buildRevision(running, prepared.container, imageUri, described.tags, deps.roles);
  const unchangedCount = prepared.desiredCount === prepared.previousDesiredCount;

  if (!diffTaskDefinition(wanted, running).changed) {
    return { taskDefinitionArn: prepared.previousTaskDefinitionArn, imageUri, created: false, unchanged: unchangedCount };
  }
  const latest = (await deps.ecs.describeTaskDefinition(running.family)).taskDefinition;
  if (latest?.taskDefinitionArn && latest.taskDefinitionArn !== running.taskDefinitionArn && !diffTaskDefinition(wanted, latest).changed) {
    return { taskDefinitionArn: latest.taskDefinitionArn, imageUri, created: false, unchanged: false };
  }
  const taskDefinition = await deps.ecs.registerTaskDefinition(wanted);
  if (!taskDefinition?.taskDefinitionArn) throw new DeploymentFailedError(`ECS registered no task definition for ${running.family}`);
  return { taskDefinitionArn: taskDefinition.taskDefinitionArn, imageUri, created: true, unchanged: false };
}
