import { releaseLock, type LockDeps } from '../deploy/lock';
import { causeMessage } from '../executions/json';
import { lastStoppedReason, type StoppedReasonEcs } from '../deploy/stage';
import { ROLLOUT_ERRORS } from '../errors';
import { rolloutLockName } from './naming';
import type { PreparedRollout, RegisteredRevision, RolloutFailure, RolloutResult } from './types';

/** The end of a successful rollout: release the service's lock and record which revision is live. */
export async function finishRollout(
  input: { prepared: PreparedRollout; revision: RegisteredRevision },
  deps: { ssm: LockDeps['ssm'] },
): Promise<RolloutResult> {
  const { prepared, revision } = input;
  await releaseLock(prepared.lockName, prepared.lockHolder, { ssm: deps.ssm });
  return {
    rolloutId: prepared.rolloutId,
    mesh: prepared.mesh,
    service: prepared.service,
    cluster: prepared.cluster,
    imageUri: revision.imageUri,
    liveTaskDefinitionArn: revision.taskDefinitionArn,
    previousTaskDefinitionArn: prepared.previousTaskDefinitionArn,
    desiredCount: prepared.desiredCount,
    unchanged: revision.unchanged,
  };
}

export interface FailureInput {
  /** `rolledBack` after a rollback that completed; `rollbackFailed` when it did not; `failed` before any change. */
  outcome: 'rolledBack' | 'rollbackFailed' | 'failed';
  service: string;
  executionId: string;
  /** The step that failed (prepare, build, register, update, stabilize, bake). */
  step: string;
  /** `$.error` as the Catch recorded it. */
  error: { Error?: string; Cause?: string };
  /** Why the rollback failed, for `rollbackFailed`. */
  rollbackError?: { Error?: string; Cause?: string };
  prepared?: PreparedRollout;
  revision?: RegisteredRevision;
}

/**
 * The failure paths of the rollout state machine: release the service's lock (if the rollout got far enough to
 * take it) and state the cause as JSON a person can act on: the step, the error, ECS's stopped reason of the
 * failed tasks, whether the service was rolled back and which revision is live now.
 */
export async function recordRolloutFailure(
  input: FailureInput,
  deps: { ssm: LockDeps['ssm']; ecs: StoppedReasonEcs; meshName: string },
): Promise<{ error: string; cause: string; failure: RolloutFailure }> {
  const { prepared } = input;
  await releaseLock(prepared?.lockName ?? rolloutLockName(deps.meshName, input.service), input.executionId, { ssm: deps.ssm });
  const message = causeMessage(input.error.Cause);
  const failure: RolloutFailure = { service: input.service, step: input.step, error: input.error.Error ?? 'RolloutFailed', message, rolledBack: false };
  const failedRevision = input.revision?.taskDefinitionArn;
  if (failedRevision && failedRevision !== prepared?.previousTaskDefinitionArn) failure.failedTaskDefinitionArn = failedRevision;
  if (prepared && !message.includes('task stopped:') && input.outcome !== 'failed') {
    const reason = await lastStoppedReason(prepared.cluster, prepared.service, deps.ecs).catch(() => undefined);
    if (reason) failure.detail = reason;
  }
  if (input.outcome === 'rolledBack' && prepared) {
    failure.rolledBack = true;
    failure.liveTaskDefinitionArn = prepared.previousTaskDefinitionArn;
    failure.message = `${message}; rolled back to ${revisionName(prepared.previousTaskDefinitionArn)}`;
    return { error: ROLLOUT_ERRORS.rolledBack, cause: JSON.stringify(failure), failure };
  }
  if (input.outcome === 'rollbackFailed') {
    const why = causeMessage(input.rollbackError?.Cause ?? input.rollbackError?.Error);
    failure.message = `${message}; the rollback to ${prepared ? revisionName(prepared.previousTaskDefinitionArn) : 'the previous revision'} failed too (${why}): the service needs attention`;
    return { error: ROLLOUT_ERRORS.rollbackFailed, cause: JSON.stringify(failure), failure };
  }
  if (prepared) failure.liveTaskDefinitionArn = prepared.previousTaskDefinitionArn;
  failure.message = `${message}; nothing was changed`;
  // Before any change the execution fails with the error itself (BuildFailed, NotFound, ConcurrentOperation...).
  return { error: failure.error, cause: JSON.stringify(failure), failure };
}

/** `family:revision`, the part of a task-definition ARN a person reads. */
export function revisionName(taskDefinitionArn: string): string {
  return taskDefinitionArn.slice(taskDefinitionArn.lastIndexOf('/') + 1);
}

