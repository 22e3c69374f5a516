import { createPublicKey, X509Certificate } from 'node:crypto';
import { DescribeExecutionCommand, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { LocalCloud } from '../../../local/cloud';
import { tokenAccessorId, tokenAccessorIdForVersion } from '../../../layers/domain/consul/acl-policies';
import { bootstrapTokenOf, deploy, referenceSpec, sfnClient, startCloud, writeCalls } from './harness';

/**
 * Rotating secrets of a DEPLOYED reference mesh through the rotation state machine, on the local cloud: the same
 * ASL, handlers and serverless.yml as on AWS. Each rotation must add an SSM version, replace every task that reads
 * the secret after that version was written, keep Consul's leader and every registration passing, and retire the old
 * secret; a deployment afterwards writes nothing.
 */
const CTX = { region: 'us-east-1', accountId: '000000000000', requestId: 't' };
const PREFIX = '/consul-mesh/reference-mesh/secrets';

describe('rotating the secrets of a deployed mesh', () => {
  let cloud: LocalCloud;
  let sfn: SFNClient;
  let counter = 0;

  beforeAll(async () => {
    cloud = await startCloud();
    sfn = sfnClient(cloud);
    const run = await deploy(cloud, referenceSpec());
    expect({ status: run.status, cause: run.cause }).toEqual({ status: 'SUCCEEDED', cause: undefined });
  }, 120_000);

  afterAll(async () => {
    sfn?.destroy();
    await cloud?.stop();
  });

  async function rotate(secret: string, wait = true): Promise<{ status: string; error?: string; cause?: string; output?: Record<string, unknown>; executionArn: string }> {
    counter += 1;
    const rotationId = `s-20261206000000-test${String(counter).padStart(2, '0')}`;
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: cloud.stateMachines.rotateSecret,
        name: rotationId,
        input: JSON.stringify({ rotationId, request: { secret }, settings: { pollSeconds: 0, maxRounds: 1000 } }),
      }),
    );
    const deadline = Date.now() + 90_000;
    let described;
    do {
      await new Promise((r) => setTimeout(r, 50));
      described = await sfn.send(new DescribeExecutionCommand({ executionArn: executionArn! }));
    } while (wait && described.status === 'RUNNING' && Date.now() < deadline);
    return {
      status: described.status ?? 'UNKNOWN',
      error: described.error,
      cause: described.cause,
      output: described.output ? JSON.parse(described.output) : undefined,
      executionArn: executionArn!,
    };
  }

  async function parameter(name: string): Promise<{ Value: string; Version: number; LastModifiedDate: Date }> {
    const { Parameter } = (await cloud.ssm.operations.GetParameter({ Name: name, WithDecryption: true }, CTX)) as {
      Parameter: { Value: string; Version: number; LastModifiedDate: Date | number };
    };
    const at = Parameter.LastModifiedDate;
    return { ...Parameter, LastModifiedDate: at instanceof Date ? at : new Date(Number(at) * 1000) };
  }

  async function lockHeld(): Promise<boolean> {
    return Promise.resolve()
      .then(() => cloud.ssm.operations.GetParameter({ Name: '/consul-mesh/reference-mesh/lock' }, CTX))
      .then(
        () => true,
        () => false,
      );
  }

  async function runningTasks(cluster: string, service: string): Promise<Array<{ taskArn: string; createdAt: Date }>> {
    const ecs = cloud.ecs.provider.operations;
    const { taskArns } = (await ecs.ListTasks({ cluster, serviceName: service, desiredStatus: 'RUNNING' }, CTX)) as { taskArns: string[] };
    if (taskArns.length === 0) return [];
    const { tasks } = (await ecs.DescribeTasks({ cluster, tasks: taskArns }, CTX)) as { tasks: Array<{ taskArn: string; lastStatus: string; createdAt: number | Date }> };
    return tasks
      .filter((t) => t.lastStatus === 'RUNNING')
      .map((t) => ({ taskArn: t.taskArn, createdAt: t.createdAt instanceof Date ? t.createdAt : new Date(Number(t.createdAt) * 1000) }));
  }

  async function consul(path: string, token?: string): Promise<Response> {
    return fetch(`${cloud.endpoints.consul}${path}`, { headers: { 'X-Consul-Token': token ?? (await bootstrapTokenOf(cloud)) } });
  }

  /** A leader, and every service of the spec with as many passing instances as it runs tasks. */
  async function expectHealthyMesh(): Promise<void> {
    expect(await (await consul('/v1/status/leader')).json()).toMatch(/^10\.\d+\.\d+\.\d+:8300$/);
    const expected: Record<string, number> = { users: 2, activities: 2, todos: 2, notifications: 1, 'ingress-gateway': 1 };
    for (const [service, count] of Object.entries(expected)) {
      const passing = (await (await consul(`/v1/health/service/${service}?passing`)).json()) as unknown[];
      expect({ service, passing: passing.length }).toEqual({ service, passing: count });
    }
  }

  it('gossip key: a new SSM version, every server replaced after it, only the new key on the servers, the mesh healthy', async () => {
    const before = await parameter(`${PREFIX}/gossip-key`);
    const oldServers = await runningTasks('consul-server', 'consul-server');
    // Sample the servers' keyrings throughout the roll: never two primary keys (servers that cannot read each other).
    const root = await bootstrapTokenOf(cloud);
    const primaries = new Set<number>();
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const rings = (await (await consul('/v1/operator/keyring', root)).json()) as Array<{ PrimaryKeys: Record<string, number> }>;
        for (const ring of rings) primaries.add(Object.keys(ring.PrimaryKeys).length);
        await new Promise((r) => setTimeout(r, 2));
      }
    })();

    const run = await rotate('gossip-key');
    sampling = false;
    await sampler;

    expect({ status: run.status, error: run.error, cause: run.cause }).toEqual({ status: 'SUCCEEDED', error: undefined, cause: undefined });
    const after = await parameter(`${PREFIX}/gossip-key`);
    expect(after.Version).toBe(before.Version + 1);
    expect(after.Value).not.toBe(before.Value);
    const servers = await runningTasks('consul-server', 'consul-server');
    expect(servers).toHaveLength(3);
    for (const task of servers) {
      expect(oldServers.map((t) => t.taskArn)).not.toContain(task.taskArn);
      expect(task.createdAt.getTime()).toBeGreaterThanOrEqual(Math.floor(after.LastModifiedDate.getTime() / 1000) * 1000);
    }
    expect([...primaries]).toEqual([1]);
    await cloud.settle();
    const rings = (await (await consul('/v1/operator/keyring')).json()) as Array<{ WAN: boolean; Keys: Record<string, number>; PrimaryKeys: Record<string, number>; NumNodes: number }>;
    for (const ring of rings) expect(ring).toMatchObject({ Keys: { [after.Value]: 3 }, PrimaryKeys: { [after.Value]: 3 }, NumNodes: 3 });
    await expectHealthyMesh();
    expect(run.output).toMatchObject({ secret: 'gossip-key', previousVersion: before.Version, version: after.Version, replaced: { 'consul-server/consul-server': 3 } });
  }, 120_000);

  it('a dataplane token: a new SSM version and Consul token, the service\'s tasks replaced after it, the old token no longer works', async () => {
    const name = `${PREFIX}/acl/dataplane/users`;
    const before = await parameter(name);
    const oldTasks = await runningTasks('cluster-1', 'users');
    const otherTasks = await runningTasks('cluster-1', 'activities');
    expect((await consul('/v1/acl/token/self', before.Value)).status).toBe(200);

    const run = await rotate('acl-token/dataplane/users');

    expect({ status: run.status, error: run.error, cause: run.cause }).toEqual({ status: 'SUCCEEDED', error: undefined, cause: undefined });
    const after = await parameter(name);
    expect(after.Version).toBe(before.Version + 1);
    const tasks = await runningTasks('cluster-1', 'users');
    expect(tasks).toHaveLength(2);
    for (const task of tasks) {
      expect(oldTasks.map((t) => t.taskArn)).not.toContain(task.taskArn);
      expect(task.createdAt.getTime()).toBeGreaterThanOrEqual(Math.floor(after.LastModifiedDate.getTime() / 1000) * 1000);
    }
    // Only the readers of that token were replaced.
    expect((await runningTasks('cluster-1', 'activities')).map((t) => t.taskArn).sort()).toEqual(otherTasks.map((t) => t.taskArn).sort());
    const old = await consul('/v1/acl/token/self', before.Value);
    expect(old.status).toBe(403);
    expect(await old.text()).toBe('ACL not found');
    const current = (await (await consul('/v1/acl/token/self', after.Value)).json()) as { AccessorID: string; ServiceIdentities: Array<{ ServiceName: string }> };
    expect(current.AccessorID).toBe(tokenAccessorIdForVersion({ name: 'reference-mesh' }, 'dataplane/users', after.Version));
    expect(current.ServiceIdentities).toEqual([{ ServiceName: 'users' }]);
    expect((await consul(`/v1/acl/token/${tokenAccessorId({ name: 'reference-mesh' }, 'dataplane/users')}`)).status).toBe(404);
    await cloud.settle();
    await expectHealthyMesh();
  }, 120_000);

  it('the servers\' agent token: rolled through the servers, the old one deleted, a leader throughout the end state', async () => {
    const name = `${PREFIX}/acl/agent-token`;
    const before = await parameter(name);

    const run = await rotate('acl-token/server-agent');

    expect({ status: run.status, cause: run.cause }).toEqual({ status: 'SUCCEEDED', cause: undefined });
    const after = await parameter(name);
    expect(after.Version).toBe(before.Version + 1);
    expect((await consul('/v1/acl/token/self', before.Value)).status).toBe(403);
    expect((await consul('/v1/acl/token/self', after.Value)).status).toBe(200);
    await cloud.settle();
    await expectHealthyMesh();
  }, 120_000);

  it('refuses the TLS CA (not supported yet) and changes nothing: the CA certificate still matches its key', async () => {
    const run = await rotate('ca');

    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('RotationNotSupported');
    expect(JSON.parse(run.cause!).message).toContain('rotating the TLS CA is not supported yet');
    const cert = await parameter(`${PREFIX}/tls/ca-cert`);
    const key = await parameter(`${PREFIX}/tls/ca-key`);
    expect([cert.Version, key.Version]).toEqual([1, 1]);
    expect(new X509Certificate(cert.Value).publicKey.export({ type: 'spki', format: 'pem' })).toBe(createPublicKey(key.Value).export({ type: 'spki', format: 'pem' }));
    expect(await lockHeld()).toBe(false);
  }, 60_000);

  it('a deployment after the rotations changes nothing: no write at ECS, CodeBuild, ECR, Consul, and none to a secret', async () => {
    cloud.aws.resetCallCounts();
    const consulWrites = cloud.consul.writeCount();

    const run = await deploy(cloud, referenceSpec());

    expect({ status: run.status, cause: run.cause }).toEqual({ status: 'SUCCEEDED', cause: undefined });
    expect(writeCalls(cloud.aws.callCounts())).toEqual({});
    const ssmWrites = Object.entries(cloud.aws.callCounts()).filter(([target]) => /^AmazonSSM\.(Put|Delete|Label|Unlabel|AddTags)/.test(target));
    expect(Object.fromEntries(ssmWrites)).toEqual({ 'AmazonSSM.PutParameter': 1, 'AmazonSSM.DeleteParameter': 1 });
    expect(Object.keys(cloud.aws.callCounts()).filter((t) => /^AmazonEC2ContainerRegistry_V20150921\.(Create|Put|Delete|Tag)/.test(t))).toEqual([]);
    expect(cloud.consul.writeCount() - consulWrites).toBe(0);
    expect(run.output!.noChange).toBe(true);
  }, 120_000);

  it('is refused while a deployment runs, naming the deployment that holds the lock', async () => {
    const sfnDeploy = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: cloud.stateMachines.deployMesh,
        name: 'reference-mesh-d-rotate-refused',
        input: JSON.stringify({ deploymentId: 'd-rotate-refused', spec: referenceSpec(), settings: { pollSeconds: 0, maxRounds: 400 } }),
      }),
    );
    // Wait until the deployment holds the mesh lock.
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (await lockHeld()) break;
      await new Promise((r) => setTimeout(r, 5));
    }

    const run = await rotate('gossip-key');

    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('ConcurrentOperation');
    expect(run.cause).toContain(sfnDeploy.executionArn);
    let described;
    do {
      await new Promise((r) => setTimeout(r, 50));
      described = await sfn.send(new DescribeExecutionCommand({ executionArn: sfnDeploy.executionArn! }));
    } while (described.status === 'RUNNING');
    expect(described.status).toBe('SUCCEEDED');
    expect((await parameter(`${PREFIX}/gossip-key`)).Version).toBe(2);
  }, 120_000);
});
