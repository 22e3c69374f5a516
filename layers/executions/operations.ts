import { isDeploymentId, parseExecutionName } from './execution-name';
import { parseRolloutExecutionName } from '../rollout/naming';

/**
 * The mesh's long operations: each is one execution of one of the stack's four state machines, and each holds a lock
 * while it runs (a deployment, a rotation and a teardown the mesh lock; a rollout its service's lock). Their ids share
 * one shape, `<prefix>-<yyyymmddHHMMss>-<6 base36>` (newOperationId), the prefix naming the kind, so an id alone says
 * which machine ran it and roughly when it started.
 */
export type OperationKind = 'deployment' | 'rollout' | 'rotation' | 'teardown';

const PREFIX: Record<string, OperationKind> = { d: 'deployment', r: 'rollout', s: 'rotation', x: 'teardown' };
const ID_PATTERN = /^([drsx])-(\d{14})-[0-9a-z]{6}$/;

/** The end of each state machine's name (`<service>-<stage>-deploy-mesh`, ...; serverless.yml `stepFunctions`). */
export const STATE_MACHINE_SUFFIX: Record<OperationKind, string> = {
  deployment: '-deploy-mesh',
  rollout: '-rollout-service',
  rotation: '-rotate-secret',
  teardown: '-destroy-mesh',
};

export interface OperationRef {
  kind: OperationKind;
  id: string;
  /** A rollout's service as its execution name carries it (cut to fit the 80-character limit). */
  service?: string;
}

/**
 * The kind of an operation id, undefined for anything else.
 * @example operationKindOf('r-20250304050607-k3x9q0') // 'rollout'
 */
export function operationKindOf(id: string): OperationKind | undefined {
  const match = ID_PATTERN.exec(id);
  return match ? PREFIX[match[1]] : undefined;
}

/** When the id was made (its UTC timestamp, to the second): its execution started at or after it. */
export function operationIdTime(id: string): Date | undefined {
  const stamp = ID_PATTERN.exec(id)?.[2];
  if (!stamp) return undefined;
  const [y, mo, d, h, mi, s] = [stamp.slice(0, 4), stamp.slice(4, 6), stamp.slice(6, 8), stamp.slice(8, 10), stamp.slice(10, 12), stamp.slice(12, 14)];
  return new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}Z`);
}

/**
 * The operation an execution of the stack runs, from its state machine's name and its execution name: a deployment's
 * name carries the mesh, the spec hash and the id's suffix; a rollout's the service and the suffix; a rotation and a
 * teardown are named by their id. Undefined for an execution this project did not name (started by hand).
 */
export function operationOfExecution(machine: string, executionName: string): OperationRef | undefined {
  if (machine.endsWith(STATE_MACHINE_SUFFIX.deployment)) {
    const parsed = parseExecutionName(executionName);
    return parsed ? { kind: 'deployment', id: parsed.deploymentId } : undefined;
  }
  if (machine.endsWith(STATE_MACHINE_SUFFIX.rollout)) {
    const parsed = parseRolloutExecutionName(executionName);
    return parsed ? { kind: 'rollout', id: parsed.rolloutId, service: parsed.servicePart } : undefined;
  }
  const kind = machine.endsWith(STATE_MACHINE_SUFFIX.rotation) ? 'rotation' : machine.endsWith(STATE_MACHINE_SUFFIX.teardown) ? 'teardown' : undefined;
  return kind && operationKindOf(executionName) === kind ? { kind, id: executionName } : undefined;
}

/**
 * What a user typed for an operation: its id (`d-`, `r-`, `s-`, `x-...`), its execution name, or its execution ARN
 * (whose state machine says the kind). A bare execution name is read as a deployment's when it carries a spec hash,
 * else as a rollout's. Undefined when it is none of these.
 * @example parseOperationReference('users-20250304050607-k3x9q0') // { kind: 'rollout', id: 'r-20250304050607-k3x9q0', service: 'users' }
 */
export function parseOperationReference(reference: string): OperationRef | undefined {
  const kind = operationKindOf(reference);
  if (kind) return { kind, id: reference };
  const arn = /^arn:aws[a-z-]*:states:[^:]+:\d{12}:execution:([^:]+):([^:]+)$/.exec(reference);
  if (arn) return operationOfExecution(arn[1], arn[2]);
  const deployment = parseExecutionName(reference);
  if (deployment && isDeploymentId(deployment.deploymentId)) return { kind: 'deployment', id: deployment.deploymentId };
  const rollout = parseRolloutExecutionName(reference);
  return rollout ? { kind: 'rollout', id: rollout.rolloutId, service: rollout.servicePart } : undefined;
}
