import { createConsulClient } from '../../../layers/adapters/consul';
import { handleTaskEvent, type TaskEventDeps } from '../../../layers/churn/task-event';
import { buildIdFilter } from '../../../layers/churn/catalog-writer';
import { loadEvent } from '../../fixtures/events/load';
import { RecordingLogger } from '../../unit/churn/recording';
import { referenceSpec, startCountingConsul, type CountingConsul } from './consul-support';

const TASK_ID = '4f9a1c2b8e7d4a6f9b0c1d2e3f4a5b6c';
const USERS = `users-${TASK_ID}`;
const USERS_PROXY = `${USERS}-sidecar-proxy`;

/** A node-services read as it went over the wire: its query and the service IDs Consul answered. */
interface NodeRead {
  path: string;
  filter: string | null;
  answeredIds: string[];
}

describe('the task-event read of the stored task', () => {
  const spec = referenceSpec();
  let consul: CountingConsul;
  let reads: NodeRead[];

  /** A client whose fetch records every node-services request and the IDs of the answer. */
  const recordingDeps = (): TaskEventDeps => {
    const recording: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      const url = new URL(String(input));
      if (url.pathname.startsWith('/v1/catalog/node-services/')) {
        const body = (await response.clone().json()) as { Services: Array<{ ID: string }> | null } | null;
        reads.push({ path: url.pathname, filter: url.searchParams.get('filter'), answeredIds: (body?.Services ?? []).map((s) => s.ID) });
      }
      return response;
    };
    return {
      consul: createConsulClient({ address: consul.server.url, fetchImpl: recording, timeoutMs: 2000 }),
      meshName: spec.name,
      logger: new RecordingLogger(),
      now: () => new Date('2026-11-24T10:20:00Z'),
    };
  };

  /** Other tasks of the same cluster, so an unfiltered read would answer them too. */
  async function registerNeighbours(count: number): Promise<void> {
    const client = consul.newClient();
    for (let i = 0; i < count; i += 1) {
      await client.txn([
        {
          Service: {
            Verb: 'set',
            Node: 'cluster-1',
            Service: { ID: `activities-neighbour${i}`, Service: 'activities', Address: `10.0.1.${10 + i}`, Port: 8081, Tags: [], Meta: { 'task-version': '1' } },
          },
        },
      ]);
    }
  }

  beforeEach(async () => {
    reads = [];
    consul = await startCountingConsul();
    await consul.deploySpec(spec);
  });

  afterEach(async () => {
    await consul.close();
  });

  it('asks Consul for the task instance and its sidecar by ID, and gets only those entries', async () => {
    await handleTaskEvent(loadEvent('task-running'), recordingDeps());
    await registerNeighbours(3);
    reads = [];

    const outcome = await handleTaskEvent(loadEvent('task-unhealthy'), recordingDeps());

    expect(outcome).toMatchObject({ action: 'updated', version: 5 });
    expect(reads).toEqual([
      { path: '/v1/catalog/node-services/cluster-1', filter: `ID == "${USERS}" or ID == "${USERS_PROXY}"`, answeredIds: [USERS, USERS_PROXY] },
    ]);
    // The node holds more than the task's entries: the filter, not the catalog, made the answer small.
    expect(consul.server.catalog().services.filter((s) => s.Node === 'cluster-1')).toHaveLength(5);
  });

  it('still guards on the stored version through the filtered read: a stale event writes nothing', async () => {
    await handleTaskEvent(loadEvent('task-unhealthy'), recordingDeps());
    await registerNeighbours(2);
    const before = consul.server.writeCount();

    const stale = await handleTaskEvent(loadEvent('task-running'), recordingDeps());

    expect(stale).toMatchObject({ action: 'ignored', reason: 'stale' });
    expect(consul.server.writeCount() - before).toBe(0);
    expect(reads.at(-1)?.answeredIds).toEqual([USERS, USERS_PROXY]);
  });

  it('reads an unregistered task with the filter and gets an empty answer, then registers it', async () => {
    await registerNeighbours(2);

    const outcome = await handleTaskEvent(loadEvent('task-running'), recordingDeps());

    expect(outcome).toMatchObject({ action: 'registered' });
    expect(reads).toEqual([{ path: '/v1/catalog/node-services/cluster-1', filter: `ID == "${USERS}" or ID == "${USERS_PROXY}"`, answeredIds: [] }]);
  });

  it('filters an ingress gateway task on its one instance ID', async () => {
    await handleTaskEvent(loadEvent('task-ingress-running'), recordingDeps());

    expect(reads).toHaveLength(1);
    expect(reads[0].filter).toMatch(/^ID == "[^"]+"$/);
  });
});

describe('buildIdFilter', () => {
  it('joins the IDs with or, quoting each', () => {
    expect(buildIdFilter(['a-1', 'a-1-sidecar-proxy'])).toBe('ID == "a-1" or ID == "a-1-sidecar-proxy"');
  });

  it('writes an ID holding a double quote as a raw backtick string, which the grammar allows', () => {
    expect(buildIdFilter(['odd"id'])).toBe('ID == `odd"id`');
  });
});
