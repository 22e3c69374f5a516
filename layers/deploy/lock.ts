import type { SSMClient } from '@aws-sdk/client-ssm';
import { DeleteParameterCommand, GetParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { ConcurrentOperationError } from '../errors';

/**
 * A per-mesh deployment lock in SSM Parameter Store.
 *
 * Acquired with `PutParameter(Overwrite=false)`, which SSM makes atomic (`ParameterAlreadyExists` for the loser).
 * The value records the holder and an expiry, so a crashed execution cannot keep the mesh locked forever: an
 * expired lock is taken over. Re-acquiring by the same holder succeeds (a retried step is idempotent).
 */
export interface LockValue {
  holder: string;
  expiresAt: number;
}

export interface LockDeps {
  ssm: Pick<SSMClient, 'send'>;
  now?: () => number;
}

/** Longest a deployment may hold the lock; the deploy state machine's own timeout is below it. */
export const LOCK_TTL_MS = 3 * 60 * 60 * 1000;

export async function acquireLock(name: string, holder: string, deps: LockDeps, ttlMs = LOCK_TTL_MS): Promise<LockValue> {
  const now = (deps.now ?? Date.now)();
  const value: LockValue = { holder, expiresAt: now + ttlMs };
  try {
    await deps.ssm.send(new PutParameterCommand({ Name: name, Type: 'String', Value: JSON.stringify(value), Overwrite: false }));
    return value;
  } catch (error) {
    if ((error as Error).name !== 'ParameterAlreadyExists') throw error;
  }
  const current = await readLock(name, deps);
  if (current && current.holder !== holder && current.expiresAt > now) {
    throw new ConcurrentOperationError(`another operation (${current.holder}) holds the lock ${name} until ${new Date(current.expiresAt).toISOString()}`);
  }
  // Ours already, or expired: take it. (Two takers of one expired lock both pass here; the window is the
  // length of two SSM calls on a lock that was abandoned hours ago, and the ECS/Consul steps are idempotent.)
  await deps.ssm.send(new PutParameterCommand({ Name: name, Type: 'String', Value: JSON.stringify(value), Overwrite: true }));
  return value;
}

/** Releases the lock if `holder` holds it; releasing a lock one does not hold changes nothing. */
export async function releaseLock(name: string, holder: string, deps: LockDeps): Promise<boolean> {
  const current = await readLock(name, deps);
  if (!current || current.holder !== holder) return false;
  try {
    await deps.ssm.send(new DeleteParameterCommand({ Name: name }));
  } catch (error) {
    if ((error as Error).name !== 'ParameterNotFound') throw error;
  }
  return true;
}

export async function readLock(name: string, deps: LockDeps): Promise<LockValue | undefined> {
  try {
    const { Parameter } = await deps.ssm.send(new GetParameterCommand({ Name: name }));
    return Parameter?.Value ? (JSON.parse(Parameter.Value) as LockValue) : undefined;
  } catch (error) {
    if ((error as Error).name === 'ParameterNotFound') return undefined;
    throw error;
  }
}
