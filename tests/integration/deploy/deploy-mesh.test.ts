import { createPublicKey, X509Certificate } from 'node:crypto';
import type { LocalCloud, EcsTaskStateChangeEvent } from '@consul-mesh/local-cloud';
import { bootstrapTokenOf, deploy, referenceSpec, startCloud, writeCalls } from './harness';
import { buildAclPlan } from '../../../layers/domain/consul/acl-policies';
import { dataplaneTokenParameterName } from '../../../layers/domain/consul/parameter-names';
import { secretParameterNames } from '../../../layers/domain/naming';
import { MeshSpecSchema } from '../../../layers/domain/spec/schema';

/**
 * The deploy state machine on the local cloud: the same ASL, handlers and serverless.yml as on AWS, driven through
 * the real Step Functions client. Zero simulated delays, so each deployment is bounded by its own work.
 */
describe('deploying the reference mesh', () => {
  let cloud: LocalCloud;
  const firstSeen = new Map<string, number>();
  let quorumAt = Number.POSITIVE_INFINITY;
  const runningServers = new Set<string>();

  beforeAll(async () => {
    cloud = await startCloud();
    cloud.ecs.subscribe((event: EcsTaskStateChangeEvent) => {
      const detail = event.detail as unknown as { clusterArn: string; lastStatus: string; taskArn: string; group: string };
      const cluster = detail.clusterArn.slice(detail.clusterArn.lastIndexOf('/') + 1);
      if (!firstSeen.has(cluster)) firstSeen.set(cluster, performance.now());
      if (detail.group === 'service:consul-server' && detail.lastStatus === 'RUNNING') {
        runningServers.add(detail.taskArn);
        // Two of three servers running is a Raft quorum: the earliest moment a leader can exist.
        if (runningServers.size >= 2 && quorumAt === Number.POSITIVE_INFINITY) quorumAt = performance.now();
      }
    });
  }, 60_000);

  afterAll(async () => {
    await cloud?.stop();
  });

  it('deploys to SUCCEEDED, in order: servers with a leader, then the service clusters, then the ingress', async () => {
    const run = await deploy(cloud, referenceSpec());
    expect({ status: run.status, error: run.error, cause: run.cause }).toEqual({ status: 'SUCCEEDED', error: undefined, cause: undefined });
    const order = ['Plan', 'BuildImages', 'StoreConfig', 'ServersEnsure', 'ApplyConfigEntries', 'ServiceClusters', 'IngressEnsure', 'Summarize', 'Deployed'];
    const firstIndex = order.map((s) => run.states.indexOf(s));
    expect(firstIndex.every((i) => i >= 0)).toBe(true);
    expect([...firstIndex].sort((a, b) => a - b)).toEqual(firstIndex);

    // No service-cluster task started before the server cluster could have a leader; the ingress started last.
    expect(firstSeen.get('consul-server')).toBeLessThan(quorumAt);
    for (const cluster of ['cluster-1', 'cluster-2']) expect(firstSeen.get(cluster)).toBeGreaterThan(quorumAt);
    expect(firstSeen.get('ingress')).toBeGreaterThan(Math.max(firstSeen.get('cluster-1')!, firstSeen.get('cluster-2')!));

    const summary = run.output!;
    expect(summary.leader).toMatch(/^10\.\d+\.\d+\.\d+:8300$/);
    expect(summary.peers).toHaveLength(3);
    const services = summary.clusters.flatMap((c) => c.services.map((s) => ({ cluster: c.cluster, ...s })));
    expect(services.map((s) => `${s.cluster}/${s.name}:${s.runningCount}/${s.desiredCount}`).sort()).toEqual([
      'cluster-1/activities:2/2',
      'cluster-1/users:2/2',
      'cluster-2/notifications:1/1',
      'cluster-2/todos:2/2',
      'consul-server/consul-server:3/3',
      'ingress/ingress-gateway:1/1',
    ]);
    for (const s of services) for (const t of s.tasks) expect(t).toMatchObject({ registered: true, passing: true, ip: expect.stringMatching(/^10\./) });
    expect(summary.noChange).toBe(false);

    // Consul's catalog: every service task registered with its sidecar, the gateway as its kind.
    const catalog = await (await fetch(`${cloud.endpoints.consul}/v1/catalog/services`, { headers: { 'X-Consul-Token': await bootstrapTokenOf(cloud) } })).json();
    expect(Object.keys(catalog).sort()).toEqual(
      ['activities', 'activities-sidecar-proxy', 'ingress-gateway', 'notifications', 'notifications-sidecar-proxy', 'todos', 'todos-sidecar-proxy', 'users', 'users-sidecar-proxy'].sort(),
    );
  }, 90_000);

  it('changes nothing when the same spec is deployed again: no write anywhere but the mesh lock', async () => {
    cloud.aws.resetCallCounts();
    const consulWrites = cloud.consul.writeCount();
    const run = await deploy(cloud, referenceSpec());
    expect(run.status).toBe('SUCCEEDED');
    expect(writeCalls(cloud.aws.callCounts())).toEqual({});
    // SSM: the lock is taken and released (one put, one delete); no secret, configuration or label is written.
    const ssmWrites = Object.entries(cloud.aws.callCounts()).filter(([target]) => /^AmazonSSM\.(Put|Delete|Label|Unlabel|AddTags)/.test(target));
    expect(Object.fromEntries(ssmWrites)).toEqual({ 'AmazonSSM.PutParameter': 1, 'AmazonSSM.DeleteParameter': 1 });
    const ecrWrites = Object.keys(cloud.aws.callCounts()).filter((target) => /^AmazonEC2ContainerRegistry_V20150921\.(Create|Put|Delete|Tag)/.test(target));
    expect(ecrWrites).toEqual([]);
    expect(cloud.consul.writeCount() - consulWrites).toBe(0);
    expect(run.output!.noChange).toBe(true);
    // The progress the CLI shows: unchanged services with the tasks they already run, not "0/3 running (unchanged)".
    const ensured = run.history
      .filter((e) => e.type === 'TaskStateExited' && e.stateExitedEventDetails?.name === 'ServersEnsure')
      .map((e) => (JSON.parse(e.stateExitedEventDetails!.output!) as { servers: { services: Array<{ name: string; action: string; runningCount: number }> } }).servers);
    expect(ensured.flatMap((o) => o.services).map((x) => `${x.name} ${x.action} ${x.runningCount}`)).toEqual(['consul-server unchanged 3']);
  }, 90_000);

  it('keeps every secret at its first version and the CA certificate matching its key after more deployments', async () => {
    const ssmParameter = (name: string) => cloud.ssm.operations.GetParameterHistory({ Name: name, WithDecryption: true }, { region: 'us-east-1', accountId: '000000000000', requestId: 't' });
    const secrets = ['gossip-key', 'acl/bootstrap-token', 'tls/ca-key', 'tls/ca-cert'].map((s) => `/consul-mesh/reference-mesh/secrets/${s}`);
    for (const name of secrets) {
      const history = (await ssmParameter(name)) as { Parameters: Array<{ Version: number; Value: string }> };
      expect({ name, versions: history.Parameters.map((p) => p.Version) }).toEqual({ name, versions: [1] });
    }
    const value = async (name: string) => ((await ssmParameter(name)) as { Parameters: Array<{ Value: string }> }).Parameters[0].Value;
    const certKey = new X509Certificate(await value(secrets[3])).publicKey.export({ type: 'spki', format: 'pem' });
    expect(certKey).toBe(createPublicKey(await value(secrets[2])).export({ type: 'spki', format: 'pem' }));
  });

  it('rolls only the service whose spec changed', async () => {
    cloud.aws.resetCallCounts();
    const run = await deploy(
      cloud,
      referenceSpec((spec) => {
        spec.clusters[1].services[1].env = { GREETING: 'hello' };
      }),
    );
    expect(run.status).toBe('SUCCEEDED');
    const writes = writeCalls(cloud.aws.callCounts());
    expect(writes).toEqual({
      'AmazonEC2ContainerServiceV20141113.RegisterTaskDefinition': 1,
      'AmazonEC2ContainerServiceV20141113.UpdateService': 1,
    });
    const changed = run.output!.clusters.flatMap((c) => c.services).filter((s) => s.action !== 'unchanged');
    expect(changed.map((s) => `${s.name}:${s.action}`)).toEqual(['notifications:update']);
  }, 90_000);

  it('created every mesh token in Consul with the SecretID its SSM parameter holds, each with its policy or service identity', async () => {
    const root = { 'X-Consul-Token': await bootstrapTokenOf(cloud) };
    const spec = MeshSpecSchema.parse(referenceSpec());
    const plan = buildAclPlan(spec);
    expect(plan.tokens.length).toBe(7);
    for (const token of plan.tokens) {
      const res = await fetch(`${cloud.endpoints.consul}/v1/acl/token/${token.AccessorID}`, { headers: root });
      expect({ role: token.role, status: res.status }).toEqual({ role: token.role, status: 200 });
      const held = (await res.json()) as { SecretID: string; Policies?: Array<{ Name: string }>; ServiceIdentities?: Array<{ ServiceName: string }> };
      expect(held.SecretID).toBe(await secret(cloud, token.parameter));
      expect((held.Policies ?? []).map((p) => p.Name)).toEqual(token.Policies.map((p) => p.Name));
      expect(held.ServiceIdentities ?? []).toEqual(token.ServiceIdentities);
    }
    // What a dataplane presents is a token Consul knows, limited to its own service.
    const users = { 'X-Consul-Token': await secret(cloud, dataplaneTokenParameterName(spec, 'users')) };
    expect((await fetch(`${cloud.endpoints.consul}/v1/health/service/todos`, { headers: users })).status).toBe(200);
    const foreign = await fetch(`${cloud.endpoints.consul}/v1/catalog/register`, {
      method: 'PUT',
      headers: users,
      body: JSON.stringify({ Node: 'cluster-2', Address: '10.0.0.1', Service: { ID: 'todos-x', Service: 'todos', Port: 8080 } }),
    });
    expect(foreign.status).toBe(403);
    // The orchestrator's token cannot manage ACLs.
    const orchestrator = { 'X-Consul-Token': await secret(cloud, secretParameterNames(spec).orchestratorToken) };
    expect((await fetch(`${cloud.endpoints.consul}/v1/acl/tokens`, { headers: orchestrator })).status).toBe(403);
  });

  it('writes no ACL policy or token when the same spec is deployed again', async () => {
    const run = await deploy(cloud, referenceSpec((spec) => {
      spec.clusters[1].services[1].env = { GREETING: 'hello' }; // as deployed by the previous tests
    }));
    expect(run.status).toBe('SUCCEEDED');
    const exited = run.history.find((e) => e.type === 'TaskStateExited' && e.stateExitedEventDetails?.name === 'EnsureAcl');
    const acl = JSON.parse(exited!.stateExitedEventDetails!.output!).acl as { written: string[]; unchanged: string[] };
    expect(acl.written).toEqual([]);
    expect(acl.unchanged.length).toBeGreaterThan(7);
  }, 90_000);

  it('replaces the Consul servers when only their rendered configuration changes', async () => {
    cloud.aws.resetCallCounts();
    const run = await deploy(
      cloud,
      referenceSpec((spec) => {
        spec.clusters[1].services[1].env = { GREETING: 'hello' }; // as deployed by the previous test
        (spec.consul as { security: { acl: { defaultPolicy: string } } }).security.acl.defaultPolicy = 'allow';
      }),
    );
    expect(run.status).toBe('SUCCEEDED');
    const changed = run.output!.clusters.flatMap((c) => c.services).filter((s) => s.action !== 'unchanged');
    expect(writeCalls(cloud.aws.callCounts())).toEqual({
      'AmazonEC2ContainerServiceV20141113.RegisterTaskDefinition': 1,
      'AmazonEC2ContainerServiceV20141113.UpdateService': 1,
    });
    expect(changed.map((s) => `${s.name}:${s.action}`)).toEqual(['consul-server:update']);
  }, 90_000);

  it('refuses to deploy while a rollout of one of its services holds its lock', async () => {
    const ctx = { region: 'us-east-1', accountId: '000000000000', requestId: 't' };
    const lock = '/consul-mesh/reference-mesh/rollouts/users/lock';
    await cloud.ssm.operations.PutParameter({ Name: lock, Type: 'String', Value: JSON.stringify({ holder: 'rollout-x', expiresAt: Date.now() + 60_000 }) }, ctx);
    const refused = await deploy(cloud, referenceSpec());
    expect(refused.status).toBe('FAILED');
    expect(refused.error).toBe('ConcurrentOperation');
    expect(JSON.parse(refused.cause!)).toMatchObject({ stage: 'plan', message: 'a rollout of users is running in mesh "reference-mesh": deploy once it has ended' });
    await cloud.ssm.operations.DeleteParameter({ Name: lock }, ctx);
    expect((await deploy(cloud, referenceSpec())).status).toBe('SUCCEEDED');
  }, 90_000);
});

async function secret(cloud: LocalCloud, name: string): Promise<string> {
  const ctx = { region: 'us-east-1', accountId: '000000000000', requestId: 't' };
  const { Parameter } = (await cloud.ssm.operations.GetParameter({ Name: name, WithDecryption: true }, ctx)) as { Parameter: { Value: string } };
  return Parameter.Value;
}

