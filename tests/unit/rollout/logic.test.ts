import type { ECSClient } from '@aws-sdk/client-ecs';
import { createEcsApi } from '../../../layers/adapters/ecs';
import { createSsmApi } from '../../../layers/adapters/ssm';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { recordRolloutFailure, revisionName } from '../../../layers/rollout/finish';
import { isRolloutId, nameMatchesService, newRolloutId, parseRolloutExecutionName, rolloutExecutionName, rolloutLockName, SERVICE_PART_MAX } from '../../../layers/rollout/naming';
import { bakePlan } from '../../../layers/rollout/prepare';
import { rolloutProgress } from '../../../layers/rollout/progress';
import { buildRevision, registerRevision } from '../../../layers/rollout/register';
import type { PreparedRollout } from '../../../layers/rollout/types';
import { fakeClient } from '../api/support';

const OLD = 'arn:aws:ecs:us-east-1:000000000000:task-definition/mesh-users:4';
const NEW = 'arn:aws:ecs:us-east-1:000000000000:task-definition/mesh-users:5';

describe('rollout names', () => {
  it('puts the service and the id in the execution name, and reads them back', () => {
    const id = newRolloutId(new Date('2025-03-04T05:06:07Z'), () => 'k3x9q0');
    expect(id).toBe('r-20250304050607-k3x9q0');
    expect(isRolloutId(id)).toBe(true);
    expect(rolloutExecutionName('users', id)).toBe('users-20250304050607-k3x9q0');
    expect(parseRolloutExecutionName('users-20250304050607-k3x9q0')).toEqual({ servicePart: 'users', rolloutId: id });
    expect(rolloutLockName('mesh', 'users')).toBe('/consul-mesh/mesh/rollouts/users/lock');
  });

  it('cuts a long service name to fit 80 characters, and matches it only for that prefix', () => {
    const long = `s${'x'.repeat(61)}`;
    const name = rolloutExecutionName(long, 'r-20250304050607-k3x9q0');
    expect(name.length).toBeLessThanOrEqual(80);
    expect(nameMatchesService(name, long)).toBe(true);
    expect(nameMatchesService(name, 'users')).toBe(false);
    expect(SERVICE_PART_MAX).toBe(58);
    expect(() => rolloutExecutionName('users', 'd-20250304050607-k3x9q0')).toThrow(RangeError);
  });
});

describe('the bake plan', () => {
  it('checks every poll interval (at least a second) for as long as the bake lasts', () => {
    expect(bakePlan(30, 10)).toEqual({ seconds: 30, rounds: 3, intervalSeconds: 10 });
    expect(bakePlan(25, 10)).toEqual({ seconds: 25, rounds: 3, intervalSeconds: 10 });
    expect(bakePlan(5, 0)).toEqual({ seconds: 5, rounds: 5, intervalSeconds: 1 });
    expect(bakePlan(3, 60)).toEqual({ seconds: 3, rounds: 1, intervalSeconds: 3 });
    expect(bakePlan(0, 10)).toEqual({ seconds: 0, rounds: 0, intervalSeconds: 0 });
  });
});

