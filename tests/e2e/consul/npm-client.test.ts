import Consul from 'consul';
import { startConsulServer, type ConsulServer, Faults } from '@consul-mesh/local-cloud';

interface TxnAnswer {
  Results: Record<string, Record<string, unknown>>[] | null;
  Errors: { OpIndex: number; What: string }[] | null;
}

/**
 * `transaction.create(operations)` as the client runs it: its typings describe `create({ operations })`, but at
 * run time a single argument is taken as the operation list itself.
 */
function createTxn(consul: Consul, operations: unknown[]): Promise<TxnAnswer> {
  const create = consul.transaction.create.bind(consul.transaction) as unknown as (ops: unknown[]) => Promise<TxnAnswer>;
  return create(operations);
}

/**
 * The real npm `consul` client (v2) against the emulator: if a client no one here wrote can register, query,
 * watch and transact through it, the emulator answers like a Consul agent.
 */
describe('npm consul client against the Consul emulator', () => {
  let server: ConsulServer;
  let consul: Consul;
  const faults = new Faults();

  beforeAll(async () => {
    server = await startConsulServer({ port: 0, faults });
    consul = new Consul({ host: '127.0.0.1', port: server.port });
  });

  afterAll(async () => {
    consul.destroy();
    await server.close();
  });

  afterEach(() => faults.reset());

  it('registers through catalog.register and finds the instance through catalog and health', async () => {
    await consul.catalog.register({
      node: 'cluster-1',
      address: '10.0.1.1',
      service: { id: 'users-t1', service: 'users', address: '10.0.1.20', port: 8080, tags: ['v1'], meta: { task: 't1' } },
      check: { checkid: 'users-t1-health', name: 'ECS health', status: 'passing', serviceid: 'users-t1' },
    });

    const nodes = await consul.catalog.service.nodes('users');
    const services = await consul.catalog.service.list();
    const healthy = await consul.health.service({ service: 'users', passing: true });
    const checks = await consul.health.checks('users');

    expect(nodes).toEqual([
      expect.objectContaining({ Node: 'cluster-1', ServiceID: 'users-t1', ServicePort: 8080, ServiceMeta: { task: 't1' } }),
    ]);
    expect(services).toEqual({ users: ['v1'] });
    expect(healthy).toHaveLength(1);
    expect(healthy[0].Service.ID).toBe('users-t1');
    expect(healthy[0].Checks[0].Status).toBe('passing');
    expect(checks.map((c: { CheckID: string }) => c.CheckID)).toEqual(['users-t1-health']);
  });

  it('lists nodes and the services of a node', async () => {
    const nodes = await consul.catalog.node.list();
    const node = await consul.catalog.node.services('cluster-1');

    expect(nodes.map((n: { Node: string }) => n.Node)).toContain('cluster-1');
    expect(Object.keys(node.Services)).toContain('users-t1');
  });

  it('writes, reads, lists and deletes KV entries, with check-and-set', async () => {
    expect(await consul.kv.set('mesh/users/version', '7')).toBe(true);
    const entry = await consul.kv.get('mesh/users/version');
    if (!entry) throw new Error('the key just written is missing');
    const keys = await consul.kv.keys('mesh/');
    const stale = await consul.kv.set({ key: 'mesh/users/version', value: '9', cas: entry.ModifyIndex - 1 });
    const afterStale = await consul.kv.get('mesh/users/version');
    const fresh = await consul.kv.set({ key: 'mesh/users/version', value: '8', cas: entry.ModifyIndex });
    const tree = await consul.kv.get({ key: 'mesh/', recurse: true });

    expect(entry.Value).toBe('7');
    expect(keys).toEqual(['mesh/users/version']);
    // The client hands a JSON `false` back as undefined; what matters is that the stale write changed nothing.
    expect(stale).toBeFalsy();
    expect(afterStale?.Value).toBe('7');
    expect(fresh).toBe(true);
    expect(Array.isArray(tree) ? tree.map((e) => e.Value) : tree).toEqual(['8']);
    expect(await consul.kv.del('mesh/users/version')).toBe(true);
    expect(await consul.kv.get('mesh/users/version')).toBeUndefined();
  });

  it('applies a service and its sidecar proxy in one transaction', async () => {
    const writes = server.writeCount();

    const result = await createTxn(consul, [
      {
        Service: {
          Verb: 'set',
          Node: 'cluster-1',
          Service: { ID: 'users-t2', Service: 'users', Address: '10.0.1.21', Port: 8080 },
        },
      },
      {
        Service: {
          Verb: 'set',
          Node: 'cluster-1',
          Service: {
            ID: 'users-t2-sidecar-proxy',
            Service: 'users-sidecar-proxy',
            Kind: 'connect-proxy',
            Port: 20000,
            Proxy: { DestinationServiceName: 'users', DestinationServiceID: 'users-t2', LocalServicePort: 8080 },
          },
        },
      },
    ]);

    expect(result.Errors).toBeNull();
    expect(result.Results).toHaveLength(2);
    expect(server.writeCount()).toBe(writes + 1);
    const proxies = await consul.catalog.service.nodes('users-sidecar-proxy');
    expect(proxies[0]).toMatchObject({ ServiceKind: 'connect-proxy', ServiceProxy: { DestinationServiceID: 'users-t2' } });
  });

  it('surfaces a rolled-back transaction as a 409 with the errors in the body', async () => {
    const failure = await createTxn(consul, [{ KV: { Verb: 'get', Key: 'does/not/exist' } }]).then(
        () => undefined,
        (err: Error & { statusCode?: number; response?: { body?: { Errors?: unknown[] } } }) => err,
      );

    expect(failure?.statusCode).toBe(409);
    expect(failure?.response?.body?.Errors).toEqual([{ OpIndex: 0, What: 'key "does/not/exist" doesn\'t exist' }]);
  });

  it('reads the leader, the peers and the agent itself', async () => {
    expect(await consul.status.leader()).toBe('127.0.0.1:8300');
    expect(await consul.status.peers()).toEqual(['127.0.0.1:8300']);
    const self = await consul.agent.self();
    expect(self.Config).toMatchObject({ Datacenter: 'dc1', NodeName: 'consul-local' });
  });

  it('drives a watch on health.service through blocking queries', async () => {
    const watch = consul.watch({ method: consul.health.service, options: { service: 'users', wait: '2s' } });
    const seen: number[] = [];
    const twoChanges = new Promise<void>((resolve, reject) => {
      watch.on('error', reject);
      watch.on('change', (data: unknown[]) => {
        seen.push(data.length);
        if (seen.length === 2) resolve();
      });
    });
    // Let the first (non-blocking) answer arrive, then change the service while the next query is held.
    while (server.heldQueries() === 0) await new Promise((resolve) => setTimeout(resolve, 2));
    await consul.catalog.register({
      node: 'cluster-1',
      address: '10.0.1.1',
      service: { id: 'users-t3', service: 'users', port: 8080 },
    });

    await twoChanges;
    watch.end();

    expect(seen).toEqual([2, 3]);
  });

  it('deregisters a service through catalog.deregister', async () => {
    await consul.catalog.deregister({ node: 'cluster-1', serviceid: 'users-t3' });

    const nodes = await consul.catalog.service.nodes('users');

    expect(nodes.map((n: { ServiceID: string }) => n.ServiceID)).toEqual(['users-t1', 'users-t2']);
  });

  it('sees a connection error, not an HTTP answer, while Consul is down', async () => {
    faults.takeConsulDown(60_000);

    // The client tells errors from values with `instanceof Error`; a socket error comes from Node's own realm,
    // which under jest is not the test's realm, so the error may arrive resolved instead of rejected.
    const outcome: unknown = await consul.status.leader().catch((err: unknown) => err);

    expect(outcome).toMatchObject({ code: 'ECONNRESET' });
    expect((outcome as { statusCode?: number }).statusCode).toBeUndefined();
  });
});

