import { releaseLock, type LockDeps } from '../deploy/lock';
import { causeMessage } from '../executions/json';
import { configParameterNames } from '../domain/naming';
import { addReplaced } from './ca';
import { deleteStaged } from './secret';
import type { PreparedRotation, RotationCheck, RotationResult, StoredSecret } from './schemas';

/** The end of a rotation, after the old secret was retired (retireOldSecret): release the mesh lock, say what happened. */
export async function finishRotation(
  input: { prepared: PreparedRotation; stored: StoredSecret; check: RotationCheck; removed: string },
  deps: { ssm: LockDeps['ssm'] },
): Promise<RotationResult> {
  const { prepared, stored, check, removed } = input;
  await releaseLock(prepared.lockName, prepared.lockHolder, { ssm: deps.ssm });
  return {
    rotationId: prepared.rotationId,
    mesh: prepared.mesh,
    secret: prepared.secret,
    parameter: prepared.parameter,
    previousVersion: stored.previousVersion,
    version: stored.version,
    ...(prepared.keyParameter && stored.keyVersion !== undefined
      ? { keyParameter: prepared.keyParameter, previousKeyVersion: stored.previousKeyVersion ?? stored.keyVersion, keyVersion: stored.keyVersion }
      : {}),
    // A CA rotation's earlier stages replaced tasks too (stored.replaced); the last check counts the last stage's.
    replaced: addReplaced(stored.replaced, check.replaced),
    removed,
  };
}

export interface RotationFailureInput {
  executionId: string;
  secret: string;
  /** The step that failed (prepare, store, roll, wait, retire). */
  step: string;
  error: { Error?: string; Cause?: string };
  prepared?: PreparedRotation;
  stored?: StoredSecret;
}

/**
 * The failure path: release the mesh lock (if this execution holds it) and say where the secret stands. Before the
 * new version was stored nothing changed; after it, both the old and the new secret work (the old one is retired only
 * by the last step), so every task runs, and another rotation or a deployment can follow.
 */
export async function recordRotationFailure(
  input: RotationFailureInput,
  deps: { ssm: LockDeps['ssm']; meshName: string; ssmRoot?: string },
): Promise<{ error: string; cause: string }> {
  const lockName = input.prepared?.lockName ?? configParameterNames({ name: deps.meshName }, deps.ssmRoot).lock;
  // A staged value not stored yet is of no use; once stored, the staging parameter is gone already. A staged CA is
  // of no use either once its rotation failed: rotating again makes a new one (and keeps every CA of the bundle).
  if (input.prepared && (!input.stored || input.prepared.kind === 'ca')) await deleteStaged(input.prepared, deps.ssm);
  await releaseLock(lockName, input.executionId, { ssm: deps.ssm });
  const message = causeMessage(input.error.Cause);
  const state = input.prepared?.kind === 'ca' && input.step !== 'prepare'
    ? caState(input.prepared, input.stored)
    : input.stored
    ? `the new version ${input.stored.version} of ${input.prepared?.parameter ?? 'the secret'} is stored and live in Consul next to the old one, which still works; rotate again to finish`
    : input.prepared && input.step !== 'prepare'
      ? `the old secret still works; the new one may already be live in Consul (and, if the store step got that far, stored in SSM); rotate again to finish`
      : 'nothing was changed';
  const failure = { secret: input.secret, step: input.step, error: input.error.Error ?? 'RotationFailed', message: `${message}; ${state}` };
  return { error: failure.error, cause: JSON.stringify(failure) };
}

/**
 * Where a CA rotation that failed after its prepare step stands. Every stage only ever adds trust until the servers
 * were re-issued, and drops the old CA only after, so the members that run trust each other whatever stage failed.
 */
function caState(prepared: PreparedRotation, stored: StoredSecret | undefined): string {
  const where = stored?.stage !== undefined && stored.stages !== undefined ? `during stage ${stored.stage + 1} of ${stored.stages}` : 'before its first stage was stored';
  const versions = stored
    ? `${prepared.parameter} is at version ${stored.version}, ${prepared.keyParameter ?? 'the CA key'} at version ${stored.keyVersion ?? stored.previousKeyVersion ?? '?'}`
    : 'SSM may hold a bundle with the new CA next to the old one';
  return `the CA rotation stopped ${where}: ${versions} (the old CA stays in their SSM history); the running servers and dataplanes trust each other; rotate ca again to finish (it keeps every CA of the bundle until the servers were re-issued)`;
}

