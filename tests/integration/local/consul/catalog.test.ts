import { indexOf, startHarness, taskRegistration, type ConsulHarness } from './helpers';

describe('Consul emulator: /v1/catalog', () => {
  let consul: ConsulHarness;

  beforeEach(async () => {
    consul = await startHarness();
  });

  afterEach(async () => {
    await consul.close();
  });

  it('registers a node with a service and a check, answering true', async () => {
    const res = await consul.put('/v1/catalog/register', taskRegistration('users', 'a1'));

    expect(res.status).toBe(200);
    expect(await res.json()).toBe(true);
    const snapshot = consul.server.catalog();
    expect(snapshot.nodes.map((n) => n.Node)).toEqual(['cluster-1']);
    expect(snapshot.services.map((s) => s.ID)).toEqual(['users-a1']);
    expect(snapshot.checks[0]).toMatchObject({ CheckID: 'users-a1-health', ServiceName: 'users', Status: 'passing' });
  });

  it('lists services with the union of their tags', async () => {
    await consul.put('/v1/catalog/register', taskRegistration('users', 'a1'));
    const second = taskRegistration('users', 'a2') as { Service: Record<string, unknown> };
    second.Service.Tags = ['v2'];
    await consul.put('/v1/catalog/register', second);
    await consul.put('/v1/catalog/register', taskRegistration('todos', 'b1', 'passing', 'cluster-2'));

    const res = await consul.get('/v1/catalog/services');

    expect(res.status).toBe(200);
    expect(indexOf(res)).toBeGreaterThan(1);
    expect(res.headers.get('x-consul-knownleader')).toBe('true');
    expect(res.headers.get('x-consul-lastcontact')).toBe('0');
    expect(await res.json()).toEqual({ todos: ['v1'], users: ['v1', 'v2'] });
  });

  it('answers the nodes of a service as ServiceNode entries, filtered by tag', async () => {
    await consul.put('/v1/catalog/register', taskRegistration('users', 'a1'));

    const all = await (await consul.get('/v1/catalog/service/users')).json();
    const tagged = await (await consul.get('/v1/catalog/service/users?tag=v1')).json();
    const none = await (await consul.get('/v1/catalog/service/users?tag=v9')).json();

    expect(all).toEqual([
      expect.objectContaining({
        Node: 'cluster-1',
        Address: '10.0.1.1',
        NodeMeta: { 'synthetic-node': 'true' },
        ServiceID: 'users-a1',
        ServiceName: 'users',
        ServiceAddress: '10.0.1.17',
        ServicePort: 8080,
        ServiceTags: ['v1'],
        ServiceMeta: { task: 'a1' },
        ServiceKind: '',
      }),
    ]);
    expect(tagged).toHaveLength(1);
    expect(none).toEqual([]);
  });

  it('lists nodes and a node with its services as a map and as a list', async () => {
    await consul.put('/v1/catalog/register', taskRegistration('users', 'a1'));

    const nodes = await (await consul.get('/v1/catalog/nodes')).json();
    const node = await (await consul.get('/v1/catalog/node/cluster-1')).json();
    const list = await (await consul.get('/v1/catalog/node-services/cluster-1')).json();
    const missing = await consul.get('/v1/catalog/node/nowhere');

    expect(nodes).toEqual([expect.objectContaining({ Node: 'cluster-1', Meta: { 'synthetic-node': 'true' } })]);
    expect(node.Node.Node).toBe('cluster-1');
    expect(Object.keys(node.Services)).toEqual(['users-a1']);
    expect(list.Services.map((s: { ID: string }) => s.ID)).toEqual(['users-a1']);
    expect(missing.status).toBe(200);
    expect(await missing.json()).toBeNull();
  });

  it('stores a connect-proxy with its upstreams, as a sidecar registration needs', async () => {
    await consul.put('/v1/catalog/register', taskRegistration('users', 'a1'));
    const res = await consul.put('/v1/catalog/register', {
      Node: 'cluster-1',
      Address: '10.0.1.1',
      SkipNodeUpdate: true,
      Service: {
        ID: 'users-a1-sidecar-proxy',
        Service: 'users-sidecar-proxy',
        Kind: 'connect-proxy',
        Port: 20000,
        Proxy: {
          DestinationServiceName: 'users',
          DestinationServiceID: 'users-a1',
          LocalServicePort: 8080,
          Upstreams: [{ DestinationName: 'todos', LocalBindPort: 1234 }],
        },
      },
    });

    expect(res.status).toBe(200);
    const [proxy] = await (await consul.get('/v1/catalog/service/users-sidecar-proxy')).json();
    expect(proxy.ServiceKind).toBe('connect-proxy');
    expect(proxy.ServiceProxy).toMatchObject({
      DestinationServiceName: 'users',
      DestinationServiceID: 'users-a1',
      LocalServicePort: 8080,
      Upstreams: [{ DestinationType: 'service', DestinationName: 'todos', LocalBindPort: 1234 }],
    });
  });

  it('refuses a connect-proxy without destination or port with Consul validation text and status 500', async () => {
    const res = await consul.put('/v1/catalog/register', {
      Node: 'cluster-1',
      Address: '10.0.1.1',
      Service: { Service: 'broken-proxy', Kind: 'connect-proxy' },
    });

    expect(res.status).toBe(500);
    expect(await res.text()).toBe(
      '2 errors occurred:\n' +
        '\t* Proxy.DestinationServiceName must be non-empty for Connect proxy services\n' +
        '\t* Port or SocketPath must be set for a Connect proxy\n\n',
    );
    expect(consul.server.writeCount()).toBe(0);
  });

  it('refuses a registration without node or address the way Consul servers do', async () => {
    const noNode = await consul.put('/v1/catalog/register', { Address: '10.0.0.1' });
    const noAddress = await consul.put('/v1/catalog/register', { Node: 'n1' });

    expect(noNode.status).toBe(500);
    expect(await noNode.text()).toBe('Must provide node');
    expect(noAddress.status).toBe(500);
    expect(await noAddress.text()).toBe('Must provide address if SkipNodeUpdate is not set');
  });

  it('refuses a check for a service that is not registered', async () => {
    const res = await consul.put('/v1/catalog/register', {
      Node: 'n1',
      Address: '10.0.0.1',
      Check: { CheckID: 'c', Name: 'c', ServiceID: 'ghost' },
    });

    expect(res.status).toBe(500);
    expect(await res.text()).toBe('failed inserting check: Missing service registration');
    expect(consul.server.catalog().nodes).toEqual([]);
  });

  it('answers malformed JSON with 400 and a Go decoder message', async () => {
    const res = await consul.put('/v1/catalog/register', '{"Node": ');
    const typed = await consul.put('/v1/catalog/register', { Node: 5, Address: 'x' });

    expect(res.status).toBe(400);
    expect(await res.text()).toBe('Request decode failed: unexpected EOF');
    expect(typed.status).toBe(400);
    expect(await typed.text()).toBe(
      'Request decode failed: json: cannot unmarshal number into Go struct field RegisterRequest.Node of type string',
    );
  });

  it('deregisters a service together with its checks', async () => {
    await consul.put('/v1/catalog/register', taskRegistration('users', 'a1'));
    await consul.put('/v1/catalog/register', taskRegistration('users', 'a2'));

    const res = await consul.put('/v1/catalog/deregister', { Node: 'cluster-1', ServiceID: 'users-a1' });

    expect(await res.json()).toBe(true);
    const snapshot = consul.server.catalog();
    expect(snapshot.services.map((s) => s.ID)).toEqual(['users-a2']);
    expect(snapshot.checks.map((c) => c.CheckID)).toEqual(['users-a2-health']);
  });

  it('deregisters a single check and, with only Node, the whole node', async () => {
    await consul.put('/v1/catalog/register', taskRegistration('users', 'a1'));

    await consul.put('/v1/catalog/deregister', { Node: 'cluster-1', CheckID: 'users-a1-health' });
    expect(consul.server.catalog().checks).toEqual([]);
    expect(consul.server.catalog().services).toHaveLength(1);

    await consul.put('/v1/catalog/deregister', { Node: 'cluster-1' });
    const snapshot = consul.server.catalog();
    expect(snapshot.nodes).toEqual([]);
    expect(snapshot.services).toEqual([]);
    expect(await (await consul.get('/v1/catalog/services')).json()).toEqual({});
  });

  it('counts one Raft write per register and deregister, and idempotent re-registration moves no index', async () => {
    await consul.put('/v1/catalog/register', taskRegistration('users', 'a1'));
    const before = indexOf(await consul.get('/v1/catalog/service/users'));

    await consul.put('/v1/catalog/register', taskRegistration('users', 'a1'));
    const after = indexOf(await consul.get('/v1/catalog/service/users'));
    await consul.put('/v1/catalog/deregister', { Node: 'cluster-1', ServiceID: 'users-a1' });

    expect(after).toBe(before);
    expect(consul.server.writeCount()).toBe(3);
  });

  it('keeps node data on SkipNodeUpdate but still creates a missing node', async () => {
    await consul.put('/v1/catalog/register', { Node: 'n1', Address: '10.0.0.1', NodeMeta: { a: 'b' } });
    await consul.put('/v1/catalog/register', { Node: 'n1', Address: '10.9.9.9', SkipNodeUpdate: true });
    await consul.put('/v1/catalog/register', { Node: 'n2', Address: '10.0.0.2', SkipNodeUpdate: true });

    const nodes = consul.server.catalog().nodes;
    expect(nodes.map((n) => [n.Node, n.Address])).toEqual([
      ['n1', '10.0.0.1'],
      ['n2', '10.0.0.2'],
    ]);
  });

  it('answers 405 with an Allow header for a wrong method and an empty 404 for unknown paths', async () => {
    const wrong = await consul.get('/v1/catalog/register');
    const unknown = await consul.get('/v1/nothing/here');

    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('OPTIONS,PUT');
    expect(await wrong.text()).toBe('method GET not allowed');
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toBe('');
  });

  it('refuses other datacenters, and ?filter where it is not evaluated, instead of answering wrong data', async () => {
    const dc = await consul.get('/v1/catalog/services?dc=dc9');
    const unsupported = await consul.get('/v1/catalog/services?filter=ServiceMeta.task%3D%3Da1');
    const malformed = await consul.get('/v1/catalog/service/users?filter=ServiceMeta.task%3D%3D');

    expect(dc.status).toBe(500);
    expect(await dc.text()).toBe('No path to datacenter');
    expect(unsupported.status).toBe(400);
    expect(malformed.status).toBe(400);
  });
});
