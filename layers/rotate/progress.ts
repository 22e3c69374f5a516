import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { lambdaErrorMessage, parseJson } from '../executions/json';
import type { PreparedRotation, RotationCheck, RotationResult, StoredSecret } from './schemas';

/**
 * The progress of a rotation, read from its execution history (state-machines/rotate-secret.asl.json): which step
 * runs, and the state each `StateExited` event carries (the plan, the stored versions, the latest check, the result).
 */
export const ROTATION_STEPS = ['prepare', 'activate', 'store', 'wait', 'retire', 'finish'] as const;
export type RotationStepName = (typeof ROTATION_STEPS)[number];
export type RotationStepState = 'pending' | 'running' | 'done' | 'failed';

export interface RotationProgress {
  steps: Array<{ name: RotationStepName; state: RotationStepState }>;
  prepared?: PreparedRotation;
  stored?: StoredSecret;
  check?: RotationCheck;
  result?: RotationResult;
  failure?: { error?: string; cause?: string };
  lastTaskError?: { error: string; cause?: string };
}

export const ROTATION_STEP_OF: Record<string, RotationStepName> = {
  Prepare: 'prepare',
  Activate: 'activate',
  Store: 'store',
  // The CA's stages: each stores (or only rolls), then waits.
  CaBegin: 'store',
  CaNext: 'store',
  Rolling: 'wait',
  WaitRolled: 'wait',
  CheckRolled: 'wait',
  'Rolled?': 'wait',
  Retire: 'retire',
  CaDone: 'retire',
  Finish: 'finish',
};

/** The step a `Failed:<name>` state records: `Failed:store-ca` is a CA stage's failure of the store step. */
export function failedStep(name: string): RotationStepName {
  return name.replace(/-ca$/, '') as RotationStepName;
}

/** Reads a whole history (sorted by id here) into the rotation's progress. */
export function rotationProgress(events: readonly HistoryEvent[]): RotationProgress {
  const p: RotationProgress = { steps: ROTATION_STEPS.map((name) => ({ name, state: 'pending' })) };
  for (const event of [...events].sort((a, b) => (a.id ?? 0) - (b.id ?? 0))) {
    const entered = event.stateEnteredEventDetails?.name;
    if (entered !== undefined) {
      const step = ROTATION_STEP_OF[entered];
      if (step) enter(p, step);
      else if (entered.startsWith('Failed:')) fail(p, failedStep(entered.slice('Failed:'.length)));
      continue;
    }
    if (event.stateExitedEventDetails?.output) {
      readState(p, parseJson(event.stateExitedEventDetails.output));
      continue;
    }
    if (event.type === 'TaskFailed' || event.type === 'LambdaFunctionFailed') {
      const details = event.taskFailedEventDetails ?? event.lambdaFunctionFailedEventDetails;
      p.lastTaskError = { error: details?.error ?? event.type, cause: lambdaErrorMessage(details?.cause) };
    } else if (event.type === 'TaskSucceeded' || event.type === 'LambdaFunctionSucceeded') {
      delete p.lastTaskError;
    } else if (event.type === 'ExecutionSucceeded') {
      for (const s of p.steps) s.state = 'done';
    }
  }
  return p;
}

function enter(p: RotationProgress, step: RotationStepName): void {
  const index = ROTATION_STEPS.indexOf(step);
  p.steps.forEach((s, i) => {
    if (i < index) s.state = 'done';
    else if (i === index) s.state = 'running';
    // A CA rotation stores and waits once per stage: the wait of the stage before is over.
    else if (s.state === 'running') s.state = 'pending';
  });
}

function fail(p: RotationProgress, step: RotationStepName): void {
  const found = p.steps.find((s) => s.name === step);
  if (found) found.state = 'failed';
}

function readState(p: RotationProgress, state: unknown): void {
  if (typeof state !== 'object' || state === null) return;
  const s = state as Record<string, unknown>;
  if (s.prepared) p.prepared = s.prepared as PreparedRotation;
  if (s.stored) p.stored = s.stored as StoredSecret;
  if (s.check) p.check = s.check as RotationCheck;
  if (s.failure) p.failure = s.failure as { error?: string; cause?: string };
  // The execution's output is the result itself (OutputPath $.result).
  if (s.result) p.result = s.result as RotationResult;
}
