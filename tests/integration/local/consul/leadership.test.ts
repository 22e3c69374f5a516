import { startHarness, taskRegistration, type ConsulHarness } from './helpers';

describe('Consul emulator: leader and quorum', () => {
  let consul: ConsulHarness;
  /** The running server tasks, as the ECS simulation would report them. */
  let running: string[];

  beforeAll(async () => {
    running = [];
    consul = await startHarness({ quorumSource: () => ({ expected: 3, serverAddresses: running }) });
  });

  afterAll(async () => {
    await consul.close();
  });

  const leader = async (): Promise<string> => (await consul.get('/v1/status/leader')).json();
  const peers = async (): Promise<string[]> => (await consul.get('/v1/status/peers')).json();

  it('has no leader before a quorum of servers runs', async () => {
    running = ['10.0.0.7'];

    expect(await leader()).toBe('');
    expect(await peers()).toEqual(['10.0.0.7:8300']);
  });

  it('elects the first server in address order once a quorum runs', async () => {
    running = ['10.0.0.12', '10.0.0.7'];

    expect(await leader()).toBe('10.0.0.7:8300');
    expect(await peers()).toEqual(['10.0.0.7:8300', '10.0.0.12:8300']);
  });

  it('keeps the leader while it runs, and moves on when it stops', async () => {
    running = ['10.0.0.3', '10.0.0.7', '10.0.0.12'];
    expect(await leader()).toBe('10.0.0.7:8300');

    running = ['10.0.0.3', '10.0.0.12'];
    expect(await leader()).toBe('10.0.0.3:8300');
  });

  it('refuses writes and default reads without a leader, but serves stale reads', async () => {
    running = ['10.0.0.3'];

    const write = await consul.put('/v1/catalog/register', taskRegistration('users', 'a1'));
    const read = await consul.get('/v1/catalog/services');
    const stale = await consul.get('/v1/catalog/services?stale');

    expect(write.status).toBe(500);
    expect(await write.text()).toBe('No cluster leader');
    expect(read.status).toBe(500);
    expect(stale.status).toBe(200);
    expect(stale.headers.get('x-consul-knownleader')).toBe('false');
    expect(consul.server.writeCount()).toBe(0);
  });

  it('accepts writes again once the quorum is back', async () => {
    running = ['10.0.0.3', '10.0.0.12'];

    const write = await consul.put('/v1/catalog/register', taskRegistration('users', 'a1'));

    expect(write.status).toBe(200);
  });
});
