import { startConsulServer, type ConsulServer } from '../../../../local/consul';

/** `?filter` over HTTP on the endpoints that take it (the local Consul on a free loopback port). */
describe('the local Consul answers ?filter on its list endpoints', () => {
  let server: ConsulServer;
  const get = (path: string, filter: string) => fetch(`${server.url}${path}?filter=${encodeURIComponent(filter)}`);

  beforeAll(async () => {
    server = await startConsulServer({ port: 0 });
    const register = (id: string, service: string, port: number, meta: Record<string, string>, status: string) =>
      fetch(`${server.url}/v1/catalog/register`, {
        method: 'PUT',
        body: JSON.stringify({
          Node: 'cluster-1',
          Address: '10.0.1.1',
          NodeMeta: { 'synthetic-node': 'true' },
          Service: { ID: id, Service: service, Port: port, Meta: meta, Tags: ['v1'] },
          Check: { CheckID: `${id}:health`, Name: 'health', ServiceID: id, Status: status },
        }),
      });
    await register('users-a1', 'users', 8080, { 'task-arn': 'arn:task/a1' }, 'passing');
    await register('users-a2', 'users', 8080, { 'task-arn': 'arn:task/a2' }, 'critical');
    await register('todos-b1', 'todos', 8080, {}, 'passing');
  });

  afterAll(async () => {
    await server.close();
  });

  it('filters the services of a node (list and map forms) and keeps the node', async () => {
    const list = await (await get('/v1/catalog/node-services/cluster-1', 'ID == "users-a1" or ID == "todos-b1"')).json();
    const map = await (await get('/v1/catalog/node/cluster-1', 'Meta["task-arn"] == "arn:task/a2"')).json();

    expect(list.Node).toMatchObject({ Node: 'cluster-1' });
    expect(list.Services.map((s: { ID: string }) => s.ID)).toEqual(['todos-b1', 'users-a1']);
    expect(Object.keys(map.Services)).toEqual(['users-a2']);
  });

  it('filters the ServiceNode entries of a service', async () => {
    const entries = await (await get('/v1/catalog/service/users', 'ServiceMeta["task-arn"] matches "a1$"')).json();

    expect(entries.map((e: { ServiceID: string }) => e.ServiceID)).toEqual(['users-a1']);
  });

  it('filters health entries by Service. and Checks. selectors', async () => {
    const critical = await (await get('/v1/health/service/users', '"critical" in Checks.Status')).json();
    const byId = await (await get('/v1/health/service/users', 'Service.ID == "users-a1" and Node.Node == "cluster-1"')).json();

    expect(critical.map((e: { Service: { ID: string } }) => e.Service.ID)).toEqual(['users-a2']);
    expect(byId.map((e: { Service: { ID: string } }) => e.Service.ID)).toEqual(['users-a1']);
  });

  it('filters checks', async () => {
    const checks = await (await get('/v1/health/state/any', 'Status == "critical"')).json();

    expect(checks.map((c: { CheckID: string }) => c.CheckID)).toEqual(['users-a2:health']);
  });

  it('answers 400 with the evaluator error for a malformed expression or an unknown selector', async () => {
    const malformed = await get('/v1/catalog/node-services/cluster-1', 'ID ==');
    const unknown = await get('/v1/health/service/users', 'Service.Nope == "x"');

    expect(malformed.status).toBe(400);
    expect(await malformed.text()).toMatch(/^Failed to create boolean expression evaluator: 1:\d+ \(\d+\): /);
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toBe('Failed to create boolean expression evaluator: Selector "Service.Nope" is not valid');
  });

  it('treats an empty filter as no filter', async () => {
    const all = await (await get('/v1/catalog/node-services/cluster-1', '')).json();

    expect(all.Services).toHaveLength(3);
  });
});
