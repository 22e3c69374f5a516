import { ECSClient, StopTaskCommand } from '@aws-sdk/client-ecs';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import type { LocalCloud } from '@consul-mesh/local-cloud';
import { buildAclPlan } from '../../../layers/domain/consul/acl-policies';
import { MeshSpecSchema, type MeshSpec } from '../../../layers/domain/spec/schema';
import type { RecoveryResult } from '../../../layers/recovery/restore';
import type { SnapshotResult } from '../../../layers/recovery/snapshots';
import { scheduledEvent } from '../convergence/actions';
import { bootstrapTokenOf, deploy, referenceSpec, runningTaskArns, startCloud } from './harness';
import { waitUntil as until } from '../../support/wait';

const CTX = { region: 'us-east-1', accountId: '000000000000', requestId: 't' };
const SERVICES: Array<[cluster: string, service: string]> = [
  ['cluster-1', 'users'],
  ['cluster-1', 'activities'],
  ['cluster-2', 'todos'],
  ['cluster-2', 'notifications'],
];

/**
 * Every Consul server task of the deployed reference mesh stops at once: the new servers bootstrap an empty
 * datacenter. One tick of the recovery schedule (the reconcile's rate) restores what the mesh needs from SSM, with
 * the original SecretIDs, and registers the running tasks; the event path works again afterwards. Snapshots are off
 * here (`consul.snapshots.enabled: false`): the re-apply path alone (datacenter-loss-snapshot.test.ts has them on).
 */
