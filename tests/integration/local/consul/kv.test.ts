import { indexOf, startHarness, type ConsulHarness } from './helpers';

describe('Consul emulator: /v1/kv', () => {
  let consul: ConsulHarness;

  beforeEach(async () => {
    consul = await startHarness();
  });

  afterEach(async () => {
    await consul.close();
  });

  it('stores a value and answers it base64-encoded with its indexes', async () => {
    const put = await consul.put('/v1/kv/mesh/config', 'hello world');
    const res = await consul.get('/v1/kv/mesh/config');

    expect(await put.json()).toBe(true);
    const [entry] = await res.json();
    expect(entry).toEqual({
      LockIndex: 0,
      Key: 'mesh/config',
      Flags: 0,
      Value: Buffer.from('hello world').toString('base64'),
      CreateIndex: entry.ModifyIndex,
      ModifyIndex: indexOf(res),
    });
  });

  it('answers ?raw with the bytes as text/plain and no sniffing', async () => {
    await consul.put('/v1/kv/page', '<script>x</script>');

    const res = await consul.get('/v1/kv/page?raw');

    expect(res.headers.get('content-type')).toBe('text/plain');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toBe('<script>x</script>');
  });

  it('answers 404 without body for a missing key, still with an index', async () => {
    const res = await consul.get('/v1/kv/missing');

    expect(res.status).toBe(404);
    expect(await res.text()).toBe('');
    expect(indexOf(res)).toBeGreaterThanOrEqual(1);
  });

  it('keeps CreateIndex and moves ModifyIndex on update, and stores flags', async () => {
    await consul.put('/v1/kv/k', 'one');
    await consul.put('/v1/kv/k?flags=42', 'two');

    const [entry] = await (await consul.get('/v1/kv/k')).json();

    expect(entry.ModifyIndex).toBeGreaterThan(entry.CreateIndex);
    expect(entry.Flags).toBe(42);
    expect(Buffer.from(entry.Value, 'base64').toString()).toBe('two');
  });

  it('keeps an empty value as null', async () => {
    await consul.put('/v1/kv/folder/', '');

    const [entry] = await (await consul.get('/v1/kv/folder/')).json();

    expect(entry.Value).toBeNull();
  });

  it('lists a prefix with ?recurse and keys with ?keys and ?separator', async () => {
    for (const key of ['app/a', 'app/b', 'app/sub/c', 'other']) await consul.put(`/v1/kv/${key}`, key);

    const recurse = await (await consul.get('/v1/kv/app/?recurse')).json();
    const keys = await (await consul.get('/v1/kv/app/?keys')).json();
    const level = await (await consul.get('/v1/kv/app/?keys&separator=/')).json();
    const root = await (await consul.get('/v1/kv/?keys')).json();
    const none = await consul.get('/v1/kv/nothing/?keys');

    expect(recurse.map((e: { Key: string }) => e.Key)).toEqual(['app/a', 'app/b', 'app/sub/c']);
    expect(keys).toEqual(['app/a', 'app/b', 'app/sub/c']);
    expect(level).toEqual(['app/a', 'app/b', 'app/sub/']);
    expect(root).toEqual(['app/a', 'app/b', 'app/sub/c', 'other']);
    expect(none.status).toBe(404);
  });

  it('handles keys sent URL-encoded, as clients encode slashes', async () => {
    await consul.put(`/v1/kv/${encodeURIComponent('deep/key')}`, 'v');

    const res = await consul.get('/v1/kv/deep/key');

    expect(res.status).toBe(200);
  });

  it('applies ?cas on PUT: 0 creates only, a matching index updates, a stale one is refused', async () => {
    const create = await (await consul.put('/v1/kv/lock?cas=0', 'first')).json();
    const again = await (await consul.put('/v1/kv/lock?cas=0', 'second')).json();
    const [entry] = await (await consul.get('/v1/kv/lock')).json();
    const update = await (await consul.put(`/v1/kv/lock?cas=${entry.ModifyIndex}`, 'third')).json();
    const stale = await (await consul.put(`/v1/kv/lock?cas=${entry.ModifyIndex}`, 'fourth')).json();

    expect([create, again, update, stale]).toEqual([true, false, true, false]);
    const raw = await (await consul.get('/v1/kv/lock?raw')).text();
    expect(raw).toBe('third');
  });

  it('applies ?cas on DELETE and deletes prefixes with ?recurse', async () => {
    await consul.put('/v1/kv/t/a', '1');
    await consul.put('/v1/kv/t/b', '2');
    const [entry] = await (await consul.get('/v1/kv/t/a')).json();

    const zero = await (await consul.del('/v1/kv/t/a?cas=0')).json();
    const wrong = await (await consul.del(`/v1/kv/t/a?cas=${entry.ModifyIndex + 100}`)).json();
    const right = await (await consul.del(`/v1/kv/t/a?cas=${entry.ModifyIndex}`)).json();
    const tree = await (await consul.del('/v1/kv/t/?recurse')).json();

    expect([zero, wrong, right, tree]).toEqual([false, false, true, true]);
    expect(consul.server.catalog().kv).toEqual([]);
  });

  it('refuses a PUT without key, conflicting flags, and values over 512 KiB', async () => {
    const noKey = await consul.put('/v1/kv/', 'x');
    const conflict = await consul.put('/v1/kv/k?cas=0&acquire=abc', 'x');
    const big = await consul.put('/v1/kv/big', 'x'.repeat(512 * 1024 + 1));

    expect(noKey.status).toBe(400);
    expect(await noKey.text()).toBe('Missing key name');
    expect(conflict.status).toBe(400);
    expect(await conflict.text()).toMatch(/^Conflicting flags: /);
    expect(big.status).toBe(413);
  });

  it('lets the list index reflect deletions inside the prefix', async () => {
    await consul.put('/v1/kv/p/a', '1');
    await consul.put('/v1/kv/p/b', '2');
    const before = indexOf(await consul.get('/v1/kv/p/?recurse'));

    await consul.del('/v1/kv/p/b');
    const after = await consul.get('/v1/kv/p/?recurse');

    expect(indexOf(after)).toBeGreaterThan(before);
    expect((await after.json()).map((e: { Key: string }) => e.Key)).toEqual(['p/a']);
  });

  it('answers 405 for a method KV does not take', async () => {
    const res = await fetch(`${consul.server.url}/v1/kv/k`, { method: 'POST', body: 'x' });

    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('OPTIONS,GET,PUT,DELETE');
  });
});
