import { randomUUID } from 'node:crypto';
import { buildAclPlan } from '../../../../layers/domain/consul/acl-policies';
import { loadMeshSpec } from '../../../../layers/domain/spec';
import { startHarness, taskRegistration, type ConsulHarness } from './helpers';

/**
 * Each token the product creates (buildAclPlan for the reference mesh, created through the ACL API as the ACL step
 * creates them) can do what its holder needs and nothing more, under `default_policy = "deny"`.
 */
describe('Consul emulator: the tokens the product creates', () => {
  const spec = loadMeshSpec('examples/mesh.yaml');
  const plan = buildAclPlan(spec);
  const root = { 'X-Consul-Token': 'root-secret' };
  const secrets = new Map<string, string>();
  const accessors = new Map<string, string>();
  let consul: ConsulHarness;
  const as = (role: string) => ({ 'X-Consul-Token': secrets.get(role) as string });

  beforeAll(async () => {
    consul = await startHarness({ acl: { enabled: true, managementToken: 'root-secret' } });
    for (const policy of plan.policies) expect((await consul.put('/v1/acl/policy', policy, root)).status).toBe(200);
    for (const token of plan.tokens) {
      const secret = randomUUID();
      const { role, parameter: _parameter, ...body } = token;
      expect((await consul.put('/v1/acl/token', { ...body, SecretID: secret }, root)).status).toBe(200);
      secrets.set(role, secret);
      accessors.set(role, token.AccessorID);
    }
    // The synthetic node of cluster-1, as the orchestrator registers it, with one instance of todos on it.
    expect((await consul.put('/v1/catalog/register', taskRegistration('todos', 't1'), root)).status).toBe(200);
  });

  afterAll(async () => {
    await consul.close();
  });

  const denial = (role: string, permission: string, name?: string) =>
    `Permission denied: token with AccessorID '${accessors.get(role)}' lacks permission '${permission}'${name === undefined ? '' : ` on ${JSON.stringify(name)}`}`;

  it('lets a dataplane token register its own service and sidecar, and nothing else', async () => {
    const users = as('dataplane/users');
    const own = { ...taskRegistration('users', 'u1'), Check: undefined };
    const sidecar = {
      ...own,
      Service: { Kind: 'connect-proxy', ID: 'users-u1-sidecar-proxy', Service: 'users-sidecar-proxy', Port: 20000, Proxy: { DestinationServiceName: 'users' } },
    };
    const other = { ...own, Service: { ID: 'todos-x', Service: 'todos', Port: 8080 } };
    const proxyForOther = { ...sidecar, Service: { ...sidecar.Service, ID: 'todos-x-sidecar-proxy', Service: 'users-sidecar-proxy', Proxy: { DestinationServiceName: 'todos' } } };

    expect((await consul.put('/v1/catalog/register', own, users)).status).toBe(200);
    expect((await consul.put('/v1/catalog/register', sidecar, users)).status).toBe(200);
    const refused = await consul.put('/v1/catalog/register', other, users);
    const proxy = await consul.put('/v1/catalog/register', proxyForOther, users);
    const newNode = await consul.put('/v1/catalog/register', { ...own, Node: 'cluster-9' }, users);
    const deregister = await consul.put('/v1/catalog/deregister', { Node: 'cluster-1', ServiceID: 'todos-t1' }, users);

    expect([refused.status, await refused.text()]).toEqual([403, denial('dataplane/users', 'service:write', 'todos')]);
    // A proxy may ask for its destination's intentions: Consul wants service:write on the destination too.
    expect([proxy.status, await proxy.text()]).toEqual([403, denial('dataplane/users', 'service:write', 'todos')]);
    expect([newNode.status, await newNode.text()]).toEqual([403, denial('dataplane/users', 'node:write', 'cluster-9')]);
    expect([deregister.status, await deregister.text()]).toEqual([403, denial('dataplane/users', 'service:write', 'todos')]);
  });

  it('lets a dataplane token discover every service, and change neither ACLs, KV nor config entries', async () => {
    const users = as('dataplane/users');
    const discovery = await consul.get('/v1/health/service/todos', users);
    const acl = await consul.put('/v1/acl/token', { ServiceIdentities: [{ ServiceName: 'todos' }] }, users);
    const kv = await consul.put(`/v1/kv/consul-mesh/${spec.name}/spec`, '{}', users);
    const config = await consul.put('/v1/config', { Kind: 'service-defaults', Name: 'todos', Protocol: 'http' }, users);

    expect(discovery.status).toBe(200);
    expect(await discovery.json()).toHaveLength(1);
    expect([acl.status, await acl.text()]).toEqual([403, denial('dataplane/users', 'acl:write')]);
    expect([kv.status, await kv.text()]).toEqual([403, denial('dataplane/users', 'key:write', `consul-mesh/${spec.name}/spec`)]);
    expect([config.status, await config.text()]).toEqual([403, denial('dataplane/users', 'service:write', 'todos')]);
  });

  it('lets the orchestrator token do its work and not change ACLs', async () => {
    const orch = as('orchestrator');
    const register = await consul.put('/v1/catalog/register', taskRegistration('users', 'o1', 'passing', 'cluster-2'), orch);
    const kv = await consul.put(`/v1/kv/consul-mesh/${spec.name}/spec`, '{}', orch);
    const intentions = await consul.put('/v1/config', { Kind: 'service-intentions', Name: 'todos', Sources: [] }, orch);
    const policy = await consul.put('/v1/acl/policy', { Name: 'more', Rules: 'acl = "write"' }, orch);
    const token = await consul.put('/v1/acl/token', { Policies: [{ Name: `${spec.name}-orchestrator` }] }, orch);
    const tokens = await consul.get('/v1/acl/tokens', orch);
    const foreign = await consul.put('/v1/catalog/register', taskRegistration('billing', 'b1'), orch);

    expect([register.status, kv.status, intentions.status]).toEqual([200, 200, 200]);
    expect([policy.status, await policy.text()]).toEqual([403, denial('orchestrator', 'acl:write')]);
    expect([token.status, await token.text()]).toEqual([403, denial('orchestrator', 'acl:write')]);
    expect([tokens.status, await tokens.text()]).toEqual([403, denial('orchestrator', 'acl:read')]);
    expect([foreign.status, await foreign.text()]).toEqual([403, denial('orchestrator', 'service:write', 'billing')]);
  });

  it('lets the ingress gateway token register the gateway only', async () => {
    const gateway = as(`ingress/${spec.ingress?.name}`);
    const own = { Node: 'cluster-1', SkipNodeUpdate: true, Service: { Kind: 'ingress-gateway', ID: 'gw-1', Service: spec.ingress?.name, Port: 8080 } };
    const other = { ...own, Service: { ID: 'users-g', Service: 'users', Port: 8080 } };

    expect((await consul.put('/v1/catalog/register', own, gateway)).status).toBe(200);
    const refused = await consul.put('/v1/catalog/register', other, gateway);
    expect([refused.status, await refused.text()]).toEqual([403, denial(`ingress/${spec.ingress?.name}`, 'service:write', 'users')]);
  });

  it('lets the servers\' agent token write nodes and only read services', async () => {
    const agent = as('server-agent');
    const node = await consul.put('/v1/catalog/register', { Node: 'consul-server-1', Address: '10.0.0.5' }, agent);
    const service = await consul.put('/v1/catalog/register', { Node: 'consul-server-1', Address: '10.0.0.5', Service: { ID: 'x', Service: 'x' } }, agent);

    expect(node.status).toBe(200);
    expect([service.status, await service.text()]).toEqual([403, denial('server-agent', 'service:write', 'x')]);
  });

  it('gives the anonymous token nothing: lists come back empty and filtered, everything else is refused', async () => {
    const services = await consul.get('/v1/catalog/services');
    const health = await consul.get('/v1/health/service/todos');
    const nodes = await consul.get('/v1/catalog/nodes');
    const kv = await consul.get(`/v1/kv/consul-mesh/${spec.name}/spec`);
    const keys = await consul.get('/v1/kv/?keys');
    const register = await consul.put('/v1/catalog/register', taskRegistration('users', 'a1'));
    const acl = await consul.get('/v1/acl/policies');

    expect(services.status).toBe(200);
    expect(await services.json()).toEqual({});
    expect(services.headers.get('x-consul-results-filtered-by-acls')).toBe('true');
    expect(await health.json()).toEqual([]);
    expect(health.headers.get('x-consul-results-filtered-by-acls')).toBe('true');
    expect(await nodes.json()).toEqual([]);
    expect(await keys.json()).toEqual([]);
    expect(keys.headers.get('x-consul-results-filtered-by-acls')).toBe('true');
    expect([kv.status, await kv.text()]).toEqual([403, `Permission denied: anonymous token lacks permission 'key:read' on "consul-mesh/${spec.name}/spec"`]);
    expect([register.status, await register.text()]).toEqual([403, `Permission denied: anonymous token lacks permission 'service:write' on "users"`]);
    expect([acl.status, await acl.text()]).toEqual([403, `Permission denied: anonymous token lacks permission 'acl:read'`]);
  });

  it('filters lists down to what a token reads instead of refusing them', async () => {
    const orch = as('orchestrator');
    expect((await consul.put('/v1/catalog/register', taskRegistration('billing', 'b2'), root)).status).toBe(200);
    const services = await consul.get('/v1/catalog/services', orch);
    const names = Object.keys(await services.json());
    const state = (await (await consul.get('/v1/health/state/any', orch)).json()) as Array<{ ServiceName: string }>;
    const serverNode = await consul.get('/v1/catalog/node/consul-server-1', orch);

    // The orchestrator reads its mesh's services, not another one on its own node, nor nodes it has no rule for.
    expect(names).toEqual(expect.arrayContaining(['todos', 'users']));
    expect(Object.keys(await (await consul.get('/v1/catalog/services', root)).json())).toContain('billing');
    expect(names).not.toContain('billing');
    expect(services.headers.get('x-consul-results-filtered-by-acls')).toBe('true');
    expect(state.map((c) => c.ServiceName)).toContain('todos');
    expect(state.map((c) => c.ServiceName)).not.toContain('billing');
    expect(serverNode.status).toBe(200);
    expect(await serverNode.json()).toBeNull();
    expect(serverNode.headers.get('x-consul-results-filtered-by-acls')).toBe('true');
  });

  it('gives a node identity write on its node and read on services', async () => {
    const secret = randomUUID();
    const created = await consul.put('/v1/acl/token', { SecretID: secret, NodeIdentities: [{ NodeName: 'client-1', Datacenter: 'dc1' }] }, root);
    const missingDc = await consul.put('/v1/acl/token', { NodeIdentities: [{ NodeName: 'client-2' }] }, root);
    const node = await consul.put('/v1/catalog/register', { Node: 'client-1', Address: '10.0.0.9' }, { 'X-Consul-Token': secret });
    const other = await consul.put('/v1/catalog/register', { Node: 'client-2', Address: '10.0.0.9' }, { 'X-Consul-Token': secret });

    expect(created.status).toBe(200);
    expect(await created.json()).toMatchObject({ NodeIdentities: [{ NodeName: 'client-1', Datacenter: 'dc1' }] });
    expect([missingDc.status, await missingDc.text()]).toEqual([500, 'Node identity is missing the datacenter field on this token']);
    expect(node.status).toBe(200);
    expect(other.status).toBe(403);
  });
});
