import { GetExecutionHistoryCommand } from '@aws-sdk/client-sfn';
import type { LocalCloud } from '@consul-mesh/local-cloud';
import type { RecoveryResult } from '../../../layers/recovery/restore';
import { scheduledEvent } from '../convergence/actions';
import { bootstrapTokenOf, deploy, referenceSpec, sfnClient, startCloud, startDeployment, waitForDeployment } from './harness';
import { waitUntil as until } from '../../support/wait';

/**
 * A deployment that starts after every Consul server was lost, before the recovery's next tick: its Plan step sees a
 * datacenter with a leader but without the marker, of a mesh deployed before, and waits (`DatacenterRecovering`,
 * retried) instead of starting tasks whose dataplanes' tokens the new datacenter does not know. Once the tick has
 * restored the datacenter, the deployment goes on and succeeds, and its new tasks are registered.
 */
describe('a deployment started right after every Consul server was lost', () => {
  let cloud: LocalCloud;

  beforeAll(async () => {
    // Retries at 1/20 of their ASL intervals: Plan's wait for the restore (10 s × 60) lasts 30 s here.
    cloud = await startCloud({ stepFunctionsTimeScale: 0.05 });
    const run = await deploy(cloud, referenceSpec());
    expect({ status: run.status, cause: run.cause }).toEqual({ status: 'SUCCEEDED', cause: undefined });
  }, 300_000);
  afterAll(async () => {
    await cloud?.stop();
  });


  it('waits for the restore, then rolls the changed service and succeeds', async () => {
    await fetch(`${cloud.endpoints.aws}/_local/consul/stop-servers`, { method: 'POST' });
    await until('a new datacenter with a leader', () => cloud.consul.datacentersLost() === 1 && cloud.consul.raft().leader !== undefined);
    await cloud.settle();

    // A change that starts new tasks (one more users task), whose dataplanes need their tokens.
    const changed = referenceSpec((raw) => {
      raw.clusters[0].services[0].desiredCount = ((raw.clusters[0].services[0].desiredCount as number | undefined) ?? 1) + 1;
    });
    const executionArn = await startDeployment(cloud, changed);
    const sfn = sfnClient(cloud);
    // Until the Plan step waits for the restore (or the deployment has ended without waiting).
    await until('the Plan step to wait for the restore', async () => {
      const { events = [] } = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
      return JSON.stringify(events).includes('DatacenterRecovering') || events.some((e) => e.type === 'ExecutionFailed' || e.type === 'ExecutionSucceeded');
    }, 120_000);
    sfn.destroy();

    // The recovery's tick: the mesh lock is free (the Plan waits before taking it), so it restores, not defers.
    const restored = (await cloud.lambda.invoke('recoverDatacenter', scheduledEvent())) as RecoveryResult;
    expect(restored.status).toBe('restored');

    const run = await waitForDeployment(cloud, executionArn, { timeoutMs: 240_000 });
    expect({ status: run.status, error: run.error, cause: run.cause }).toEqual({ status: 'SUCCEEDED', error: undefined, cause: undefined });
    expect(JSON.stringify(run.history)).toContain('DatacenterRecovering');
    await cloud.settle();
    const management = await bootstrapTokenOf(cloud);
    const entries = (await (await fetch(`${cloud.endpoints.consul}/v1/catalog/service/users`, { headers: { 'X-Consul-Token': management } })).json()) as Array<{ ServiceMeta: Record<string, string> }>;
    const running = cloud.ecs.runningTasks('cluster-1').filter((t) => t.group === 'service:users').map((t) => t.taskArn).sort();
    expect(running).toHaveLength(((changed.clusters as Array<{ services: Array<{ desiredCount: number }> }>)[0].services[0].desiredCount));
    expect(entries.map((e) => e.ServiceMeta['task-arn']).sort()).toEqual(running);
  }, 300_000);
});
