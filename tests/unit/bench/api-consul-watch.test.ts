import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConditionTimedOut } from '../../../bench/lib/clock';
import { newRevisionInstances, parseHealthEntries, readHealth, revisionsOf, watchFirstNewInstance } from '../../../bench/api/consul-watch';

const OLD = 'arn:aws:ecs:us-east-1:000000000000:task-definition/reference-mesh-users:2';
const NEW = 'arn:aws:ecs:us-east-1:000000000000:task-definition/reference-mesh-users:3';

/** A `/v1/health/service` entry as Consul answers it. */
const entry = (id: string, taskDefinitionArn: string | undefined, statuses: string[]) => ({
  Node: { Node: 'cluster-1' },
  Service: { ID: id, Service: 'users', Meta: taskDefinitionArn ? { 'task-arn': `task/${id}`, 'task-definition-arn': taskDefinitionArn } : {} },
  Checks: statuses.map((Status, i) => ({ CheckID: `${id}:${i}`, Status })),
});

describe('parseHealthEntries, revisionsOf, newRevisionInstances', () => {
  const body = [entry('users-a', OLD, ['passing']), entry('users-b', NEW, ['critical']), entry('users-c', NEW, ['passing', 'warning']), entry('users-d', undefined, []), { junk: true }];

  it('reads each instance\'s id, revision and whether every check passes', () => {
    expect(parseHealthEntries(body)).toEqual([
      { id: 'users-a', taskDefinitionArn: OLD, passing: true },
      { id: 'users-b', taskDefinitionArn: NEW, passing: false },
      { id: 'users-c', taskDefinitionArn: NEW, passing: false },
      { id: 'users-d', passing: true },
    ]);
    expect(parseHealthEntries({ not: 'a list' })).toEqual([]);
  });

  it('finds the instances of revisions that did not run before', () => {
    const instances = parseHealthEntries(body);
    expect([...revisionsOf(instances)]).toEqual([OLD, NEW]);
    expect(newRevisionInstances(instances, new Set([OLD])).map((i) => i.id)).toEqual(['users-b', 'users-c']);
    expect(newRevisionInstances(instances, new Set([OLD, NEW]))).toEqual([]);
  });
});

describe('watchFirstNewInstance', () => {
  let server: Server;
  let url: string;
  /** Snapshots by Consul index; a blocking request gets the first snapshot past its index, else the last after a short hold. */
  let script: Array<{ index: number; body: unknown[] }> = [];
  /** When set, answers each request in turn instead of the script (the last one repeats). */
  let sequence: Array<{ index: number; body: unknown[] }> | undefined;
  let requests: Array<{ index: string | null; token: string | undefined }> = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const query = new URL(req.url ?? '/', 'http://x').searchParams;
      requests.push({ index: query.get('index'), token: req.headers['x-consul-token'] as string | undefined });
      const asked = Number(query.get('index') ?? 0);
      const next = sequence ? (sequence.length > 1 ? sequence.shift() : sequence[0]) : query.get('index') === null ? script[0] : script.find((s) => s.index > asked);
      const answer = () => {
        const snapshot = next ?? script[script.length - 1];
        res.writeHead(200, { 'content-type': 'application/json', 'x-consul-index': String(snapshot.index) }).end(JSON.stringify(snapshot.body));
      };
      if (next) answer();
      else setTimeout(answer, 30);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    requests = [];
    sequence = undefined;
  });

  it('blocks from the baseline read\'s index and reports the first new instance registered, then passing', async () => {
    script = [
      { index: 10, body: [entry('users-a', OLD, ['passing'])] },
      { index: 11, body: [entry('users-a', OLD, ['passing']), entry('users-b', NEW, ['critical'])] },
      { index: 14, body: [entry('users-a', OLD, ['passing']), entry('users-b', NEW, ['passing'])] },
    ];
    const before = await readHealth(url, 'boot-token', 'users');
    expect(before.index).toBe(10);

    const seen = await watchFirstNewInstance(url, 'boot-token', 'users', before, revisionsOf(before.instances), { timeoutMs: 5_000 });

    expect(seen.instance).toEqual({ id: 'users-b', taskDefinitionArn: NEW, passing: false });
    expect(seen.passingAt).toBeGreaterThan(seen.registeredAt);
    expect(requests).toEqual([
      { index: null, token: 'boot-token' },
      { index: '10', token: 'boot-token' },
      { index: '11', token: 'boot-token' },
    ]);
  });

  it('starts again from index 0 when the index goes backwards (Consul\'s rule for blocking clients)', async () => {
    sequence = [
      { index: 20, body: [entry('users-a', OLD, ['passing'])] },
      { index: 5, body: [entry('users-a', OLD, ['passing'])] },
      { index: 6, body: [entry('users-a', OLD, ['passing']), entry('users-b', NEW, ['passing'])] },
    ];
    // A server that answers index 5 to a query at 20 has been reset: the next query must not block on 20.
    const seen = await watchFirstNewInstance(url, 't', 'users', { index: 3, instances: [] }, new Set([OLD]), { timeoutMs: 5_000 });
    expect(seen.instance.id).toBe('users-b');
    expect(seen.registeredAt).toBe(seen.passingAt);
    expect(requests.map((r) => r.index)).toEqual(['3', '20', '0']);
    expect(sequence).toHaveLength(1);
  });

  it('gives up with ConditionTimedOut when no new revision appears in time', async () => {
    script = [{ index: 30, body: [entry('users-a', OLD, ['passing'])] }];
    await expect(watchFirstNewInstance(url, 't', 'users', { index: 30, instances: [] }, new Set([OLD]), { timeoutMs: 120 })).rejects.toThrow(ConditionTimedOut);
  });
});
