import { Faults } from '../../../../local/faults/faults';
import { startHarness, type ConsulHarness } from './helpers';

describe('Consul emulator: consul down', () => {
  let consul: ConsulHarness;
  const faults = new Faults();

  beforeAll(async () => {
    consul = await startHarness({ faults });
  });

  afterAll(async () => {
    await consul.close();
  });

  afterEach(() => faults.reset());

  it('fails requests at the connection level while Consul is down, with no HTTP answer', async () => {
    faults.takeConsulDown(60_000);

    const error = await consul.get('/v1/status/leader').then(
      () => undefined,
      (err: Error & { cause?: { code?: string } }) => err,
    );

    expect(error?.message).toBe('fetch failed');
    expect(['ECONNRESET', 'UND_ERR_SOCKET', 'ECONNREFUSED']).toContain(error?.cause?.code);
    await expect(consul.put('/v1/kv/k', 'v')).rejects.toThrow('fetch failed');
    expect(consul.server.writeCount()).toBe(0);
  });

  it('answers again once the outage is over', async () => {
    faults.takeConsulDown(60_000);
    await expect(consul.get('/v1/status/leader')).rejects.toThrow('fetch failed');
    faults.reset();

    const res = await consul.get('/v1/status/leader');

    expect(res.status).toBe(200);
  });
});
