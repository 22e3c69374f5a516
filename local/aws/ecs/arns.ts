/**
 * ECS resource names in the long ARN format AWS uses since 2018 (the cluster name is part of task and service ARNs).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { LOCAL_ACCOUNT_ID } from '../protocol';

const prefix = (region: string) => `arn:aws:ecs:${region}:${LOCAL_ACCOUNT_ID}`;

export const ecsArn = {
  cluster: (region: string, name: string) => `${prefix(region)}:cluster/${name}`,
  service: (region: string, cluster: string, name: string) => `${prefix(region)}:service/${cluster}/${name}`,
  task: (region: string, cluster: string, taskId: string) => `${prefix(region)}:task/${cluster}/${taskId}`,
  taskDefinition: (region: string, family: string, revision: number) =>
    `${prefix(region)}:task-definition/${family}:${revision}`,
  container: (region: string, cluster: string, taskId: string, containerId: string) =>
    `${prefix(region)}:container/${cluster}/${taskId}/${containerId}`,
};

/** Task IDs are 32 lowercase hex digits (a UUID's: Node batches their entropy, cheaper than randomBytes per task). */
export function newTaskId(): string {
  return randomUUID().replaceAll('-', '');
}

/** Deployment IDs look like `ecs-svc/9223370545345641169` (19 digits). */
export function newDeploymentId(): string {
  const digits = Array.from(randomBytes(19), (byte) => String(byte % 10)).join('');
  return `ecs-svc/${digits.startsWith('0') ? `9${digits.slice(1)}` : digits}`;
}

const ARN_PATTERN = /^arn:aws[a-z-]*:ecs:([a-z0-9-]+):(\d{12}):([a-z-]+)\/(.+)$/;

export interface ParsedEcsArn {
  region: string;
  resourceType: string;
  /** The part after `<resourceType>/`, e.g. `cluster-1/4f9a...` for a task. */
  resource: string;
}

export function parseEcsArn(arn: string): ParsedEcsArn | undefined {
  const match = ARN_PATTERN.exec(arn);
  if (!match) return undefined;
  return { region: match[1], resourceType: match[3], resource: match[4] };
}

/** A cluster reference is a name or an ARN; ECS uses the cluster `default` when none is given. */
export function clusterNameOf(reference: string | undefined): string {
  if (!reference) return 'default';
  const parsed = parseEcsArn(reference);
  return parsed?.resourceType === 'cluster' ? parsed.resource : reference;
}

/** A service reference is a name or an ARN (`service/<cluster>/<name>`, or the old `service/<name>`). */
export function serviceNameOf(reference: string): string {
  const parsed = parseEcsArn(reference);
  if (parsed?.resourceType !== 'service') return reference;
  const parts = parsed.resource.split('/');
  return parts[parts.length - 1];
}

/** A task reference is an ID or an ARN (`task/<cluster>/<id>`, or the old `task/<id>`). */
export function taskIdOf(reference: string): string {
  const parsed = parseEcsArn(reference);
  if (parsed?.resourceType !== 'task') return reference;
  const parts = parsed.resource.split('/');
  return parts[parts.length - 1];
}
