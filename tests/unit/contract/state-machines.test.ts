/**
 * The contract between the ASL files (what runs on AWS and locally) and the code that reads their executions:
 * every state a progress view maps exists in its state machine, every state is either mapped or deliberately left
 * out (listed here, so a new state forces a decision), and every error name a Retry/Catch matches is one that a
 * Lambda of this repository throws (or one AWS or Step Functions itself raises).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TEARDOWN_STATE_STAGE } from '../../../layers/deploy/teardown-progress';
import { DEPLOY_STATE_STAGE, DEPLOY_TASK_STATES, FAILED_STAGE } from '../../../layers/executions/progress';
import * as meshErrors from '../../../layers/errors';
import { ERROR_NAMES } from '../../../layers/errors';
import { ROLLOUT_STEP_OF } from '../../../layers/rollout/progress';
import { failedStep, ROTATION_STEP_OF } from '../../../layers/rotate/progress';
import { REPO_ROOT } from '../docker/docker-files';

interface AslState {
  Type: string;
  Error?: string;
  Retry?: Array<{ ErrorEquals: string[] }>;
  Catch?: Array<{ ErrorEquals: string[] }>;
  Branches?: AslMachine[];
  ItemProcessor?: AslMachine;
}
interface AslMachine {
  States: Record<string, AslState>;
}

/** Every state of a machine, nested Map and Parallel states included (their names share one namespace in ASL). */
function statesOf(file: string): Map<string, AslState> {
  const machine = JSON.parse(readFileSync(join(REPO_ROOT, 'state-machines', file), 'utf8')) as AslMachine;
  const states = new Map<string, AslState>();
  const walk = (m: AslMachine): void => {
    for (const [name, state] of Object.entries(m.States)) {
      states.set(name, state);
      for (const branch of state.Branches ?? []) walk(branch);
      if (state.ItemProcessor) walk(state.ItemProcessor);
    }
  };
  walk(machine);
  return states;
}

/** The `name` of every error class a module exports (each sets it as a field, so it is read from an instance). */
function errorNames(module: Record<string, unknown>): string[] {
  return Object.values(module)
    .filter((v): v is new (...args: unknown[]) => Error => typeof v === 'function' && v.prototype instanceof Error)
    .map((ErrorClass) => new ErrorClass([]).name);
}

const MACHINES = [
  {
    file: 'deploy-mesh.asl.json',
    mapped: DEPLOY_STATE_STAGE,
    // Entry, routing and terminal states outside any stage; `Failed:<stage>` states are checked against FAILED_STAGE.
    unmapped: ['Start', 'HasMeshGateway?', 'HasPeering?', 'HasIngress?', 'HasRemovals?', 'ClusterFailed', 'Deployed', 'RecordFailure', 'DeploymentFailed', 'FailedUnrecorded'],
    failedStages: Object.keys(FAILED_STAGE) as readonly string[],
  },
  {
    file: 'destroy-mesh.asl.json',
    mapped: TEARDOWN_STATE_STAGE,
    unmapped: ['Start', 'Destroyed', 'RecordFailure', 'DestroyFailed', 'FailedUnrecorded'],
    failedStages: Object.values(TEARDOWN_STATE_STAGE) as readonly string[],
  },
  {
    file: 'rollout-service.asl.json',
    mapped: ROLLOUT_STEP_OF,
    // The image given by the request skips the build; the Finish/Record states report through their output.
    unmapped: ['NeedsBuild?', 'GivenImage', 'Finish', 'RolledOut', 'FinishUnrecorded', 'RollBack:update', 'RollBack:stabilize', 'RollBack:bake', 'RecordRollback', 'RolledBack', 'RecordRollbackFailure', 'RollbackFailed', 'RecordFailure', 'RecordFailureBeforeUpdate', 'RolloutFailed', 'FailedUnrecorded'],
    failedStages: Object.values(ROLLOUT_STEP_OF) as readonly string[],
  },
  {
    file: 'rotate-secret.asl.json',
    mapped: ROTATION_STEP_OF,
    // The routing between the kinds (gossip key and tokens, or the CA's stages) belongs to no step.
    unmapped: ['Kind?', 'Stages?', 'CaStages?', 'Rotated', 'RecordFailure', 'RecordFailurePrepared', 'RecordFailureStored', 'RotationFailed', 'FailedUnrecorded'],
    failedStages: Object.values(ROTATION_STEP_OF) as readonly string[],
    failedStageOf: failedStep,
  },
];

describe.each(MACHINES)('$file and the code that reads its executions', ({ file, mapped, unmapped, failedStages, ...machine }) => {
  // How the progress view reads a `Failed:<name>` state's name (as it is, unless the machine says otherwise).
  const failedStageOf: (name: string) => string = ('failedStageOf' in machine ? machine.failedStageOf : undefined) ?? ((name) => name);
  const states = statesOf(file);

  it('maps only states the machine has', () => {
    expect(Object.keys(mapped).filter((name) => !states.has(name))).toEqual([]);
    expect(unmapped.filter((name) => !states.has(name))).toEqual([]);
  });

  it('maps every state, or leaves it out on purpose', () => {
    const unaccounted = [...states.keys()].filter((name) => !(name in mapped) && !unmapped.includes(name) && !name.startsWith('Failed:'));
    expect(unaccounted).toEqual([]);
  });

  it('records failures only of stages the progress view knows', () => {
    const failed = [...states.keys()].filter((name) => name.startsWith('Failed:')).map((name) => failedStageOf(name.slice('Failed:'.length)));
    expect(failed.filter((stage) => !failedStages.includes(stage))).toEqual([]);
  });

  it('retries and catches only errors that exist', () => {
    const thrown = new Set(errorNames(meshErrors as unknown as Record<string, unknown>));
    // Raised by Step Functions (States.*), by the Lambda service around an invocation (Lambda.*), or by an AWS API
    // a step calls and lets through after the SDK's retries.
    const external = (name: string): boolean => name.startsWith('States.') || name.startsWith('Lambda.') || name === 'ThrottlingException';
    const matched = [...states.values()].flatMap((s) => [...(s.Retry ?? []), ...(s.Catch ?? [])].flatMap((r) => r.ErrorEquals));
    expect([...new Set(matched)].filter((name) => !external(name) && !thrown.has(name))).toEqual([]);
  });
});

describe('the deploy progress view', () => {
  it('knows every Task state of the deploy machine, whose attempts fail and are retried (the failure recorder aside)', () => {
    const tasks = [...statesOf('deploy-mesh.asl.json')].filter(([name, s]) => s.Type === 'Task' && name !== 'RecordFailure').map(([name]) => name);
    expect([...DEPLOY_TASK_STATES].sort()).toEqual(tasks.sort());
  });
});

describe('ERROR_NAMES', () => {
  it('lists exactly the names of the errors of layers/errors.ts', () => {
    expect([...ERROR_NAMES].sort()).toEqual(errorNames(meshErrors as unknown as Record<string, unknown>).sort());
  });
});
