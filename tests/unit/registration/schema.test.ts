import { InvalidEventError, parseEcsTask, parseTaskStateChange } from '../../../layers/domain/registration';
import { loadEvent } from '../../fixtures/events/load';
import { describedTask, taskOf } from './support';

describe('parseTaskStateChange', () => {
  it('parses every fixture of the real event shape', () => {
    for (const name of ['task-running', 'task-pending-proxy-running', 'task-unhealthy', 'task-desired-stopped', 'task-stopped', 'task-outside-mesh', 'task-unknown-fields', 'task-server-running', 'task-ingress-running'] as const) {
      const event = parseTaskStateChange(loadEvent(name));
      expect(event.source).toBe('aws.ecs');
      expect(event['detail-type']).toBe('ECS Task State Change');
      expect(event.resources).toEqual([event.detail.taskArn]);
    }
  });

  it('reads the fields the registration model needs', () => {
    const task = taskOf('task-running');
    expect(task).toMatchObject({
      taskArn: 'arn:aws:ecs:us-east-1:111122223333:task/cluster-1/4f9a1c2b8e7d4a6f9b0c1d2e3f4a5b6c',
      clusterArn: 'arn:aws:ecs:us-east-1:111122223333:cluster/cluster-1',
      group: 'service:users',
      lastStatus: 'RUNNING',
      desiredStatus: 'RUNNING',
      healthStatus: 'HEALTHY',
      version: 4,
      startedAt: '2026-11-24T10:15:30.812Z',
    });
    expect(task.containers.map((c) => c.name)).toEqual(['users', 'consul-dataplane']);
  });

  it('reads the stop fields of a stopped task', () => {
    const task = taskOf('task-stopped');
    expect(task).toMatchObject({
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
      stoppingAt: '2026-11-24T10:21:40.112Z',
      executionStoppedAt: '2026-11-24T10:21:45.903Z',
      stoppedAt: '2026-11-24T10:21:57.481Z',
    });
    expect(task.containers.map((c) => c.exitCode)).toEqual([1, 0]);
  });

  it('keeps fields it does not know instead of failing or dropping them', () => {
    const event = parseTaskStateChange(loadEvent('task-unknown-fields')) as unknown as Record<string, unknown> & { detail: Record<string, unknown> & { containers: Array<Record<string, unknown>> } };
    expect(event['replay-name']).toBe('archive-replay-1');
    expect(event.detail.taskRecoveryPolicy).toEqual({ mode: 'REPLACE', maxAttempts: 2 });
    expect(event.detail.containers[0].managedAgents).toEqual([{ name: 'ExecuteCommandAgent', lastStatus: 'RUNNING' }]);
  });

  it('names the path of what is wrong', () => {
    const wrongType = loadEvent('task-running');
    wrongType['detail-type'] = 'ECS Container Instance State Change';
    expect(() => parseTaskStateChange(wrongType)).toThrow(InvalidEventError);

    const noVersion = loadEvent('task-running');
    delete (noVersion.detail as Record<string, unknown>).version;
    (noVersion.detail as Record<string, unknown>).startedAt = 'yesterday';
    try {
      parseTaskStateChange(noVersion);
      throw new Error('expected InvalidEventError');
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidEventError);
      expect((error as InvalidEventError).name).toBe('InvalidEvent');
      expect((error as InvalidEventError).issues.map((i) => i.path).sort()).toEqual(['detail.startedAt', 'detail.version']);
    }
    expect(() => parseTaskStateChange(null)).toThrow(InvalidEventError);
  });
});

describe('parseEcsTask (DescribeTasks)', () => {
  it('normalises epoch seconds to the ISO timestamps events carry', () => {
    const described = describedTask();
    const fromEvent = taskOf('task-running');
    expect(described.createdAt).toBe(fromEvent.createdAt);
    expect(described.startedAt).toBe('2026-11-24T10:15:30.812Z');
  });

  it('accepts the Date objects the SDK returns', () => {
    const answer = loadEvent('describe-tasks-running') as { tasks: Array<Record<string, unknown>> };
    const task = { ...answer.tasks[0], startedAt: new Date('2026-11-24T10:15:30.812Z'), stoppingAt: undefined };
    expect(parseEcsTask(task).startedAt).toBe('2026-11-24T10:15:30.812Z');
  });

  it('refuses something that is not a task', () => {
    expect(() => parseEcsTask({ taskArn: 'not-an-arn' })).toThrow(InvalidEventError);
  });
});
