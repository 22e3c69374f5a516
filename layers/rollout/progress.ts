import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { PreparedRollout, RegisteredRevision, RolloutCheck, RolloutFailure, RolloutResult } from './types';
import { parseJson, recordOf, lambdaErrorMessage } from '../executions/json';

/**
 * The progress of a rollout, read from its execution history (state-machines/rollout-service.asl.json). The
 * state machine has no Map or Parallel state, so its events come in order, and each `StateExited` event carries
 * the whole state so far: the prepared rollout, the new revision and the latest check are read from there.
 */

export const ROLLOUT_STEPS = ['prepare', 'build', 'register', 'update', 'stabilize', 'bake', 'rollback'] as const;
export type RolloutStepName = (typeof ROLLOUT_STEPS)[number];
export type RolloutStepState = 'pending' | 'running' | 'done' | 'failed' | 'skipped';

export interface RolloutProgress {
  steps: Array<{ name: RolloutStepName; state: RolloutStepState }>;
  prepared?: PreparedRollout;
  revision?: RegisteredRevision;
  /** The latest round of the forward wait loops (stabilize, bake). */
  check?: RolloutCheck;
  /** The latest round of the rollback's wait loop. */
  rollback?: RolloutCheck;
  build?: { status: string; phase?: string; imageUri?: string };
  /** The last failed attempt of a task (it may have been retried). */
  lastTaskError?: { error: string; cause?: string };
  result?: RolloutResult;
  failure?: RolloutFailure;
  /** ExecutionFailed / TimedOut / Aborted details. */
  executionError?: { error?: string; cause?: string };
}

export const ROLLOUT_STEP_OF: Record<string, RolloutStepName> = {
  Prepare: 'prepare',
  'NeedsBuild?': 'build',
  EnsureImage: 'build',
  'ImageReady?': 'build',
  'BuildRounds?': 'build',
  WaitBuild: 'build',
  CheckBuild: 'build',
  BuildTimedOut: 'build',
  BuiltImage: 'build',
  Register: 'register',
  Update: 'update',
  WaitStable: 'stabilize',
  CheckStable: 'stabilize',
  'Stable?': 'stabilize',
  StableTimedOut: 'stabilize',
  'BakeDone?': 'bake',
  WaitBake: 'bake',
  Verify: 'bake',
  Rollback: 'rollback',
  RollbackWait: 'rollback',
  RollbackCheck: 'rollback',
  'RolledBack?': 'rollback',
  RollbackTimedOut: 'rollback',
};
const FORWARD = ROLLOUT_STEPS.filter((s) => s !== 'rollback');

/** Reads a whole history (any order; sorted by id here) into the rollout's progress. */
export function rolloutProgress(events: readonly HistoryEvent[]): RolloutProgress {
  const p: RolloutProgress = { steps: ROLLOUT_STEPS.map((name) => ({ name, state: 'pending' })) };
  for (const event of [...events].sort((a, b) => (a.id ?? 0) - (b.id ?? 0))) apply(p, event);
  return p;
}

function apply(p: RolloutProgress, event: HistoryEvent): void {
  const entered = event.stateEnteredEventDetails?.name;
  if (entered !== undefined) return enter(p, entered);
  if (event.stateExitedEventDetails?.output) return readState(p, parseJson(event.stateExitedEventDetails.output));
  switch (event.type) {
    case 'TaskFailed':
    case 'LambdaFunctionFailed': {
      const details = event.taskFailedEventDetails ?? event.lambdaFunctionFailedEventDetails;
      p.lastTaskError = { error: details?.error ?? event.type, cause: lambdaErrorMessage(details?.cause) };
      return;
    }
    case 'TaskSucceeded':
    case 'LambdaFunctionSucceeded':
      delete p.lastTaskError;
      return;
    case 'ExecutionSucceeded':
      p.result = recordOf(parseJson(event.executionSucceededEventDetails?.output)) as RolloutResult | undefined;
      for (const s of p.steps) {
        if (s.state === 'running') s.state = 'done';
        else if (s.state === 'pending') s.state = 'skipped';
      }
      return;
    case 'ExecutionFailed':
    case 'ExecutionTimedOut':
    case 'ExecutionAborted': {
      const details = event.executionFailedEventDetails ?? event.executionTimedOutEventDetails ?? event.executionAbortedEventDetails;
      p.executionError = { error: details?.error, cause: details?.cause };
      p.failure = parseFailure(details?.cause);
      const rolledBack = details?.error === 'RolledBack';
      for (const s of p.steps) {
        if (s.state === 'running') s.state = s.name === 'rollback' && rolledBack ? 'done' : 'failed';
        else if (s.state === 'pending') s.state = 'skipped';
      }
      return;
    }
    default:
      return;
  }
}

function enter(p: RolloutProgress, name: string): void {
  if (name === 'GivenImage') {
    step(p, 'build').state = 'skipped';
    return;
  }
  // `Failed:<step>` and `RollBack:<step>` are entered from a Catch: the step that was running failed.
  if (name.startsWith('Failed:') || name.startsWith('RollBack:') || name === 'RecordRollbackFailure') {
    for (const s of p.steps) if (s.state === 'running') s.state = 'failed';
    return;
  }
  const stepName = ROLLOUT_STEP_OF[name];
  if (!stepName) return;
  if (stepName !== 'rollback') {
    // The forward steps run in order: entering one means every earlier one has finished or was passed over.
    for (const earlier of FORWARD.slice(0, FORWARD.indexOf(stepName))) {
      const s = step(p, earlier);
      if (s.state === 'running') s.state = 'done';
      else if (s.state === 'pending') s.state = 'skipped';
    }
  }
  const s = step(p, stepName);
  if (s.state === 'pending') s.state = 'running';
}

/** The state as a state left it: what the steps so far produced. */
function readState(p: RolloutProgress, state: unknown): void {
  const s = recordOf(state);
  if (!s) return;
  const prepared = recordOf(s.prepared);
  if (prepared && typeof prepared.previousTaskDefinitionArn === 'string') p.prepared = prepared as unknown as PreparedRollout;
  const revision = recordOf(s.revision);
  if (revision && typeof revision.taskDefinitionArn === 'string') p.revision = revision as unknown as RegisteredRevision;
  const check = recordOf(s.check);
  if (check && typeof check.phase === 'string') p.check = check as unknown as RolloutCheck;
  const rollback = recordOf(s.rollback);
  if (rollback && typeof rollback.phase === 'string') p.rollback = rollback as unknown as RolloutCheck;
  const build = recordOf(s.build);
  if (build && typeof build.status === 'string') {
    p.build = { status: build.status, phase: typeof build.phase === 'string' ? build.phase : undefined, imageUri: typeof build.imageUri === 'string' ? build.imageUri : undefined };
  }
}

function step(p: RolloutProgress, name: RolloutStepName) {
  return p.steps.find((s) => s.name === name) as RolloutProgress['steps'][number];
}

/** Reads the failure JSON the rollout's RecordFailure states put in the execution's cause. */
export function parseFailure(cause: string | undefined): RolloutFailure | undefined {
  const f = recordOf(parseJson(cause));
  return f && typeof f.service === 'string' && typeof f.step === 'string' && typeof f.message === 'string' ? (f as unknown as RolloutFailure) : undefined;
}