describe('the new revision', () => {
  it('is the running one with the app container\'s image replaced and nothing else changed', () => {
    const current = {
      taskDefinitionArn: OLD,
      family: 'mesh-users',
      revision: 4,
      status: 'ACTIVE' as const,
      networkMode: 'awsvpc' as const,
      cpu: '256',
      memory: '512',
      executionRoleArn: 'arn:aws:iam::000000000000:role/exec',
      containerDefinitions: [
        { name: 'users', image: 'users:1.0.0', essential: true, environment: [{ name: 'A', value: '1' }] },
        { name: 'consul-dataplane', image: 'hashicorp/consul-dataplane:1.6.0', essential: true },
      ],
    };
    const wanted = buildRevision(current, 'users', 'users:1.1.0', [{ key: 'k', value: 'v' }]);
    expect(wanted).toEqual({
      family: 'mesh-users',
      networkMode: 'awsvpc',
      cpu: '256',
      memory: '512',
      executionRoleArn: 'arn:aws:iam::000000000000:role/exec',
      containerDefinitions: [
        { name: 'users', image: 'users:1.1.0', essential: true, environment: [{ name: 'A', value: '1' }] },
        { name: 'consul-dataplane', image: 'hashicorp/consul-dataplane:1.6.0', essential: true },
      ],
      tags: [{ key: 'k', value: 'v' }],
    });
    expect(() => buildRevision(current, 'todos', 'todos:2.0.0')).toThrow(/no container "todos"/);
  });

  it('runs with the services\' task role and the execution role it is given, not the running revision\'s', async () => {
    // A revision registered when every task ran with the servers' role: the rollout gives it the services' role.
    const running = {
      taskDefinitionArn: OLD,
      family: 'mesh-users',
      status: 'ACTIVE' as const,
      taskRoleArn: 'arn:aws:iam::000000000000:role/server-task',
      executionRoleArn: 'arn:aws:iam::000000000000:role/old-exec',
      containerDefinitions: [{ name: 'users', image: 'users:1.0.0', essential: true }],
    };
    const roles = { executionRoleArn: 'arn:aws:iam::000000000000:role/exec', taskRoleArn: 'arn:aws:iam::000000000000:role/service-task' };
    const ecs = fakeClient((c) => {
      if (c.constructor.name === 'DescribeTaskDefinitionCommand') return { taskDefinition: running, tags: [{ key: 'consul-mesh:mesh', value: 'mesh' }] };
      return { taskDefinition: { taskDefinitionArn: NEW } };
    });
    const prepared = { container: 'users', previousTaskDefinitionArn: OLD, desiredCount: 1, previousDesiredCount: 1 } as PreparedRollout;
    await expect(registerRevision(prepared, 'users:1.0.0', { ecs: createEcsApi(ecs as unknown as ECSClient), roles })).resolves.toMatchObject({ taskDefinitionArn: NEW, created: true });
    const registered = ecs.calls.find((c) => c.command === 'RegisterTaskDefinitionCommand')?.input;
    expect(registered).toMatchObject({ ...roles, tags: [{ key: 'consul-mesh:mesh', value: 'mesh' }] });

    // Once the running revision has those roles and the image, a retried step registers nothing.
    const current = fakeClient(() => ({ taskDefinition: { ...running, ...roles } }));
    await expect(registerRevision(prepared, 'users:1.0.0', { ecs: createEcsApi(current as unknown as ECSClient), roles })).resolves.toMatchObject({ taskDefinitionArn: OLD, created: false });
    expect(current.calls.map((c) => c.command)).toEqual(['DescribeTaskDefinitionCommand']);
  });
});

