import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { DescribeExecutionCommand, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { LocalCloud } from '@consul-mesh/local-cloud';
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
    // A first deployment ends only once its servers are HEALTHY (their health check needs the agent token its ACL step
    // made known): a roll right after it, as these rotations are, must not find them all still unhealthy and replace
    // all three at once (ECS counts a task whose health is UNKNOWN as not healthy).
    const ecs = cloud.ecs.provider.operations;
    const { taskArns } = (await ecs.ListTasks({ cluster: 'consul-server', serviceName: 'consul-server', desiredStatus: 'RUNNING' }, CTX)) as { taskArns: string[] };
    const { tasks } = (await ecs.DescribeTasks({ cluster: 'consul-server', tasks: taskArns }, CTX)) as { tasks: Array<{ healthStatus?: string }> };
    expect(tasks.map((t) => t.healthStatus)).toEqual(['HEALTHY', 'HEALTHY', 'HEALTHY']);
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
    const deadline = Date.now() + 150_000;
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

  it('the TLS CA: trust old and new, re-issue the servers, drop the old CA; no two members ever distrust each other, a leader and every service registered throughout', async () => {
    const before = { cert: await parameter(`${PREFIX}/tls/ca-cert`), key: await parameter(`${PREFIX}/tls/ca-key`) };
    const oldCa = new X509Certificate(before.cert.Value).fingerprint256;
    const readers: Array<[string, string]> = [
      ['consul-server', 'consul-server'],
      ['cluster-1', 'users'],
      ['cluster-1', 'activities'],
      ['cluster-2', 'todos'],
      ['cluster-2', 'notifications'],
      ['ingress', 'ingress-gateway'],
    ];
    const oldTasks = new Set((await Promise.all(readers.map(([c, s]) => runningTasks(c, s)))).flat().map((t) => t.taskArn));
    const ledger = cloud.tlsTrust!;
    expect(ledger.violations()).toEqual([]);
    expect(ledger.view().filter((m) => m.role === 'server')).toHaveLength(3);

    // Sample throughout the rotation: who trusts whom (the local stand-ins' TLS ledger), Consul's leader, the services.
    const root = await bootstrapTokenOf(cloud);
    const violations = new Set<string>();
    const problems = new Set<string>();
    // A service with no passing instance, since when (ms); the longest such gap per service.
    const unpassingSince: Record<string, number> = {};
    const longestGap: Record<string, number> = {};
    const samples: Array<ReturnType<typeof ledger.view>> = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        for (const v of ledger.violations()) violations.add(v);
        samples.push(ledger.view());
        const leader = (await (await consul('/v1/status/leader', root)).json()) as string;
        if (!leader) problems.add('no leader');
        for (const service of ['users', 'activities', 'todos', 'notifications', 'ingress-gateway']) {
          const registered = (await (await consul(`/v1/catalog/service/${service}`, root)).json()) as unknown[];
          if (registered.length === 0) problems.add(`${service}: not registered`);
          const passing = (await (await consul(`/v1/health/service/${service}?passing`, root)).json()) as unknown[];
          const now = Date.now();
          if (passing.length > 0) delete unpassingSince[service];
          else longestGap[service] = Math.max(longestGap[service] ?? 0, now - (unpassingSince[service] ??= now));
        }
        await new Promise((r) => setTimeout(r, 2));
      }
    })();

    const run = await rotate('ca');
    sampling = false;
    await sampler;

    expect({ status: run.status, error: run.error, cause: run.cause }).toEqual({ status: 'SUCCEEDED', error: undefined, cause: undefined });
    // SSM: the bundle, then the final CA (ca-cert +2); the new key (ca-key +1); the old CA stays in the history.
    const after = { cert: await parameter(`${PREFIX}/tls/ca-cert`), key: await parameter(`${PREFIX}/tls/ca-key`) };
    expect([after.cert.Version, after.key.Version]).toEqual([before.cert.Version + 2, before.key.Version + 1]);
    const newCa = new X509Certificate(after.cert.Value);
    expect(newCa.fingerprint256).not.toBe(oldCa);
    expect(after.cert.Value.match(/BEGIN CERTIFICATE/g)).toHaveLength(1);
    expect(newCa.publicKey.export({ type: 'spki', format: 'pem' })).toBe(createPublicKey(after.key.Value).export({ type: 'spki', format: 'pem' }));
    expect(newCa.checkPrivateKey(createPrivateKey(after.key.Value))).toBe(true);
    const history = async (name: string) =>
      ((await cloud.ssm.operations.GetParameterHistory({ Name: name, WithDecryption: true }, CTX)) as { Parameters: Array<{ Version: number; Value: string; LastModifiedDate: number | Date }> }).Parameters;
    const certHistory = await history(`${PREFIX}/tls/ca-cert`);
    const bundle = certHistory.find((p) => p.Version === before.cert.Version + 1)!;
    expect(bundle.Value.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)!.map((c) => new X509Certificate(c).fingerprint256)).toEqual([oldCa, newCa.fingerprint256]);
    expect(certHistory.find((p) => p.Version === before.cert.Version)!.Value).toBe(before.cert.Value);
    expect((await history(`${PREFIX}/tls/ca-key`)).find((p) => p.Version === before.key.Version)!.Value).toBe(before.key.Value);
    expect((await lockHeld())).toBe(false);

    // Every member of the mesh was replaced, and every one that runs now started after the final CA was written.
    for (const [cluster, service] of readers) {
      for (const task of await runningTasks(cluster, service)) {
        expect({ service, replaced: !oldTasks.has(task.taskArn) }).toEqual({ service, replaced: true });
        expect(task.createdAt.getTime()).toBeGreaterThanOrEqual(Math.floor(after.cert.LastModifiedDate.getTime() / 1000) * 1000);
      }
    }
    // Three server rolls, two of every dataplane.
    expect(run.output).toMatchObject({
      secret: 'ca',
      previousVersion: before.cert.Version,
      version: after.cert.Version,
      previousKeyVersion: before.key.Version,
      keyVersion: after.key.Version,
      replaced: { 'consul-server/consul-server': 9, 'cluster-1/users': 4, 'cluster-1/activities': 4, 'cluster-2/todos': 4, 'cluster-2/notifications': 2, 'ingress/ingress-gateway': 2 },
      removed: expect.stringContaining('1 old CA certificate(s) removed'),
    });

    // Throughout: nobody distrusted anybody, a leader, every service registered. And passing, but for the moment of a
    // task swap: ECS stops the old task once the new one is HEALTHY, and the old task's deregistration (desiredStatus
    // STOPPED) and the new task's HEALTHY update are two task events handled concurrently; the deregistration can land
    // first (as with any forceNewDeployment or rollout), for as long as one event's handling takes.
    expect([...violations]).toEqual([]);
    expect([...problems]).toEqual([]);
    expect(Object.entries(longestGap).filter(([, ms]) => ms >= 3000)).toEqual([]);
    // The samples saw the order: every member trusted both CAs before any server presented a certificate of the new
    // one, and the old CA was dropped only once no server presented one of it.
    const firstNewServer = samples.findIndex((view) => view.some((m) => m.issuedBy === newCa.fingerprint256));
    expect(firstNewServer).toBeGreaterThan(0);
    for (const member of samples[firstNewServer]) expect({ task: member.taskArn, trusts: member.trusts }).toEqual({ task: member.taskArn, trusts: [oldCa, newCa.fingerprint256] });
    const firstDropped = samples.findIndex((view) => view.some((m) => m.trusts.length === 1 && m.trusts[0] === newCa.fingerprint256));
    expect(firstDropped).toBeGreaterThan(firstNewServer);
    for (const member of samples[firstDropped]) if (member.role === 'server') expect(member.issuedBy).toBe(newCa.fingerprint256);
    await cloud.settle();
    const end = ledger.view();
    expect(end.filter((m) => m.role === 'server').map((m) => m.issuedBy)).toEqual([newCa.fingerprint256, newCa.fingerprint256, newCa.fingerprint256]);
    for (const member of end) expect(member.trusts).toEqual([newCa.fingerprint256]);
    await expectHealthyMesh();
  }, 180_000);

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
