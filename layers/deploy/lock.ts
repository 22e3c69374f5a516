import type { SsmApi } from '../adapters/ssm';
import { ConcurrentOperationError } from '../errors';
import { operationOfExecution } from '../executions/operations';

/**
 * A per-mesh deployment lock (and a per-service rollout lock) in SSM Parameter Store.
 *
 * Acquired with `PutParameter(Overwrite=false)`, which SSM makes atomic (`ParameterAlreadyExists` for the loser).
 * The value names its holder, the Step Functions execution that took it. Nothing can wedge (DESIGN.md section 9): a
 * lock whose holder is no longer running (stopped, failed, timed out, aborted when the local cloud restarted, or a
 * failure no Catch saw, such as `States.DataLimitExceeded`) is taken over at once, and the takeover is reported. The
 * expiry is only the last resort for a holder whose state cannot be read. Re-acquiring by the same holder succeeds (a
 * retried step is idempotent).
 */
export interface LockValue {
  holder: string;
  expiresAt: number;
  /** When the holder took it (absent in locks written before this field existed). */
  acquiredAt?: number;
}

/** Whether the operation that holds a lock is still running (for an execution: DescribeExecution says RUNNING). */
export interface HolderStatus {
  isRunning(holder: string): Promise<boolean>;
}

export interface LockDeps {
  ssm: Pick<SsmApi, 'putParameter' | 'getParameter' | 'deleteParameter'>;
  now?: () => number;
  /** Without it a lock is live until it expires (as before holders were checked). */
  holders?: HolderStatus;
  /** Told about each lock taken over from a holder that had ended. */
  onTakeover?: (takeover: { name: string; previous: LockValue; reason: 'ended' | 'expired' }) => void;
}

/**
 * The mesh lock's holder while a Consul datacenter that lost every server is restored (layers/recovery): no
 * execution, so it is live until released or expired (a restore takes seconds).
 */
export const RECOVERY_LOCK_HOLDER = 'consul-datacenter-recovery';

/** Longest a deployment may hold the lock; the deploy state machine's own timeout is below it. */
export const LOCK_TTL_MS = 3 * 60 * 60 * 1000;

export async function acquireLock(name: string, holder: string, deps: LockDeps, ttlMs = LOCK_TTL_MS): Promise<LockValue> {
  const now = (deps.now ?? Date.now)();
  const value: LockValue = { holder, expiresAt: now + ttlMs, acquiredAt: now };
  try {
    await deps.ssm.putParameter({ Name: name, Type: 'String', Value: JSON.stringify(value), Overwrite: false });
    return value;
  } catch (error) {
    if ((error as Error).name !== 'ParameterAlreadyExists') throw error;
  }
  const current = await readLock(name, deps);
  if (current && current.holder !== holder) {
    const state = await lockState(current, deps, now);
    if (state === 'live') throw new ConcurrentOperationError(`the lock ${name} is held by ${describeLockHolder(name, current)}`);
    deps.onTakeover?.({ name, previous: current, reason: state });
  }
  // Ours already, or its holder has ended: take it. (Two takers of one abandoned lock both pass here; the window is
  // the length of two SSM calls, and the ECS/Consul steps are idempotent.)
  await deps.ssm.putParameter({ Name: name, Type: 'String', Value: JSON.stringify(value), Overwrite: true });
  return value;
}

/**
 * Who holds a lock, since when, and how to end it, for the error of whoever is refused. Every operation that takes a
 * lock is an execution of one of the stack's state machines, told apart by the machine's name, and each is cancelled
 * by its id with `meshctl cancel <id>` (the API stops the execution and releases its locks at once): a deployment
 * (`d-...`, read from the execution name), a rollout (`r-...`, and its service), a rotation (`s-...`, the execution
 * name itself) and a teardown (`x-...`, likewise). Any other execution of the deploy machine (started by hand) is named
 * by its ARN and cancelled through meshctl's direct mode, an execution of another machine through Step Functions; a holder that is no execution (a lock written by hand) by its expiry.
 * @example describeLockHolder('/consul-mesh/shop/lock', { holder: 'arn:aws:states:us-east-1:123456789012:execution:consul-mesh-dev-deploy-mesh:shop-a1b2c3d4e5f6-20250304050607-k3x9q0', expiresAt, acquiredAt })
 * // 'deployment d-20250304050607-k3x9q0 (execution arn:..., since 2025-03-04T05:06:08.000Z). Wait for it to end, or cancel it: meshctl cancel d-20250304050607-k3x9q0'
 */
