import { MAX_TXN_OPS } from '../../../../local/consul';
import { indexOf, startHarness, type ConsulHarness } from './helpers';

const b64 = (text: string): string => Buffer.from(text).toString('base64');

/** A task transition as the orchestrator writes it: the service instance and its sidecar proxy in one txn. */
function instanceWithSidecar(taskId: string): unknown[] {
  return [
    { Node: { Verb: 'set', Node: { Node: 'cluster-1', Address: '10.0.1.1', Meta: { 'synthetic-node': 'true' } } } },
    {
      Service: {
        Verb: 'set',
        Node: 'cluster-1',
        Service: { ID: `users-${taskId}`, Service: 'users', Address: '10.0.1.20', Port: 8080 },
      },
    },
    {
      Service: {
        Verb: 'set',
        Node: 'cluster-1',
        Service: {
          ID: `users-${taskId}-sidecar-proxy`,
          Service: 'users-sidecar-proxy',
          Kind: 'connect-proxy',
          Address: '10.0.1.20',
          Port: 20000,
          Proxy: {
            DestinationServiceName: 'users',
            DestinationServiceID: `users-${taskId}`,
            LocalServicePort: 8080,
            Upstreams: [{ DestinationName: 'todos', LocalBindPort: 1234 }],
          },
        },
      },
    },
    {
      Check: {
        Verb: 'set',
        Check: {
          Node: 'cluster-1',
          CheckID: `users-${taskId}-health`,
          Name: 'ECS health',
          Status: 'passing',
          ServiceID: `users-${taskId}`,
        },
      },
    },
  ];
}

