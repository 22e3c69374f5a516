import { ECSClient, StopTaskCommand } from '@aws-sdk/client-ecs';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { LocalCloud } from '@consul-mesh/local-cloud';
import { buildAclPlan } from '../../../layers/domain/consul/acl-policies';
import { tombstoneKey } from '../../../layers/domain/registration/keys';
import { MeshSpecSchema, type MeshSpec } from '../../../layers/domain/spec/schema';
import type { RecoveryResult } from '../../../layers/recovery/restore';
import type { SnapshotResult } from '../../../layers/recovery/snapshots';
import { scheduledEvent } from '../convergence/actions';
import { bootstrapTokenOf, deploy, referenceSpec, startCloud } from './harness';
import { waitUntil as until } from '../../support/wait';

const CTX = { region: 'us-east-1', accountId: '000000000000', requestId: 't' };

/**
 * With snapshots on (the default), the snapshot schedule stores the servers' state in S3, and a restore after every
 * server was lost starts from the latest one: what only Consul held comes back (KV written by another client, the
 * tombstone of a stopped task), then the re-apply path fills in what the snapshot lacks and the reconcile registers
 * the running tasks.
 */
describe('losing every Consul server at once, with snapshots', () => {
  let cloud: LocalCloud;
  let spec: MeshSpec;
  let management: string;

  beforeAll(async () => {
    cloud = await startCloud();
    const raw = referenceSpec();
    spec = MeshSpecSchema.parse(raw);
    expect(spec.consul.snapshots.enabled).toBe(true);
    const run = await deploy(cloud, raw);
    expect({ status: run.status, cause: run.cause }).toEqual({ status: 'SUCCEEDED', cause: undefined });
    management = await bootstrapTokenOf(cloud);
  }, 300_000);
  afterAll(async () => {
    await cloud?.stop();
  });

  const consul = (path: string, init: RequestInit = {}, token = management) =>
    fetch(`${cloud.endpoints.consul}${path}`, { ...init, headers: { 'X-Consul-Token': token } });
  const secretOf = async (name: string): Promise<string> =>
    ((await cloud.ssm.operations.GetParameter({ Name: name, WithDecryption: true }, CTX)) as { Parameter: { Value: string } }).Parameter.Value;
  const registered = async (service: string): Promise<string[]> => {
    const entries = (await (await consul(`/v1/catalog/service/${service}`)).json()) as Array<{ ServiceMeta: Record<string, string> }>;
    return entries.map((e) => e.ServiceMeta['task-arn']).sort();
  };

  it('brings back KV written by another client and a stopped task\'s tombstone, then the re-apply and the reconcile', async () => {
    // Another client's KV (a team's feature flag), and a task stopped through ECS: its tombstone is KV too.
    expect((await consul('/v1/kv/teams/shop/flags', { method: 'PUT', body: 'checkout=on' })).status).toBe(200);
    const [victim] = cloud.ecs.runningTasks('cluster-1').filter((t) => t.group === 'service:users');
    const ecs = new ECSClient({ endpoint: cloud.endpoints.aws, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    await ecs.send(new StopTaskCommand({ cluster: 'cluster-1', task: victim.taskArn, reason: 'before the snapshot' }));
    ecs.destroy();
    const tombstone = tombstoneKey(spec, 'cluster-1', victim.taskArn.split('/').pop()!);
    await until('the stopped task\'s tombstone', async () => (await consul(`/v1/kv/${tombstone}`)).status === 200);
    await cloud.settle();

    // One tick of the snapshot schedule stores the state in the stack's bucket.
    const taken = (await cloud.lambda.invoke('recoverDatacenter', { ...scheduledEvent(), action: 'snapshot' })) as SnapshotResult;
    expect(taken).toMatchObject({ status: 'taken', key: expect.stringMatching(new RegExp(`^snapshots/${spec.name}/\\d{13}-.+\\.snap$`)) });
    const s3 = new S3Client({ endpoint: cloud.endpoints.aws, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: cloud.buckets.SnapshotBucket, Prefix: `snapshots/${spec.name}/` }));
    s3.destroy();
    expect(listed.Contents?.map((o) => o.Key)).toEqual([taken.status === 'taken' ? taken.key : '']);

    const tokensBefore: Record<string, number> = {};
    for (const token of buildAclPlan(spec).tokens) tokensBefore[token.role] = (await consul('/v1/acl/token/self', {}, await secretOf(token.parameter))).status;

    await fetch(`${cloud.endpoints.aws}/_local/consul/stop-servers`, { method: 'POST' });
    await until('a new datacenter with a leader', () => cloud.consul.datacentersLost() === 1 && cloud.consul.raft().leader !== undefined);
    await cloud.settle();
    expect((await consul('/v1/kv/teams/shop/flags')).status).toBe(404);
    // A fresh datacenter is never snapshotted: the stored latest stays the good one.
    expect(((await cloud.lambda.invoke('recoverDatacenter', { ...scheduledEvent(), action: 'snapshot' })) as SnapshotResult).status).toBe('not-marked');

    const result = (await cloud.lambda.invoke('recoverDatacenter', scheduledEvent())) as RecoveryResult;
    await cloud.settle();

    expect(result).toMatchObject({ status: 'restored', snapshot: taken.status === 'taken' ? taken.key : '' });
    const flags = await consul('/v1/kv/teams/shop/flags?raw');
    expect({ status: flags.status, value: await flags.text() }).toEqual({ status: 200, value: 'checkout=on' });
    expect((await consul(`/v1/kv/${tombstone}`)).status).toBe(200);
    const tokensAfter: Record<string, number> = {};
    for (const token of buildAclPlan(spec).tokens) tokensAfter[token.role] = (await consul('/v1/acl/token/self', {}, await secretOf(token.parameter))).status;
    expect(tokensAfter).toEqual(tokensBefore);
    expect((await consul(`/v1/kv/consul-mesh/${spec.name}/datacenter`)).status).toBe(200);
    const running = cloud.ecs.runningTasks('cluster-1').filter((t) => t.group === 'service:users').map((t) => t.taskArn).sort();
    expect(await registered('users')).toEqual(running);
    expect(running).not.toContain(victim.taskArn);

    // The next tick finds the marker; the next snapshot is of the restored datacenter.
    expect(((await cloud.lambda.invoke('recoverDatacenter', scheduledEvent())) as RecoveryResult).status).toBe('intact');
    expect(((await cloud.lambda.invoke('recoverDatacenter', { ...scheduledEvent(), action: 'snapshot' })) as SnapshotResult).status).toBe('taken');
  }, 180_000);
});