describe('npm consul client with ACLs and without quorum', () => {
  let server: ConsulServer;
  let running: string[] = [];

  beforeAll(async () => {
    server = await startConsulServer({
      port: 0,
      acl: { enabled: true, managementToken: 'root' },
      quorumSource: () => ({ expected: 3, serverAddresses: running }),
    });
  });

  afterAll(async () => {
    await server.close();
  });

  it('is refused with Consul texts without a token or with an unknown one', async () => {
    running = ['10.0.0.1', '10.0.0.2'];
    const anonymous = new Consul({ host: '127.0.0.1', port: server.port });
    const unknown = new Consul({ host: '127.0.0.1', port: server.port, defaults: { token: 'nope' } });

    const denied = await anonymous.kv.get('k').then(
      () => undefined,
      (err: Error & { statusCode?: number }) => err,
    );
    const notFound = await unknown.catalog.service.list().then(
      () => undefined,
      (err: Error & { statusCode?: number }) => err,
    );
    anonymous.destroy();
    unknown.destroy();

    // The message is the plain-text body Consul answers (some client calls prefix it with "consul: <call>: ").
    expect(denied?.statusCode).toBe(403);
    expect(denied?.message).toMatch(/(^|: )Permission denied: anonymous token lacks permission 'key:read' on "k"$/);
    expect(notFound?.statusCode).toBe(403);
    expect(notFound?.message).toMatch(/(^|: )ACL not found$/);
  });

  it('works with the token as a client default, and reports the missing leader', async () => {
    const client = new Consul({ host: '127.0.0.1', port: server.port, defaults: { token: 'root' } });
    running = ['10.0.0.1', '10.0.0.2'];
    const leader = await client.status.leader();
    expect(await client.kv.set('k', 'v')).toBe(true);

    running = ['10.0.0.2'];
    const noLeader = await client.status.leader();
    const refused = await client.kv.set('k', 'w').then(
      () => undefined,
      (err: Error & { statusCode?: number }) => err,
    );
    client.destroy();

    expect(leader).toBe('10.0.0.1:8300');
    // Consul answers `""` without a leader; the client turns an empty body value into undefined.
    expect(noLeader).toBeFalsy();
    expect(refused?.statusCode).toBe(500);
    expect(refused?.message).toMatch(/(^|: )No cluster leader$/);
  });
});
