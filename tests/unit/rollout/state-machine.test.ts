import { lambdaError, loadRolloutAsl, runRollout, type Json, type TaskHandler } from './asl';

const validator = require('asl-validator') as (definition: unknown) => { isValid: boolean };

/**
 * The rollout state machine, executed path by path with aws-local-stepfunctions (the local cloud's engine): each
 * function is a scripted handler, and each test asserts the states the execution went through.
 */

const INPUT = { rolloutId: 'r-20250304050607-k3x9q0', service: 'users', request: { image: 'users:1.1.0' }, settings: { pollSeconds: 0, maxRounds: 5 } };
const OLD = 'arn:aws:ecs:us-east-1:000000000000:task-definition/mesh-users:4';
const NEW = 'arn:aws:ecs:us-east-1:000000000000:task-definition/mesh-users:5';

function prepared(extra: Record<string, unknown> = {}) {
  return { service: 'users', cluster: 'cluster-1', previousTaskDefinitionArn: OLD, image: 'users:1.1.0', pollSeconds: 0, maxRounds: 5, bakeRounds: 2, bakeIntervalSeconds: 1, ...extra };
}
const check = (phase: string, ready: boolean, round: number, bakeRound = 0) => ({ phase, ready, round, bakeRound, waitingFor: ready ? '' : 'Consul registrations: 1/2 passing' });

/** A happy rollout; tests replace the handlers they are about. */
function handlers(overrides: Record<string, TaskHandler> = {}): Record<string, TaskHandler> {
  let stabilizeRounds = 0;
  return {
    rolloutPrepare: () => prepared(),
    rolloutRegister: (input) => ({ taskDefinitionArn: NEW, imageUri: input.imageUri, created: true, unchanged: false }),
    rolloutUpdate: () => check('stabilize', false, 0),
    rolloutCheck: ({ previous }) => {
      if (previous.phase === 'stabilize') return (stabilizeRounds += 1) < 2 ? check('stabilize', false, previous.round + 1) : check('bake', true, previous.round + 1);
      if (previous.phase === 'bake') return check('bake', true, previous.round, previous.bakeRound + 1);
      return check('rollback', true, previous.round + 1);
    },
    rolloutFinish: ({ revision }) => ({ liveTaskDefinitionArn: revision.taskDefinitionArn, previousTaskDefinitionArn: OLD }),
    rolloutRollback: () => check('rollback', false, 0),
    rolloutRecordFailure: (input) => ({
      error: input.outcome === 'rolledBack' ? 'RolledBack' : input.outcome === 'rollbackFailed' ? 'RollbackFailed' : input.error.Error,
      cause: JSON.stringify({ step: input.step, error: input.error.Error, outcome: input.outcome, rollbackError: input.rollbackError?.Error }),
    }),
    ...overrides,
  };
}

describe('the rollout state machine definition', () => {
  it('is valid ASL, JSONPath only, with a bounded round check before every wait loop and a Retry on Lambda service errors on every Task', () => {
    const { definition } = loadRolloutAsl();
    expect(validator(structuredClone(definition)).isValid).toBe(true);
    expect(definition.QueryLanguage).toBeUndefined();
    const states = definition.States as Record<string, Json>;
    for (const [name, state] of Object.entries(states)) {
      if (state.Type !== 'Task') continue;
      expect({ name, retried: state.Retry[0].ErrorEquals }).toEqual({ name, retried: expect.arrayContaining(['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException']) });
      expect({ name, caught: state.Catch?.[0]?.ErrorEquals }).toEqual({ name, caught: ['States.ALL'] });
    }
    // Every loop back to a Wait passes a Choice that leaves it once the rounds run out.
    expect(states['Stable?'].Choices.some((c: Json) => c.NumericGreaterThanEqualsPath === '$.prepared.maxRounds')).toBe(true);
    expect(states['RolledBack?'].Choices.some((c: Json) => c.NumericGreaterThanEqualsPath === '$.prepared.maxRounds')).toBe(true);
    expect(states['BuildRounds?'].Choices.some((c: Json) => c.NumericGreaterThanEqualsPath === '$.prepared.maxRounds')).toBe(true);
    expect(states['BakeDone?'].Choices.some((c: Json) => c.NumericGreaterThanEqualsPath === '$.prepared.bakeRounds')).toBe(true);
  });
});

