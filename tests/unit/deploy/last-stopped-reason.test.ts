import type { Task } from '@aws-sdk/client-ecs';
import { lastStoppedReason, type StoppedReasonEcs } from '../../../layers/deploy/stage';

function ecsWith(tasks: Task[]): StoppedReasonEcs {
  return {
    listTaskArns: async () => tasks.map((t) => t.taskArn ?? ''),
    describeTasks: async () => tasks,
  } as unknown as StoppedReasonEcs;
}

const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds));

describe('lastStoppedReason: why a deployment failed, from its stopped tasks', () => {
  it('names the newest task that failed on its own, not one the scheduler stopped in the rollback after it', async () => {
    const reason = await lastStoppedReason(
      'c',
      's',
      ecsWith([
        { taskArn: 'a', stoppedAt: at(1), stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited', containers: [{ name: 'app', exitCode: 1 }] },
        { taskArn: 'b', stoppedAt: at(5), stopCode: 'ServiceSchedulerInitiated', stoppedReason: 'Scaling activity initiated by (deployment ecs-svc/1)', containers: [{ name: 'app', exitCode: 0 }] },
      ]),
    );
    expect(reason).toBe('EssentialContainerExited: Essential container in task exited: container app exited with code 1');
  });

  it('falls back to the newest stopped task when none failed on its own', async () => {
    const reason = await lastStoppedReason(
      'c',
      's',
      ecsWith([
        { taskArn: 'a', stoppedAt: at(1), stopCode: 'UserInitiated', stoppedReason: 'stopped by hand' },
        { taskArn: 'b', stoppedAt: at(5), stopCode: 'ServiceSchedulerInitiated', stoppedReason: 'Scaling activity' },
      ]),
    );
    expect(reason).toBe('ServiceSchedulerInitiated: Scaling activity');
  });
});
