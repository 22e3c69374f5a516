import { handler as reconcileHandler } from '../../../functions/events/reconcile';
import { handler as taskStateChangeHandler } from '../../../functions/events/task-state-change';
import { startPartialCloud, type PartialCloud } from '@consul-mesh/local-cloud';
import { loadEvent } from '../../fixtures/events/load';
import { referenceSpec, startCountingConsul, type CountingConsul } from './consul-support';

/**
 * The Lambda handlers as the runtime calls them: configuration from the environment, clients built on first use
 * (the AWS SDK finds the local endpoint through AWS_ENDPOINT_URL), metrics flushed as EMF on stdout.
 */
describe('task-churn handlers', () => {
  const saved = { ...process.env };
  let consul: CountingConsul;
  let cloud: PartialCloud;
  let stdout: string[];
  let write: jest.SpyInstance;

  beforeAll(async () => {
    consul = await startCountingConsul();
    await consul.deploySpec(referenceSpec());
    cloud = await startPartialCloud({ ecs: { delays: { provisioningMs: 1 } } });
    Object.assign(process.env, {
      MESH_NAME: 'reference-mesh',
      CONSUL_HTTP_ADDR: consul.server.url,
      AWS_ENDPOINT_URL: cloud.aws.url,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      LOG_LEVEL: 'ERROR',
    });
    delete process.env.CONSUL_TOKEN_PARAMETER;
  });

  beforeEach(() => {
    stdout = [];
    write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stdout.push(String(chunk));
      return true;
    });
  });

  afterEach(() => write.mockRestore());

  afterAll(async () => {
    process.env = saved;
    await cloud.close();
    await consul.close();
  });

  /** The metrics of the EMF documents written to stdout (name → value). */
  const emitted = () =>
    Object.assign(
      {},
      ...stdout
        .flatMap((chunk) => chunk.split('\n'))
        .filter((line) => line.includes('"_aws"'))
        .map((line) => {
          const doc = JSON.parse(line) as { _aws: { CloudWatchMetrics: Array<{ Namespace: string; Metrics: Array<{ Name: string }> }> } } & Record<string, unknown>;
          const [directive] = doc._aws.CloudWatchMetrics;
          return Object.fromEntries(directive.Metrics.map((m) => [`${directive.Namespace}/${m.Name}`, doc[m.Name]]));
        }),
    ) as Record<string, unknown>;

  // First: the deployed spec is cached once read, and this case needs its read to meet a Consul without a leader.
  it('logs a task event that Consul cannot take yet (no leader) as INFO, not ERROR: Lambda retries it', async () => {
    // Three servers expected, none running: Consul answers 500 "No cluster leader", as while the mesh's servers start.
    consul.server.setQuorumSource(() => ({ expected: 3, serverAddresses: [] }));
    process.env.LOG_LEVEL = 'INFO';
    try {
      await expect(taskStateChangeHandler(loadEvent('task-running'))).rejects.toMatchObject({ name: 'ConsulUnavailable' });
    } finally {
      consul.server.setQuorumSource(undefined);
    }
    const logged = stdout.flatMap((chunk) => chunk.split('\n')).filter((line) => line.includes('"level"')).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logged.map((l) => [l.level, l.message, (l.error as { name?: string } | undefined)?.name])).toEqual([['INFO', 'task state change deferred: Lambda retries the event', 'ConsulUnavailable']]);
    expect(emitted()).toEqual({ 'consul-mesh/TaskEventFailed': 1 });
  });

  it('registers a task from an ECS Task State Change event and counts it', async () => {
    const outcome = await taskStateChangeHandler(loadEvent('task-running'));

    expect(outcome).toMatchObject({ action: 'registered', cluster: 'cluster-1' });
    expect(consul.server.catalog().services.map((s) => s.Service).sort()).toEqual(['users', 'users-sidecar-proxy']);
    expect(emitted()).toEqual({ 'consul-mesh/TaskRegistered': 1 });
  });

  it('throws InvalidEvent for a malformed event, counted, so it ends in the on-failure queue', async () => {
    const event = loadEvent('task-running');
    delete (event.detail as Record<string, unknown>).taskArn;

    await expect(taskStateChangeHandler(event)).rejects.toMatchObject({ name: 'InvalidEvent' });
    expect(emitted()).toMatchObject({ 'consul-mesh/TaskEventFailed': 1, 'consul-mesh/InvalidTaskEvent': 1 });
  });

  it('runs a reconcile from the schedule and publishes its summary', async () => {
    const summary = await reconcileHandler({ 'detail-type': 'Scheduled Event', source: 'aws.events', time: '2026-11-25T00:00:00Z' });

    // No ECS cluster exists in this endpoint: the registered task has no running task and is removed.
    expect(summary).toMatchObject({ mesh: 'reference-mesh', clusters: 3, deregistered: 1, ecsCalls: 3 });
    expect(emitted()).toMatchObject({ 'consul-mesh/ReconcileDeregistered': 1, 'consul-mesh/ReconcileEcsCalls': 3 });
  });

  it('refuses to reconcile on an event that is not its schedule', async () => {
    await expect(reconcileHandler(loadEvent('task-running'))).rejects.toMatchObject({ name: 'InvalidInput' });
  });
});