describe('executing the rollout state machine', () => {
  it('rolls forward: register, update, wait until stable and passing, bake the given rounds, record the live revision', async () => {
    const run = await runRollout(INPUT, handlers());
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toEqual({ liveTaskDefinitionArn: NEW, previousTaskDefinitionArn: OLD });
    expect(run.states).toEqual([
      'Prepare', 'NeedsBuild?', 'GivenImage', 'Register', 'Update',
      'WaitStable', 'CheckStable', 'Stable?', 'WaitStable', 'CheckStable', 'Stable?',
      'BakeDone?', 'WaitBake', 'Verify', 'BakeDone?', 'WaitBake', 'Verify', 'BakeDone?',
      'Finish', 'RolledOut',
    ]);
    expect(run.invoked).not.toContain('rolloutRollback');
  });

  it('builds the image first when the request names a build context, and registers the built image', async () => {
    const job = { name: 'users', repository: 'mesh/users', tag: 'ctx-abc', context: 'docker/services/users', dockerfile: 'Dockerfile' };
    let registered = '';
    const run = await runRollout(
      INPUT,
      handlers({
        rolloutPrepare: () => prepared({ image: undefined, build: job }),
        ensureImage: ({ job: j }) => ({ name: j.name, status: 'IN_PROGRESS', imageUri: 'repo/mesh/users:ctx-abc', buildId: 'b-1', phase: 'SUBMITTED', round: 0 }),
        checkImageBuild: ({ build }) => ({ ...build, status: 'SUCCEEDED', built: true, round: build.round + 1 }),
        rolloutRegister: (input) => {
          registered = input.imageUri;
          return { taskDefinitionArn: NEW, imageUri: input.imageUri, created: true, unchanged: false };
        },
      }),
    );
    expect(run.status).toBe('SUCCEEDED');
    expect(run.states.slice(0, 8)).toEqual(['Prepare', 'NeedsBuild?', 'EnsureImage', 'ImageReady?', 'BuildRounds?', 'WaitBuild', 'CheckBuild', 'ImageReady?']);
    expect(registered).toBe('repo/mesh/users:ctx-abc');
  });

  it('changes nothing when the build fails: no update, no rollback, the build error is the execution\'s', async () => {
    const run = await runRollout(
      INPUT,
      handlers({
        rolloutPrepare: () => prepared({ image: undefined, build: { name: 'users', repository: 'r', tag: 't' } }),
        ensureImage: () => {
          throw lambdaError('BuildFailed', 'image build for users ended FAILED in phase BUILD');
        },
      }),
    );
    expect(run).toMatchObject({ status: 'FAILED', error: 'BuildFailed' });
    expect(run.states.slice(-3)).toEqual(['Failed:build', 'RecordFailureBeforeUpdate', 'RolloutFailed']);
    expect(run.invoked).not.toContain('rolloutUpdate');
    expect(run.invoked).not.toContain('rolloutRollback');
  });

  it('rolls back when ECS fails the new revision, waits until the old one is stable, and ends FAILED with RolledBack', async () => {
    const run = await runRollout(
      INPUT,
      handlers({
        rolloutCheck: ({ previous }) => {
          if (previous.phase === 'rollback') return check('rollback', true, previous.round + 1);
          throw lambdaError('DeploymentFailed', 'service users in cluster-1: deployment failed (circuit breaker)');
        },
      }),
    );
    expect(run).toMatchObject({ status: 'FAILED', error: 'RolledBack' });
    expect(JSON.parse(run.cause ?? '{}')).toEqual({ step: 'stabilize', error: 'DeploymentFailed', outcome: 'rolledBack' });
    expect(run.states.slice(-8)).toEqual(['CheckStable', 'RollBack:stabilize', 'Rollback', 'RollbackWait', 'RollbackCheck', 'RolledBack?', 'RecordRollback', 'RolledBack']);
  });

  it('rolls back a rollout that never becomes stable within its rounds (RolloutTimedOut)', async () => {
    const run = await runRollout(
      INPUT,
      handlers({ rolloutCheck: ({ previous }) => (previous.phase === 'rollback' ? check('rollback', true, 1) : check('stabilize', false, previous.round + 1)) }),
    );
    expect(run).toMatchObject({ status: 'FAILED', error: 'RolledBack' });
    expect(JSON.parse(run.cause ?? '{}')).toMatchObject({ step: 'stabilize', error: 'RolloutTimedOut' });
    expect(run.states.filter((s) => s === 'CheckStable')).toHaveLength(5);
    expect(run.states).toContain('StableTimedOut');
  });

  it('rolls back when the new tasks stop passing during the bake', async () => {
    const run = await runRollout(
      INPUT,
      handlers({
        rolloutCheck: ({ previous }) => {
          if (previous.phase === 'stabilize') return check('bake', true, 1);
          if (previous.phase === 'bake') throw lambdaError('RolloutUnhealthy', 'users became unhealthy during the bake');
          return check('rollback', true, 1);
        },
      }),
    );
    expect(run).toMatchObject({ status: 'FAILED', error: 'RolledBack' });
    expect(JSON.parse(run.cause ?? '{}')).toMatchObject({ step: 'bake', error: 'RolloutUnhealthy' });
  });

  it('ends RollbackFailed, saying so, when the rollback itself fails', async () => {
    const run = await runRollout(
      INPUT,
      handlers({
        rolloutUpdate: () => {
          throw lambdaError('InvalidParameterException', 'bad update');
        },
        rolloutRollback: () => {
          throw lambdaError('ServiceNotActiveException', 'the service is gone');
        },
      }),
    );
    expect(run).toMatchObject({ status: 'FAILED', error: 'RollbackFailed' });
    expect(JSON.parse(run.cause ?? '{}')).toEqual({ step: 'update', error: 'InvalidParameterException', outcome: 'rollbackFailed', rollbackError: 'ServiceNotActiveException' });
    expect(run.states.slice(-4)).toEqual(['RollBack:update', 'Rollback', 'RecordRollbackFailure', 'RollbackFailed']);
  });

  it('retries a throttled Lambda invocation instead of rolling back', async () => {
    let throttled = false;
    const happy = handlers();
    const run = await runRollout(
      INPUT,
      handlers({
        rolloutCheck: (input) => {
          if (!throttled) {
            throttled = true;
            throw lambdaError('Lambda.TooManyRequestsException', 'Rate exceeded');
          }
          return happy.rolloutCheck(input);
        },
      }),
    );
    expect(run.status).toBe('SUCCEEDED');
    expect(run.invoked).not.toContain('rolloutRollback');
  });
});
