import { indexOf, startHarness, taskRegistration, untilHeld, type ConsulHarness } from './helpers';

describe('Consul emulator: blocking queries', () => {
  let consul: ConsulHarness;

  beforeEach(async () => {
    consul = await startHarness();
  });

  afterEach(async () => {
    await consul.close();
  });

  it('holds a health query until a write touches the service, then answers the new index', async () => {
    await consul.put('/v1/catalog/register', taskRegistration('users', 'a1'));
    const first = await consul.get('/v1/health/service/users');
    const index = indexOf(first);

    const held = consul.get(`/v1/health/service/users?index=${index}&wait=5s`);
    await untilHeld(consul.server);
    await consul.put('/v1/catalog/register', taskRegistration('users', 'a2'));
    const res = await held;

    expect(indexOf(res)).toBeGreaterThan(index);
    expect(await res.json()).toHaveLength(2);
  });

  it('returns after the wait with the same index when nothing changed', async () => {
    await consul.put('/v1/kv/k', 'v');
    const index = indexOf(await consul.get('/v1/kv/k'));

    const started = Date.now();
    const res = await consul.get(`/v1/kv/k?index=${index}&wait=100ms`);

    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(res.status).toBe(200);
    expect(indexOf(res)).toBe(index);
  });

  it('does not wake a service query for writes to other services', async () => {
    await consul.put('/v1/catalog/register', taskRegistration('users', 'a1'));
    const index = indexOf(await consul.get('/v1/catalog/service/users'));

    const started = Date.now();
    const held = consul.get(`/v1/catalog/service/users?index=${index}&wait=150ms`);
    await untilHeld(consul.server);
    await consul.put('/v1/catalog/register', taskRegistration('todos', 'b1', 'passing', 'cluster-2'));
    const res = await held;

    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(indexOf(res)).toBe(index);
  });

  it('wakes a recursive KV query on a write under the prefix and on a deletion', async () => {
    await consul.put('/v1/kv/app/a', '1');
    const index = indexOf(await consul.get('/v1/kv/app/?recurse'));

    const held = consul.get(`/v1/kv/app/?recurse&index=${index}&wait=5s`);
    await untilHeld(consul.server);
    await consul.put('/v1/kv/other', 'x');
    expect(consul.server.heldQueries()).toBe(1);
    await consul.del('/v1/kv/app/a');
    const res = await held;

    expect(res.status).toBe(404);
    expect(indexOf(res)).toBeGreaterThan(index);
  });

  it('answers immediately when the client index is already behind', async () => {
    await consul.put('/v1/kv/k', 'v');

    const started = Date.now();
    const res = await consul.get('/v1/kv/k?index=1&wait=5s');

    expect(Date.now() - started).toBeLessThan(1000);
    expect(indexOf(res)).toBeGreaterThan(1);
  });

  it('refuses a bad wait or index with Consul texts', async () => {
    const wait = await consul.get('/v1/catalog/services?index=1&wait=5');
    const index = await consul.get('/v1/catalog/services?index=abc');

    expect(wait.status).toBe(400);
    expect(await wait.text()).toBe('Invalid wait time');
    expect(index.status).toBe(400);
    expect(await index.text()).toBe('Invalid index');
  });

  it('answers held queries when the server closes', async () => {
    const local = await startHarness();
    const index = indexOf(await local.get('/v1/catalog/services'));
    const held = local.get(`/v1/catalog/services?index=${index}&wait=10m`);
    await untilHeld(local.server);

    await local.close();
    const res = await held;

    expect(res.status).toBe(200);
    expect(indexOf(res)).toBe(index);
  });
});