describe('losing every Consul server at once (snapshots off: the re-apply path)', () => {
  let cloud: LocalCloud;
  let spec: MeshSpec;
  let management: string;

  beforeAll(async () => {
    cloud = await startCloud();
    const raw = referenceSpec((r) => {
      r.consul = { ...(r.consul as object), snapshots: { enabled: false } };
    });
    spec = MeshSpecSchema.parse(raw);
    const run = await deploy(cloud, raw);
    expect({ status: run.status, cause: run.cause }).toEqual({ status: 'SUCCEEDED', cause: undefined });
    management = await bootstrapTokenOf(cloud);
  }, 300_000);
  afterAll(async () => {
    await cloud?.stop();
  });

  const consulGet = async (path: string, token = management) => fetch(`${cloud.endpoints.consul}${path}`, { headers: { 'X-Consul-Token': token } });
  const secretOf = async (name: string): Promise<string> =>
    ((await cloud.ssm.operations.GetParameter({ Name: name, WithDecryption: true }, CTX)) as { Parameter: { Value: string } }).Parameter.Value;
  const configEntries = async () => {
    const entries: Array<Record<string, unknown>> = [];
    for (const kind of ['service-defaults', 'ingress-gateway', 'service-intentions']) {
      const listed = (await (await consulGet(`/v1/config/${kind}`)).json()) as Array<Record<string, unknown>>;
      entries.push(...listed.map(({ CreateIndex: _c, ModifyIndex: _m, ...rest }) => rest));
    }
    return entries.sort((a, b) => `${String(a.Kind)}/${String(a.Name)}`.localeCompare(`${String(b.Kind)}/${String(b.Name)}`));
  };
  const tokenViews = async () => {
    const views: Record<string, unknown> = {};
    for (const token of buildAclPlan(spec).tokens) {
      const response = await consulGet('/v1/acl/token/self', await secretOf(token.parameter));
      if (response.status !== 200) {
        views[token.role] = `${response.status} ${await response.text()}`;
        continue;
      }
      const self = (await response.json()) as { AccessorID: string; Policies?: Array<{ Name: string }>; ServiceIdentities?: Array<{ ServiceName: string }> };
      views[token.role] = { accessor: self.AccessorID, policies: (self.Policies ?? []).map((p) => p.Name).sort(), identities: (self.ServiceIdentities ?? []).map((s) => s.ServiceName) };
    }
    return views;
  };
  const registered = async (service: string): Promise<string[]> => {
    const entries = (await (await consulGet(`/v1/catalog/service/${service}`)).json()) as Array<{ ServiceMeta: Record<string, string> }>;
    return entries.map((e) => e.ServiceMeta['task-arn']).sort();
  };
  const running = (cluster: string, service: string) => runningTaskArns(cloud, cluster, service);

  it('restores tokens, policies, intentions and config entries within one tick, and the catalog equals the running tasks', async () => {
    const tokensBefore = await tokenViews();
    const entriesBefore = await configEntries();
    expect(entriesBefore.some((e) => e.Kind === 'service-intentions')).toBe(true);
    // The restored event, seen where EventBridge records deliveries to targets it does not run (SQS).
    const events = new EventBridgeClient({ endpoint: cloud.endpoints.aws, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    await events.send(new PutRuleCommand({ Name: 'restored', EventPattern: JSON.stringify({ source: ['consul-mesh'], 'detail-type': ['Consul Datacenter Restored'] }) }));
    await events.send(new PutTargetsCommand({ Rule: 'restored', Targets: [{ Id: 'q', Arn: 'arn:aws:sqs:us-east-1:000000000000:restored' }] }));
    const serverTasks = cloud.ecs.runningTasks('consul-server').map((t) => t.taskArn);
    // With snapshots off, the snapshot schedule stores nothing.
    expect(((await cloud.lambda.invoke('recoverDatacenter', { ...scheduledEvent(), action: 'snapshot' })) as SnapshotResult).status).toBe('disabled');

    const stop = await fetch(`${cloud.endpoints.aws}/_local/consul/stop-servers`, { method: 'POST' });
    const { stopped } = (await stop.json()) as { stopped: string[] };
    expect(stopped.sort()).toEqual(serverTasks.sort());
    await until('a new datacenter with a leader', () => cloud.consul.datacentersLost() === 1 && cloud.consul.raft().leader !== undefined);
    await cloud.settle();

    // The new datacenter knows nothing the mesh needs: its dataplanes' tokens are unknown.
    const lost = await tokenViews();
    expect(Object.values(lost).every((view) => typeof view === 'string' && view.includes('ACL not found'))).toBe(true);
    expect(await configEntries()).toEqual([]);

    // One tick of the schedule.
    const result = (await cloud.lambda.invoke('recoverDatacenter', scheduledEvent())) as RecoveryResult;
    await cloud.settle();

    expect(result).toMatchObject({ status: 'restored' });
    expect(result).not.toHaveProperty('snapshot');
    expect(await tokenViews()).toEqual(tokensBefore);
    expect(await configEntries()).toEqual(entriesBefore);
    for (const [cluster, service] of SERVICES) expect({ service, registered: await registered(service) }).toEqual({ service, registered: running(cluster, service) });
    expect((await consulGet(`/v1/kv/consul-mesh/${spec.name}/spec`)).status).toBe(200);
    const undeliverable = (await (await fetch(`${cloud.endpoints.aws}/_local/events/undeliverable`)).json()) as { records: Array<{ payload: { source: string; 'detail-type': string } }> };
    expect(undeliverable.records.map((r) => `${r.payload.source}/${r.payload['detail-type']}`)).toContain('consul-mesh/Consul Datacenter Restored');
    events.destroy();

    // The next tick finds the marker: nothing to do.
    expect(((await cloud.lambda.invoke('recoverDatacenter', scheduledEvent())) as RecoveryResult).status).toBe('intact');
  }, 180_000);

  it('deregisters a task stopped afterwards through the event path', async () => {
    const [victim] = running('cluster-1', 'users');
    const ecs = new ECSClient({ endpoint: cloud.endpoints.aws, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    await ecs.send(new StopTaskCommand({ cluster: 'cluster-1', task: victim, reason: 'after the restore' }));
    ecs.destroy();

    await until('the stopped task to leave the catalog', async () => !(await registered('users')).includes(victim));
    await until('its replacement to be registered', async () => (await registered('users')).length === spec.clusters[0].services[0].desiredCount);
  }, 120_000);
});