export function describeLockHolder(name: string, lock: LockValue): string {
  const since = lock.acquiredAt ? new Date(lock.acquiredAt).toISOString() : undefined;
  // arn:<partition>:states:<region>:<account>:execution:<state machine>:<execution name>
  const execution = /^arn:aws[a-z-]*:states:[^:]+:\d{12}:execution:([^:]+):([^:]+)$/.exec(lock.holder);
  if (lock.holder === RECOVERY_LOCK_HOLDER) {
    return (
      `the restore of the mesh's Consul datacenter after every server was lost${since ? ` (since ${since})` : ''}: ` +
      'it re-creates the ACL tokens, config entries and the deployed spec, then reconciles the catalog, in under a minute; retry then'
    );
  }
  if (!execution) {
    return (
      `"${lock.holder}"${since ? ` (since ${since})` : ''}, which is no execution: it is free once it expires at ` +
      `${new Date(lock.expiresAt).toISOString()}, or delete the parameter ${name} once that operation has ended`
    );
  }
  const [, machine, executionName] = execution;
  const where = `(execution ${lock.holder}${since ? `, since ${since}` : ''})`;
  const cancel = (what: string, id: string) => `${what} ${where}. Wait for it to end, or cancel it: meshctl cancel ${id}`;
  const operation = operationOfExecution(machine, executionName);
  if (operation?.kind === 'rollout') return cancel(`rollout ${operation.id} of service ${operation.service}`, operation.id);
  if (operation) return cancel(`${operation.kind} ${operation.id}`, operation.id);
  const machineArn = lock.holder.replace(/:execution:([^:]+):[^:]+$/, ':stateMachine:$1');
  // meshctl's direct mode (`--state-machine-arn`) cancels any execution of the deploy machine by its ARN.
  if (machine.endsWith('-deploy-mesh')) return `a deployment ${where}. Wait for it to end, or cancel it: meshctl cancel ${lock.holder} --state-machine-arn ${machineArn}`;
  return `an execution of ${machine} ${where}. Wait for it to end, or stop it: aws stepfunctions stop-execution --execution-arn ${lock.holder} (its locks are released once it has stopped)`;
}

/**
 * `live` while the holder may still be working: not expired and, when its status can be read, still running.
 * An expired lock is `expired` whatever its holder says; a holder that ended makes it `ended` at once.
 */
export async function lockState(lock: LockValue, deps: Pick<LockDeps, 'holders' | 'now'>, now = (deps.now ?? Date.now)()): Promise<'live' | 'ended' | 'expired'> {
  if (lock.expiresAt <= now) return 'expired';
  if (deps.holders && !(await deps.holders.isRunning(lock.holder))) return 'ended';
  return 'live';
}

/** Releases the lock if `holder` holds it; releasing a lock one does not hold changes nothing. */
export async function releaseLock(name: string, holder: string, deps: LockDeps): Promise<boolean> {
  const current = await readLock(name, deps);
  if (!current || current.holder !== holder) return false;
  try {
    await deps.ssm.deleteParameter(name);
  } catch (error) {
    if ((error as Error).name !== 'ParameterNotFound') throw error;
  }
  return true;
}

export async function readLock(name: string, deps: Pick<LockDeps, 'ssm'>): Promise<LockValue | undefined> {
  try {
    const Parameter = await deps.ssm.getParameter(name);
    return Parameter?.Value ? (JSON.parse(Parameter.Value) as LockValue) : undefined;
  } catch (error) {
    if ((error as Error).name === 'ParameterNotFound') return undefined;
    throw error;
  }
}
