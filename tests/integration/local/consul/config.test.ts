import { startHarness, type ConsulHarness } from './helpers';

describe('Consul emulator: /v1/config', () => {
  let consul: ConsulHarness;

  beforeEach(async () => {
    consul = await startHarness();
  });

  afterEach(async () => {
    await consul.close();
  });

  it('applies a service-defaults entry and reads it back with its indexes', async () => {
    const put = await consul.put('/v1/config', { Kind: 'service-defaults', Name: 'users', Protocol: 'http' });
    const res = await consul.get('/v1/config/service-defaults/users');

    expect(await put.json()).toBe(true);
    const entry = await res.json();
    expect(entry).toEqual({
      Kind: 'service-defaults',
      Name: 'users',
      Protocol: 'http',
      CreateIndex: expect.any(Number),
      ModifyIndex: expect.any(Number),
    });
    expect(Number(res.headers.get('x-consul-index'))).toBe(entry.ModifyIndex);
  });

  it('lists entries of a kind and answers 404 with Consul text for a missing one', async () => {
    await consul.put('/v1/config', { Kind: 'service-defaults', Name: 'users', Protocol: 'http' });
    await consul.put('/v1/config', { Kind: 'service-defaults', Name: 'todos', Protocol: 'http' });
    await consul.put('/v1/config', {
      Kind: 'ingress-gateway',
      Name: 'ingress',
      Listeners: [{ Port: 80, Protocol: 'http', Services: [{ Name: '*' }] }],
    });

    const list = await (await consul.get('/v1/config/service-defaults')).json();
    const missing = await consul.get('/v1/config/service-defaults/nobody');

    expect(list.map((e: { Name: string }) => e.Name)).toEqual(['todos', 'users']);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe('Config entry not found for "service-defaults" / "nobody"');
  });

  it('normalises proxy-defaults to the name global and refuses any other name', async () => {
    await consul.put('/v1/config', { Kind: 'proxy-defaults', Config: { protocol: 'http' } });
    const wrong = await consul.put('/v1/config', { Kind: 'proxy-defaults', Name: 'other' });

    const entry = await (await consul.get('/v1/config/proxy-defaults/global')).json();
    expect(entry.Config).toEqual({ protocol: 'http' });
    expect(wrong.status).toBe(500);
    expect(await wrong.text()).toBe('invalid name ("other"), only "global" is supported');
  });

  it('refuses an unknown kind, a missing kind and a missing name', async () => {
    const unknown = await consul.put('/v1/config', { Kind: 'service-everything', Name: 'x' });
    const noKind = await consul.put('/v1/config', { Name: 'x' });
    const noName = await consul.put('/v1/config', { Kind: 'service-defaults' });

    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toBe('Request decoding failed: invalid config entry kind: service-everything');
    expect(noKind.status).toBe(400);
    expect(await noKind.text()).toBe(
      'Request decoding failed: Payload does not contain a kind/Kind key at the top level',
    );
    expect(noName.status).toBe(400);
    expect(consul.server.writeCount()).toBe(0);
  });

  it('applies ?cas on PUT and DELETE', async () => {
    const create = await (await consul.put('/v1/config?cas=0', { Kind: 'service-defaults', Name: 'u' })).json();
    const again = await (await consul.put('/v1/config?cas=0', { Kind: 'service-defaults', Name: 'u' })).json();
    const { ModifyIndex } = await (await consul.get('/v1/config/service-defaults/u')).json();
    const staleDelete = await (await consul.del(`/v1/config/service-defaults/u?cas=${ModifyIndex + 1}`)).json();
    const goodDelete = await (await consul.del(`/v1/config/service-defaults/u?cas=${ModifyIndex}`)).json();

    expect([create, again, staleDelete, goodDelete]).toEqual([true, false, false, true]);
    expect(consul.server.catalog().configEntries).toEqual([]);
  });

  it('deletes without cas answering {}', async () => {
    await consul.put('/v1/config', { Kind: 'service-defaults', Name: 'u' });

    const res = await consul.del('/v1/config/service-defaults/u');

    expect(await res.json()).toEqual({});
    expect((await consul.get('/v1/config/service-defaults/u')).status).toBe(404);
  });

  it('answers 405 for a GET on /v1/config itself', async () => {
    const res = await consul.get('/v1/config');

    expect(res.status).toBe(405);
  });
});
