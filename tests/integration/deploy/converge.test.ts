import { ECSClient } from '@aws-sdk/client-ecs';
import type { LocalCloud, ReceivedCall } from '@consul-mesh/local-cloud';
import { createEcsApi, type EcsApi } from '../../../layers/adapters/ecs';
import type { ChangeSet, ResourceChange } from '../../../layers/deploy/change-set';
import { compactChangeSet, REGISTERS, type CompactChangeSet } from '../../../layers/deploy/compute-change-set';
import { LOCAL_API_TOKEN } from '../../../cli/http-backend';
import { bootstrapTokenOf, deploy, referenceSpec, startCloud, type DeploymentRun, type RawSpec } from './harness';

/**
 * Every deployment converges the mesh to its spec, starting from a deployed mesh, and does exactly what its Plan
 * step's change set (computed before any write) says: the write calls counted at the local ECS, CodeBuild and SSM
 * endpoints match the change set's creations, updates and removals, and afterwards ECS, Consul (catalog, config
 * entries) and SSM hold exactly what the spec says.
 */
const ECS = 'AmazonEC2ContainerServiceV20141113.';
const CTX = { region: 'us-east-1', accountId: '000000000000', requestId: 't' };

type Mutation = (spec: RawSpec & Record<string, any>) => void; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('a deployment converges a deployed mesh to its spec', () => {
  let cloud: LocalCloud;
  let calls: ReceivedCall[] = [];
  let token: string;
  let ecs: EcsApi;

  beforeAll(async () => {
    cloud = await startCloud();
    cloud.aws.onCall((call) => calls.push(call));
    ecs = createEcsApi(new ECSClient({ endpoint: cloud.endpoints.aws, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }));
    const first = await deploy(cloud, referenceSpec());
    expect(first.status).toBe('SUCCEEDED');
    token = await bootstrapTokenOf(cloud);
  }, 120_000);
  afterAll(async () => {
    await cloud?.stop();
  });

  /** The change set the Plan step computed (in its result, in the history: before any other step ran). */
  function planned(run: DeploymentRun): CompactChangeSet {
    for (const event of run.history) {
      const output = event.taskSucceededEventDetails?.output ?? event.lambdaFunctionSucceededEventDetails?.output;
      if (!output) continue;
      // A Task's output wraps the Lambda's answer in `Payload` (the local history records the answer itself).
      const parsed = JSON.parse(output) as { changeSet?: CompactChangeSet; Payload?: { changeSet?: CompactChangeSet } };
      const found = parsed.changeSet ?? parsed.Payload?.changeSet;
      if (found) return found;
    }
    throw new Error(`no change set in the history (${run.status} ${run.error ?? ''} ${run.cause ?? ''})`);
  }

  const targetsOf = (prefix: string) => calls.filter((c) => c.target.startsWith(prefix));
  const count = (target: string) => calls.filter((c) => c.target === target).length;
  const of = (set: ChangeSet, kind: ResourceChange['kind'], action: ResourceChange['action']) => set.changes.filter((c) => c.kind === kind && c.action === action);

  /** POST /plans through the HTTP API, as `meshctl plan` asks it: what a deployment of `spec` would do now. */
  async function planOverApi(spec: Record<string, unknown>): Promise<ChangeSet> {
    const response = await fetch(`${cloud.endpoints.httpApi}/plans`, {
      method: 'POST',
      headers: { authorization: `Bearer ${LOCAL_API_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(spec),
    });
    expect(response.status).toBe(200);
    return (await response.json()) as ChangeSet;
  }

  /**
   * Asks POST /plans, deploys the `mutate`d reference spec, and checks that the plan is the change set the Plan step
   * computed and that the writes at the endpoints are what it says. Returns the plan's (full) change set.
   */
  async function converge(mutate: Mutation[]): Promise<{ run: DeploymentRun; set: ChangeSet }> {
    const spec = referenceSpec((s) => mutate.forEach((m) => m(s as never)));
    const set = await planOverApi(spec);
    calls = [];
    const run = await deploy(cloud, spec);
    // The Plan step's result carries the change set compacted (reasons left out, a Lambda result is held to 256 KB).
    expect(compactChangeSet(set)).toEqual(planned(run));
    expect({ status: run.status, cause: run.cause }).toEqual({ status: 'SUCCEEDED', cause: undefined });
    const services = (action: ResourceChange['action']) => of(set, 'service', action).length;
    expect(count(`${ECS}CreateService`)).toBe(services('create'));
    // A removed service is scaled to 0 with UpdateService before it is deleted.
    expect(count(`${ECS}UpdateService`)).toBe(services('update') + services('remove'));
    expect(count(`${ECS}DeleteService`)).toBe(services('remove'));
    expect(count(`${ECS}RegisterTaskDefinition`)).toBe(set.changes.filter((c) => c.kind === 'service' && c.reasons.some((r) => r.startsWith(REGISTERS))).length);
    expect(count(`${ECS}CreateCluster`)).toBe(of(set, 'cluster', 'create').length);
    expect(count(`${ECS}DeleteCluster`)).toBe(of(set, 'cluster', 'remove').length);
    const revisions = of(set, 'task-definition', 'remove').flatMap((c) => (c.fields ?? []).map((f) => f.before));
    expect(targetsOf(`${ECS}DeregisterTaskDefinition`).map((c) => c.input.taskDefinition).sort()).toEqual([...revisions].sort());
    expect(count('CodeBuild_20161006.StartBuild')).toBe(of(set, 'image', 'create').length);
    // SSM: the lock (taken, released) aside, one put per created or changed parameter or created secret, and the
    // removed parameters deleted. The deployed spec's copy (`recovery/spec`, its KV copy's twin, what restores a
    // datacenter that lost every server) is written when the spec changed, as its KV copy is: never otherwise.
    const all = targetsOf('AmazonSSM.PutParameter').map((c) => String(c.input.Name)).filter((n) => !n.endsWith('/lock'));
    const copies = all.filter((n) => n.includes('/recovery/spec'));
    expect(copies.length > 0).toBe(!run.output?.noChange);
    const puts = all.filter((n) => !n.includes('/recovery/spec'));
    const written = set.changes.filter((c) => (c.kind === 'parameter' || c.kind === 'secret') && (c.action === 'create' || c.action === 'update')).map((c) => c.id);
    expect(puts.sort()).toEqual([...written].sort());
    const deleted = targetsOf('AmazonSSM.DeleteParameters').flatMap((c) => c.input.Names as string[]);
    expect(deleted.sort()).toEqual(of(set, 'parameter', 'remove').map((c) => c.id).sort());
    return { run, set };
  }

  async function consul<T>(path: string): Promise<T> {
    const response = await fetch(`${cloud.endpoints.consul}${path}`, { headers: { 'X-Consul-Token': token } });
    return (await response.json()) as T;
  }
  async function configEntry(kind: string, name: string): Promise<Record<string, unknown> | undefined> {
    const response = await fetch(`${cloud.endpoints.consul}/v1/config/${kind}/${name}`, { headers: { 'X-Consul-Token': token } });
    return response.status === 404 ? undefined : ((await response.json()) as Record<string, unknown>);
  }
  async function ecsServices(cluster: string): Promise<string[]> {
    return (await ecs.listServiceArns(cluster)).map((arn) => arn.slice(arn.lastIndexOf('/') + 1)).sort();
  }
  async function clusters(): Promise<string[]> {
    return (await ecs.listClusterArns()).map((arn) => arn.slice(arn.lastIndexOf('/') + 1)).sort();
  }
  async function parameter(name: string): Promise<boolean> {
    try {
      await cloud.ssm.operations.GetParameter({ Name: name }, CTX);
      return true;
    } catch {
      return false;
    }
  }
  const catalog = async () => Object.keys(await consul<Record<string, unknown>>('/v1/catalog/services')).sort();

  const billing: Mutation = (spec) => spec.clusters[1].services.push({ name: 'billing', image: 'billing:1.2.0', port: 8082, desiredCount: 2 });
  const billingIntention: Mutation = (spec) => spec.intentions.push({ source: 'users', destination: 'billing', action: 'allow' });

  it('adds a service, then removes it: scaled to 0, drained, deleted, its registrations, config entries and parameters gone', async () => {
    const added = await converge([billing, billingIntention]);
    expect(of(added.set, 'service', 'create').map((c) => c.id)).toEqual(['cluster-2/billing']);
    expect(await ecsServices('cluster-2')).toEqual(['billing', 'notifications', 'todos']);
    expect((await consul<unknown[]>('/v1/catalog/service/billing')).length).toBe(2);
    expect(await configEntry('service-intentions', 'billing')).toBeDefined();

    const removed = await converge([]);
    expect(of(removed.set, 'service', 'remove').map((c) => c.id)).toEqual(['cluster-2/billing']);
    expect(of(removed.set, 'config-entry', 'remove').map((c) => c.id)).toEqual(['service-intentions/billing', 'service-defaults/billing']);
    expect(removed.run.output?.removed).toEqual(expect.arrayContaining(['service:cluster-2/billing', 'config-entry:service-intentions/billing', 'config-entry:service-defaults/billing']));
    expect(await ecsServices('cluster-2')).toEqual(['notifications', 'todos']);
    expect(await consul<unknown[]>('/v1/catalog/service/billing')).toEqual([]);
    expect(await configEntry('service-intentions', 'billing')).toBeUndefined();
    expect(await configEntry('service-defaults', 'billing')).toBeUndefined();
    expect(await parameter('/consul-mesh/reference-mesh/config/dataplane/billing.json')).toBe(false);
    expect(await parameter('/consul-mesh/reference-mesh/config-entries/service-defaults/billing')).toBe(false);
    // The secrets stay: a deployment never removes one.
    expect(await parameter('/consul-mesh/reference-mesh/secrets/gossip-key')).toBe(true);
    expect(removed.run.output?.noChange).toBe(false);
  }, 120_000);

  it('adds a cluster, then removes it with its services, and deregisters their stopped tasks from Consul', async () => {
    const cluster3: Mutation = (spec) => spec.clusters.push({ name: 'cluster-3', services: [{ name: 'billing', image: 'billing:1.2.0', port: 8080, desiredCount: 2 }] });
    const added = await converge([cluster3]);
    expect(of(added.set, 'cluster', 'create').map((c) => c.id)).toEqual(['cluster-3']);
    expect(await clusters()).toContain('cluster-3');

    const removed = await converge([]);
    expect(of(removed.set, 'cluster', 'remove').map((c) => c.id)).toEqual(['cluster-3']);
    expect(await clusters()).not.toContain('cluster-3');
    expect(await consul<unknown[]>('/v1/catalog/service/billing')).toEqual([]);
    expect(await catalog()).not.toContain('billing');
  }, 120_000);

  it('adds, flips and removes intentions: only the intentions entries change', async () => {
    const flipped = await converge([
      (spec) => {
        spec.intentions = [
          { source: 'ingress-gateway', destination: 'users', action: 'allow' },
          { source: 'todos', destination: 'users', action: 'deny' },
          { source: 'users', destination: 'activities', action: 'allow' },
        ];
      },
    ]);
    expect(flipped.set.changes.filter((c) => c.kind === 'config-entry' && c.action !== 'unchanged').map((c) => `${c.action} ${c.id}`)).toEqual([
      'update service-intentions/users',
      'create service-intentions/activities',
      'remove service-intentions/todos',
    ]);
    expect(of(flipped.set, 'service', 'update')).toEqual([]);
    const users = (await configEntry('service-intentions', 'users')) as { Sources: Array<{ Name: string; Action: string }> };
    expect(users.Sources.map((s) => `${s.Name}:${s.Action}`).sort()).toEqual(['ingress-gateway:allow', 'todos:deny']);
    expect(await configEntry('service-intentions', 'activities')).toBeDefined();
    expect(await configEntry('service-intentions', 'todos')).toBeUndefined();
    await converge([]);
    expect(await configEntry('service-intentions', 'todos')).toBeDefined();
    expect(await configEntry('service-intentions', 'activities')).toBeUndefined();
  }, 120_000);

  it('changes an image, cpu/memory/env, or only the Consul settings: exactly the services concerned roll', async () => {
    const image: Mutation = (spec) => void (spec.clusters[1].services[1] = { ...spec.clusters[1].services[1], build: undefined, image: 'notifications:2.0.0' });
    const sized: Mutation = (spec) => void Object.assign(spec.clusters[1].services[0], { cpu: 512, memory: 1024, env: { GREETING: 'hi' } });
    const consulOnly: Mutation = (spec) => void ((spec.consul as { security: { acl: { defaultPolicy: string } } }).security.acl.defaultPolicy = 'allow');
    const rolling = (set: ChangeSet) => set.changes.filter((c) => c.kind === 'service' && c.action !== 'unchanged');

    const imaged = await converge([image]);
    expect(rolling(imaged.set).map((c) => c.id)).toEqual(['cluster-2/notifications']);
    expect(rolling(imaged.set)[0].reasons.join('\n')).toMatch(/notifications:2\.0\.0/);

    const resized = await converge([image, sized]);
    expect(rolling(resized.set).map((c) => c.id)).toEqual(['cluster-2/todos']);
    expect(rolling(resized.set)[0].reasons.join('\n')).toMatch(/cpu: "256" → "512"/);

    const reconfigured = await converge([image, sized, consulOnly]);
    const rolled = rolling(reconfigured.set);
    expect(rolled.map((c) => c.id)).toEqual(['consul-server/consul-server']);
    expect(rolled[0].reasons[0]).toBe('its configuration /consul-mesh/reference-mesh/config/server.hcl changed (rolls its tasks)');
    // Old revisions go, the live and the previous one of each family stay.
    expect((await ecs.listTaskDefinitionArns('reference-mesh-consul-server')).length).toBeLessThanOrEqual(2);
  }, 120_000);

  it('refuses a launch-type change before anything is written, and releases the lock', async () => {
    const ec2 = referenceSpec((spec) => Object.assign(spec.network as object, { launchType: 'EC2' }));
    const planned = await planOverApi(ec2);
    expect(planned.refused).toHaveLength(6);
    calls = [];
    const run = await deploy(cloud, ec2);
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('ChangeRefused');
    expect(JSON.parse(run.cause!).message).toMatch(/launchType: "FARGATE" → "EC2"/);
    const writes = calls.filter((c) => /\.(Create|Register|Update|Delete|Put|Label|Start|Tag)/.test(c.target) && !c.target.startsWith('AWSStepFunctions.') && !(c.target === 'AmazonSSM.PutParameter' && String(c.input.Name).endsWith('/lock')) && !(c.target === 'AmazonSSM.DeleteParameter' && String(c.input.Name).endsWith('/lock')));
    expect(writes.map((c) => c.target)).toEqual([]);
    expect(await parameter('/consul-mesh/reference-mesh/lock')).toBe(false);
  }, 120_000);

  it('removes the ingress gateway when the spec drops it', async () => {
    const removed = await converge([
      (spec) => {
        delete spec.ingress;
        spec.intentions = spec.intentions.filter((i: { source: string }) => i.source !== 'ingress-gateway');
      },
    ]);
    expect(of(removed.set, 'service', 'remove').map((c) => c.id)).toEqual(['ingress/ingress-gateway']);
    expect(await clusters()).not.toContain('ingress');
    expect(await configEntry('ingress-gateway', 'ingress-gateway')).toBeUndefined();
    expect(await catalog()).not.toContain('ingress-gateway');
    expect(await parameter('/consul-mesh/reference-mesh/config/dataplane/ingress-gateway.json')).toBe(false);
  }, 120_000);

  it('makes no write at all when the same spec is deployed again (the lock aside)', async () => {
    await converge([]);
    const again = await converge([]);
    expect(again.set.noChange).toBe(true);
    const writes = calls.filter((c) => /\.(Create|Register|Update|Delete|Put|Label|Start|Tag|Deregister)/.test(c.target) && !c.target.startsWith('AWSStepFunctions.') && !String(c.input.Name ?? '').endsWith('/lock'));
    expect(writes.map((c) => c.target)).toEqual([]);
    expect(again.run.output?.noChange).toBe(true);
  }, 120_000);
});
