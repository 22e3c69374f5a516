import { startHarness, taskRegistration, type ConsulHarness } from './helpers';

describe('Consul emulator: /v1/health', () => {
  let consul: ConsulHarness;

  beforeEach(async () => {
    consul = await startHarness();
    await consul.put('/v1/catalog/register', taskRegistration('users', 'a1', 'passing'));
    await consul.put('/v1/catalog/register', taskRegistration('users', 'a2', 'critical'));
    await consul.put('/v1/catalog/register', taskRegistration('users', 'a3', 'warning'));
  });

  afterEach(async () => {
    await consul.close();
  });

  it('answers every instance with its node and checks', async () => {
    const entries = await (await consul.get('/v1/health/service/users')).json();

    expect(entries).toHaveLength(3);
    expect(entries[0]).toEqual({
      Node: expect.objectContaining({ Node: 'cluster-1', Address: '10.0.1.1' }),
      Service: expect.objectContaining({ ID: 'users-a1', Service: 'users', Port: 8080, Address: '10.0.1.17' }),
      Checks: [expect.objectContaining({ CheckID: 'users-a1-health', Status: 'passing', ServiceID: 'users-a1' })],
    });
  });

  it('keeps only instances whose every check passes with ?passing (warning is not passing)', async () => {
    const bare = await (await consul.get('/v1/health/service/users?passing')).json();
    const explicit = await (await consul.get('/v1/health/service/users?passing=true')).json();
    const off = await (await consul.get('/v1/health/service/users?passing=false')).json();
    const bad = await consul.get('/v1/health/service/users?passing=maybe');

    expect(bare.map((e: { Service: { ID: string } }) => e.Service.ID)).toEqual(['users-a1']);
    expect(explicit).toHaveLength(1);
    expect(off).toHaveLength(3);
    expect(bad.status).toBe(400);
  });

  it('filters out every instance of a node whose node-level check fails', async () => {
    await consul.put('/v1/catalog/register', {
      Node: 'cluster-1',
      Address: '10.0.1.1',
      SkipNodeUpdate: true,
      Check: { CheckID: 'node-health', Name: 'node', Status: 'critical' },
    });

    const passing = await (await consul.get('/v1/health/service/users?passing')).json();
    const all = await (await consul.get('/v1/health/service/users')).json();

    expect(passing).toEqual([]);
    expect(all[0].Checks.map((c: { CheckID: string }) => c.CheckID)).toEqual(['node-health', 'users-a1-health']);
  });

  it('lists checks by service, by node and by state', async () => {
    const byService = await (await consul.get('/v1/health/checks/users')).json();
    const byNode = await (await consul.get('/v1/health/node/cluster-1')).json();
    const critical = await (await consul.get('/v1/health/state/critical')).json();
    const any = await (await consul.get('/v1/health/state/any')).json();
    const invalid = await consul.get('/v1/health/state/sideways');

    expect(byService.map((c: { CheckID: string }) => c.CheckID)).toEqual([
      'users-a1-health',
      'users-a2-health',
      'users-a3-health',
    ]);
    expect(byNode).toHaveLength(3);
    expect(critical).toEqual([expect.objectContaining({ CheckID: 'users-a2-health', Status: 'critical' })]);
    expect(any).toHaveLength(3);
    expect(invalid.status).toBe(400);
  });

  it('moves an instance in and out of ?passing when its check status is re-registered', async () => {
    await consul.put('/v1/catalog/register', taskRegistration('users', 'a2', 'passing'));
    const healed = await (await consul.get('/v1/health/service/users?passing')).json();
    await consul.put('/v1/catalog/register', taskRegistration('users', 'a1', 'critical'));
    const broken = await (await consul.get('/v1/health/service/users?passing')).json();

    expect(healed.map((e: { Service: { ID: string } }) => e.Service.ID)).toEqual(['users-a1', 'users-a2']);
    expect(broken.map((e: { Service: { ID: string } }) => e.Service.ID)).toEqual(['users-a2']);
  });

  it('answers an unknown service with an empty list', async () => {
    const res = await consul.get('/v1/health/service/nobody');

    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([]);
  });
});