describe('the recorded failure', () => {
  const prepared = { service: 'users', cluster: 'cluster-1', previousTaskDefinitionArn: OLD, lockName: '/consul-mesh/mesh/rollouts/users/lock', lockHolder: 'exec-1' } as PreparedRollout;

  it('releases the service lock, says "rolled back" and which revision is live', async () => {
    const ssm = fakeClient((c) => (c.constructor.name === 'GetParameterCommand' ? { Parameter: { Value: JSON.stringify({ holder: 'exec-1', expiresAt: Date.now() + 1000 }) } } : {}));
    const ecs = fakeClient(() => ({ taskArns: [] }));
    const result = await recordRolloutFailure(
      {
        outcome: 'rolledBack',
        service: 'users',
        executionId: 'exec-1',
        step: 'stabilize',
        error: { Error: 'DeploymentFailed', Cause: JSON.stringify({ errorType: 'DeploymentFailed', errorMessage: 'service users in cluster-1: deployment failed; task stopped: exit 1' }) },
        prepared,
        revision: { taskDefinitionArn: NEW, imageUri: 'users:fail-crash', created: true, unchanged: false },
      },
      { ssm: createSsmApi(ssm as never), ecs: ecs as never, meshName: 'mesh' },
    );
    expect(result.error).toBe('RolledBack');
    expect(JSON.parse(result.cause)).toEqual({
      service: 'users',
      step: 'stabilize',
      error: 'DeploymentFailed',
      message: 'service users in cluster-1: deployment failed; task stopped: exit 1; rolled back to mesh-users:4',
      rolledBack: true,
      liveTaskDefinitionArn: OLD,
      failedTaskDefinitionArn: NEW,
    });
    expect(ssm.calls.map((c) => c.command)).toEqual(['GetParameterCommand', 'DeleteParameterCommand']);
    expect(revisionName(NEW)).toBe('mesh-users:5');
  });

  it('keeps the error name of a rollout that failed before changing anything', async () => {
    const ssm = fakeClient((c) => {
      if (c.constructor.name === 'GetParameterCommand') throw Object.assign(new Error('none'), { name: 'ParameterNotFound' });
      return {};
    });
    const result = await recordRolloutFailure(
      { outcome: 'failed', service: 'users', executionId: 'exec-1', step: 'prepare', error: { Error: 'ConcurrentOperation', Cause: 'a deployment of mesh "mesh" is running' } },
      { ssm: createSsmApi(ssm as never), ecs: fakeClient() as never, meshName: 'mesh' },
    );
    expect(result.error).toBe('ConcurrentOperation');
    expect(JSON.parse(result.cause)).toMatchObject({ step: 'prepare', rolledBack: false, message: 'a deployment of mesh "mesh" is running; nothing was changed' });
    expect(ssm.calls[0].input).toEqual({ Name: '/consul-mesh/mesh/rollouts/users/lock' });
  });
});

describe('rollout progress from the history', () => {
  let id = 0;
  const entered = (name: string): HistoryEvent => ({ id: ++id, type: 'TaskStateEntered', timestamp: new Date(), stateEnteredEventDetails: { name } });
  const exited = (name: string, output: unknown): HistoryEvent => ({ id: ++id, type: 'TaskStateExited', timestamp: new Date(), stateExitedEventDetails: { name, output: JSON.stringify(output) } });

  it('follows the steps, reads the revisions and the latest check, and marks the rollback done when it rolled back', () => {
    id = 0;
    const state = { prepared: { previousTaskDefinitionArn: OLD, cluster: 'cluster-1' }, revision: { taskDefinitionArn: NEW } };
    const events: HistoryEvent[] = [
      { id: ++id, type: 'ExecutionStarted', timestamp: new Date() },
      entered('Prepare'),
      exited('Prepare', { prepared: state.prepared }),
      entered('NeedsBuild?'),
      entered('GivenImage'),
      entered('Register'),
      exited('Register', state),
      entered('Update'),
      entered('CheckStable'),
      exited('CheckStable', { ...state, check: { phase: 'stabilize', round: 2, waitingFor: 'ECS', ready: false } }),
    ];
    const running = rolloutProgress(events);
    expect(running.steps.map((s) => `${s.name}:${s.state}`)).toEqual(['prepare:done', 'build:skipped', 'register:done', 'update:done', 'stabilize:running', 'bake:pending', 'rollback:pending']);
    expect(running.revision?.taskDefinitionArn).toBe(NEW);
    expect(running.check).toMatchObject({ round: 2, waitingFor: 'ECS' });

    events.push(entered('RollBack:stabilize'), entered('Rollback'), entered('RollbackCheck'), {
      id: ++id,
      type: 'ExecutionFailed',
      timestamp: new Date(),
      executionFailedEventDetails: { error: 'RolledBack', cause: JSON.stringify({ service: 'users', step: 'stabilize', error: 'DeploymentFailed', message: 'x; rolled back to mesh-users:4', rolledBack: true }) },
    });
    const ended = rolloutProgress(events);
    expect(ended.steps.map((s) => `${s.name}:${s.state}`)).toEqual(['prepare:done', 'build:skipped', 'register:done', 'update:done', 'stabilize:failed', 'bake:skipped', 'rollback:done']);
    expect(ended.failure).toMatchObject({ step: 'stabilize', rolledBack: true });
  });
});