describe('Consul emulator: /v1/txn', () => {
  let consul: ConsulHarness;

  beforeEach(async () => {
    consul = await startHarness();
  });

  afterEach(async () => {
    await consul.close();
  });

  it('writes a service and its sidecar in one Raft write, stamping everything with one index', async () => {
    const res = await consul.put('/v1/txn', instanceWithSidecar('t1'));

    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.Errors).toBeNull();
    expect(body.Results).toHaveLength(4);
    expect(consul.server.writeCount()).toBe(1);
    const snapshot = consul.server.catalog();
    const indexes = new Set(snapshot.services.map((s) => s.ModifyIndex));
    expect(indexes.size).toBe(1);
    expect(snapshot.services.map((s) => s.ID)).toEqual(['users-t1', 'users-t1-sidecar-proxy']);
    const healthy = await (await consul.get('/v1/health/service/users?passing')).json();
    expect(healthy).toHaveLength(1);
  });

  it('rolls everything back and answers 409 when one operation fails', async () => {
    const ops = instanceWithSidecar('t1');
    ops.push({ KV: { Verb: 'cas', Key: 'leader', Value: b64('me'), Index: 999 } });

    const res = await consul.put('/v1/txn', ops);

    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({
      Results: null,
      Errors: [{ OpIndex: 4, What: 'failed to set key "leader", index is stale' }],
    });
    const snapshot = consul.server.catalog();
    expect(snapshot.nodes).toEqual([]);
    expect(snapshot.services).toEqual([]);
    expect(await (await consul.get('/v1/catalog/services')).json()).toEqual({});
  });

  it('reports every failing operation, such as a service on a node that does not exist', async () => {
    const res = await consul.put('/v1/txn', [
      { Service: { Verb: 'set', Node: 'ghost', Service: { ID: 'a', Service: 'a' } } },
      { KV: { Verb: 'set', Key: 'fine', Value: b64('ok') } },
      { KV: { Verb: 'get', Key: 'absent' } },
      { KV: { Verb: 'dance', Key: 'x' } },
    ]);

    expect(res.status).toBe(409);
    expect((await res.json()).Errors).toEqual([
      { OpIndex: 0, What: 'Missing node registration' },
      { OpIndex: 2, What: 'key "absent" doesn\'t exist' },
      { OpIndex: 3, What: 'unknown KV verb "dance"' },
    ]);
    expect(consul.server.catalog().kv).toEqual([]);
  });

  it('answers KV results without values for writes and with values for gets', async () => {
    await consul.put('/v1/kv/existing', 'stored');

    const res = await consul.put('/v1/txn', [
      { KV: { Verb: 'set', Key: 'new', Value: b64('v') } },
      { KV: { Verb: 'get', Key: 'existing' } },
      { KV: { Verb: 'delete', Key: 'existing' } },
    ]);

    const { Results } = await res.json();
    expect(Results).toHaveLength(2);
    expect(Results[0].KV).toMatchObject({ Key: 'new', Value: null });
    expect(Results[1].KV).toMatchObject({ Key: 'existing', Value: b64('stored') });
    expect(consul.server.catalog().kv.map((e) => e.Key)).toEqual(['new']);
  });

  it('serves a read-only transaction without a Raft write, with query meta', async () => {
    await consul.put('/v1/kv/a', '1');
    const writes = consul.server.writeCount();

    const res = await consul.put('/v1/txn', [{ KV: { Verb: 'get-tree', Key: '' } }]);

    expect(res.status).toBe(200);
    expect(indexOf(res)).toBeGreaterThan(1);
    expect(res.headers.get('x-consul-knownleader')).toBe('true');
    expect((await res.json()).Results).toHaveLength(1);
    expect(consul.server.writeCount()).toBe(writes);
  });

  it('supports cas and delete-cas on services with their ModifyIndex', async () => {
    await consul.put('/v1/txn', instanceWithSidecar('t1'));
    const [svc] = consul.server.catalog().services;

    const stale = await consul.put('/v1/txn', [
      { Service: { Verb: 'delete-cas', Node: 'cluster-1', Service: { ID: svc.ID, ModifyIndex: svc.ModifyIndex - 1 } } },
    ]);
    const fresh = await consul.put('/v1/txn', [
      { Service: { Verb: 'delete-cas', Node: 'cluster-1', Service: { ID: svc.ID, ModifyIndex: svc.ModifyIndex } } },
    ]);

    expect(stale.status).toBe(409);
    expect((await stale.json()).Errors[0].What).toBe(
      `failed to delete service "${svc.ID}" on node "cluster-1", index is stale`,
    );
    expect(fresh.status).toBe(200);
    // Deleting the service took its check with it.
    expect(consul.server.catalog().checks).toEqual([]);
  });

  it('refuses invalid service definitions before Raft', async () => {
    const res = await consul.put('/v1/txn', [
      { Node: { Verb: 'set', Node: { Node: 'n', Address: '10.0.0.1' } } },
      {
        Service: {
          Verb: 'set',
          Node: 'n',
          Service: {
            Service: 'p',
            Kind: 'connect-proxy',
            Port: 20000,
            Proxy: {
              DestinationServiceName: 'x',
              Upstreams: [
                { DestinationName: 'a', LocalBindPort: 1234 },
                { DestinationName: 'b', LocalBindPort: 1234 },
              ],
            },
          },
        },
      },
    ]);

    expect(res.status).toBe(409);
    const { Errors } = await res.json();
    expect(Errors).toHaveLength(1);
    expect(Errors[0].OpIndex).toBe(1);
    expect(Errors[0].What).toContain('upstreams cannot contain duplicates by local bind address and port');
    expect(consul.server.writeCount()).toBe(0);
  });

  it('refuses more operations than the limit with 413, and malformed bodies with 400', async () => {
    const ops = Array.from({ length: MAX_TXN_OPS + 1 }, (_, i) => ({ KV: { Verb: 'set', Key: `k${i}`, Value: '' } }));

    const tooMany = await consul.put('/v1/txn', ops);
    const notArray = await consul.put('/v1/txn', { KV: {} });
    const badBase64 = await consul.put('/v1/txn', [{ KV: { Verb: 'set', Key: 'k', Value: 'not base64!' } }]);

    expect(tooMany.status).toBe(413);
    expect(await tooMany.text()).toBe(`Transaction contains too many operations (${MAX_TXN_OPS + 1} > ${MAX_TXN_OPS})`);
    expect(notArray.status).toBe(400);
    expect(await notArray.text()).toMatch(/^Failed to parse body: /);
    expect(badBase64.status).toBe(400);
    expect(await badBase64.text()).toBe('Failed to parse body: illegal base64 data at input byte 3');
  });

  it('deletes a node with everything on it through a Node delete', async () => {
    await consul.put('/v1/txn', instanceWithSidecar('t1'));

    const res = await consul.put('/v1/txn', [{ Node: { Verb: 'delete', Node: { Node: 'cluster-1' } } }]);

    expect(await res.json()).toEqual({ Results: null, Errors: null });
    expect(consul.server.catalog()).toMatchObject({ nodes: [], services: [], checks: [] });
  });
});
