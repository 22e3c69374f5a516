import * as z from 'zod/mini';
import { configParameterNames, meshParameterPrefix } from '../domain/naming';
import type { SsmApi } from '../adapters/ssm';
import { releaseLock, type HolderStatus, type LockDeps, type LockValue } from './lock';

/**
 * EventBridge's `Step Functions Execution Status Change` event, the fields the lock release reads. The rule
 * delivers only the closing statuses of this stack's state machines; `input`/`output` may be `null` (over 248 KiB),
 * so nothing here depends on them. A zod/mini schema: the API function bundles this module (for
 * `releaseLocksHeldBy`), and a classic zod schema here would bring 70 KiB of zod into it.
 */
export const ExecutionStatusChangeSchema = z.object({
  id: z.string().check(z.minLength(1)),
  source: z.literal('aws.states'),
  'detail-type': z.literal('Step Functions Execution Status Change'),
  detail: z.object({
    executionArn: z.string().check(z.startsWith('arn:')),
    stateMachineArn: z.string().check(z.startsWith('arn:')),
    name: z.string().check(z.minLength(1)),
    status: z.enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE']),
    startDate: z.number(),
    stopDate: z.optional(z.nullable(z.number())),
  }),
});
export type ExecutionStatusChange = z.output<typeof ExecutionStatusChangeSchema>;

export interface ReleaseEndedDeps {
  ssm: Pick<SsmApi, 'getParametersByPath'> & LockDeps['ssm'];
  /** Whether the execution runs again (a redrive): its locks are then its own again. */
  holders: HolderStatus;
  meshName: string;
  /** The SSM root of the mesh parameters (`SSM_PREFIX`, `/consul-mesh`). */
  ssmRoot?: string;
}

export interface ReleaseOutcome {
  execution: string;
  status: ExecutionStatusChange['detail']['status'];
  /** The locks this execution still held, now released. */
  released: string[];
  /** Why nothing was looked at: the execution runs (again). */
  skipped?: 'running';
}

/**
 * Releases every lock an ended execution still holds: the mesh lock (`/consul-mesh/<mesh>/lock`) and the rollout
 * locks (`/consul-mesh/<mesh>/rollouts/<service>/lock`). The failure paths of the state machines release their own
 * lock, but an execution can end where no Catch sees it (StopExecution, `States.DataLimitExceeded`, a timeout of the
 * whole execution, a crash of the local cloud); this is the path that still frees it (DESIGN.md section 9).
 *
 * Idempotent, for EventBridge's best-effort, at-least-once delivery in any order: a lock is deleted only while the
 * ended execution is its holder (`releaseLock` compares), so a second delivery finds nothing and a late one leaves
 * alone a lock another execution has taken since. The event's status is confirmed with DescribeExecution first: an
 * execution redriven since (RUNNING again) keeps its locks.
 */
export async function releaseLocksOfEndedExecution(event: ExecutionStatusChange, deps: ReleaseEndedDeps): Promise<ReleaseOutcome> {
  const { executionArn: execution, status } = event.detail;
  if (status === 'RUNNING' || status === 'PENDING_REDRIVE' || (await deps.holders.isRunning(execution))) {
    return { execution, status, released: [], skipped: 'running' };
  }
  return { execution, status, released: await releaseLocksHeldBy(execution, deps) };
}

/**
 * Releases the mesh lock and the rollout locks whose holder is `execution`, and returns their names: what an ended
 * execution leaves behind, and what a cancel (the API's StopExecution) frees at once rather than waiting for the
 * status event. Only for an execution that no longer runs: the caller knows it (it stopped it, or confirmed it).
 */
export async function releaseLocksHeldBy(execution: string, deps: Pick<ReleaseEndedDeps, 'ssm' | 'meshName' | 'ssmRoot'>): Promise<string[]> {
  const root = deps.ssmRoot ?? '/consul-mesh';
  const candidates = [configParameterNames({ name: deps.meshName }, root).lock, ...(await rolloutLocksHeldBy(execution, deps, root))];
  const released: string[] = [];
  for (const name of candidates) {
    // (SSM has no conditional delete: a lock taken over between the read and the delete inside releaseLock would
    // be lost. The window is two SSM calls long, and only for a lock whose holder had already ended.)
    if (await releaseLock(name, execution, { ssm: deps.ssm })) released.push(name);
  }
  return released;
}

/** The rollout locks of the mesh whose value names `holder` (one, for a rollout execution; none for a deployment). */
async function rolloutLocksHeldBy(holder: string, deps: Pick<ReleaseEndedDeps, 'ssm' | 'meshName'>, root: string): Promise<string[]> {
  const path = `${meshParameterPrefix({ name: deps.meshName }, root)}/rollouts`;
  const names: string[] = [];
  for (const parameter of await deps.ssm.getParametersByPath(path)) {
    if (!parameter.Name?.endsWith('/lock') || !parameter.Value) continue;
    if (holderOf(parameter.Value) === holder) names.push(parameter.Name);
  }
  return names;
}

function holderOf(value: string): string | undefined {
  try {
    return (JSON.parse(value) as Partial<LockValue>).holder;
  } catch {
    return undefined; // Not a lock we wrote.
  }
}
