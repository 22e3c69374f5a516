import { ConsulAclDeniedError, ConsulUnavailableError } from '../../../layers/errors';
import { handleTaskEvent, type TaskEventDeps } from '../../../layers/churn/task-event';
import { InvalidEventError, tombstoneKey } from '../../../layers/domain/registration';
import type { MeshSpec } from '../../../layers/domain/spec';
import { Faults } from '@consul-mesh/local-cloud';
import { loadEvent, type EventFixture } from '../../fixtures/events/load';
import { RecordingLogger } from '../../unit/churn/recording';
import { referenceSpec, startCountingConsul, type CountingConsul } from './consul-support';

const TASK_ID = '4f9a1c2b8e7d4a6f9b0c1d2e3f4a5b6c';
const USERS = `users-${TASK_ID}`;
const USERS_PROXY = `${USERS}-sidecar-proxy`;

describe('handleTaskEvent (fixtures against the local Consul)', () => {
  const spec = referenceSpec();
  const faults = new Faults(3);
  let consul: CountingConsul;
  let logger: RecordingLogger;

  const deps = (overrides: Partial<TaskEventDeps> = {}): TaskEventDeps => ({
    consul: consul.client,
    meshName: spec.name,
    logger,
    now: () => new Date('2026-11-24T10:20:00Z'),
    ...overrides,
  });
  const handle = (name: Exclude<EventFixture, 'describe-tasks-running'>, change: (detail: Record<string, unknown>) => void = () => undefined, d = deps()) => {
    const event = loadEvent(name);
    change(event.detail as Record<string, unknown>);
    return handleTaskEvent(event, d);
  };
  const writes = () => consul.server.writeCount();
  const services = () => consul.server.catalog().services;
  const checks = () => consul.server.catalog().checks;
  const tombstone = (cluster = 'cluster-1', taskId = TASK_ID) => consul.server.catalog().kv.find((e) => e.Key === tombstoneKey(spec, cluster, taskId));

  beforeEach(async () => {
    faults.reset();
    logger = new RecordingLogger();
    consul = await startCountingConsul({ faults });
    await consul.deploySpec(spec);
  });

  afterEach(async () => {
    await consul.close();
  });

  it('registers a RUNNING task: instance, sidecar proxy and their checks in one transaction', async () => {
    const before = writes();

    const outcome = await handle('task-running');

    expect(outcome).toMatchObject({ action: 'registered', cluster: 'cluster-1', version: 4, address: '10.0.1.139', status: 'passing' });
    expect(writes() - before).toBe(1);
    expect(consul.requests.filter((r) => r === 'PUT /v1/txn')).toHaveLength(1);
    const [instance, proxy] = [services().find((s) => s.ID === USERS), services().find((s) => s.ID === USERS_PROXY)];
    expect(instance).toMatchObject({ Node: 'cluster-1', Service: 'users', Address: '10.0.1.139', Port: 8080, Meta: { 'task-version': '4', 'task-arn': expect.stringContaining(TASK_ID) } });
    expect(proxy).toMatchObject({
      Kind: 'connect-proxy',
      Service: 'users-sidecar-proxy',
      Port: 20000,
      Proxy: { DestinationServiceName: 'users', DestinationServiceID: USERS, LocalServicePort: 8080, Upstreams: [expect.objectContaining({ DestinationName: 'todos', LocalBindPort: 1234 })] },
    });
    expect(new Map(checks().map((c) => [c.CheckID, c.Status]))).toEqual(
      new Map([
        [`${USERS}:ecs-health`, 'passing'],
        [`${USERS_PROXY}:ecs-health`, 'passing'],
      ]),
    );
    expect(consul.server.catalog().nodes.find((n) => n.Node === 'cluster-1')?.Meta).toMatchObject({ 'synthetic-node': 'true' });
  });

  it('registers a PENDING task once its dataplane runs, with a critical check until ECS reports it healthy', async () => {
    const pending = await handle('task-pending-proxy-running');
    const running = await handle('task-running');

    expect(pending).toMatchObject({ action: 'registered', status: 'critical', version: 2 });
    expect(running).toMatchObject({ action: 'updated', status: 'passing', version: 4 });
    expect(checks().every((c) => c.Status === 'passing')).toBe(true);
  });

  it('updates the checks when ECS health changes, in one write', async () => {
    await handle('task-running');
    const before = writes();

    const outcome = await handle('task-unhealthy');

    expect(outcome).toMatchObject({ action: 'updated', version: 5, status: 'critical', changes: [{ field: 'version', from: '4', to: '5' }] });
    expect(writes() - before).toBe(1);
    expect(checks().map((c) => c.Status)).toEqual(['critical', 'critical']);
    expect(services().find((s) => s.ID === USERS)?.Meta).toMatchObject({ 'task-version': '5' });
  });

  it('moves the registration when a newer event carries another address', async () => {
    await handle('task-running');

    const outcome = await handle('task-unhealthy', (d) => {
      for (const c of d.containers as Array<{ networkInterfaces: Array<Record<string, string>> }>) c.networkInterfaces = [{ privateIpv4Address: '10.0.1.200' }];
    });

    expect(outcome).toMatchObject({ action: 'updated', changes: [{ field: 'address', from: '10.0.1.139', to: '10.0.1.200' }, { field: 'version' }] });
    expect(services().filter((s) => s.Node === 'cluster-1').map((s) => s.Address)).toEqual(['10.0.1.200', '10.0.1.200']);
  });

  it('deregisters as soon as desiredStatus is STOPPED, while the task still runs, and leaves a tombstone in the same write', async () => {
    await handle('task-running');
    const before = writes();

    const outcome = await handle('task-desired-stopped');

    expect(outcome).toMatchObject({ action: 'deregistered', reason: 'desired-stopped', wasRegistered: true, tombstone: true, version: 6 });
    expect(writes() - before).toBe(1);
    expect(services().filter((s) => s.Node === 'cluster-1')).toEqual([]);
    expect(checks()).toEqual([]);
    expect(JSON.parse(tombstone()?.Value ?? '{}')).toMatchObject({ state: 'deregistered', version: 6, cluster: 'cluster-1', deregisteredAt: '2026-11-24T10:20:00.000Z' });
  });

  it('deregisters a STOPPED task and records its stop code in the tombstone', async () => {
    await handle('task-running');

    const outcome = await handle('task-stopped');

    expect(outcome).toMatchObject({ action: 'deregistered', reason: 'stopped', detail: expect.stringContaining('EssentialContainerExited') });
    expect(services()).toEqual([]);
    expect(JSON.parse(tombstone()?.Value ?? '{}')).toMatchObject({ version: 8, reason: expect.stringContaining('stopped: EssentialContainerExited') });
  });

  it('writes only the tombstone when STOPPED arrives before any RUNNING, which then stays out', async () => {
    const stopped = await handle('task-stopped');
    const before = writes();
    const late = await handle('task-running');

    expect(stopped).toMatchObject({ action: 'deregistered', wasRegistered: false, tombstone: true });
    expect(late).toMatchObject({ action: 'ignored', reason: 'already-deregistered' });
    expect(writes() - before).toBe(0);
    expect(services()).toEqual([]);
  });

  it('keeps a deregistered task out when its RUNNING event is delivered late', async () => {
    await handle('task-running');
    await handle('task-desired-stopped');
    const before = writes();

    const late = await Promise.all([handle('task-unhealthy'), handle('task-running'), handle('task-desired-stopped')]);

    expect(late.map((o) => o.action === 'ignored' && o.reason)).toEqual(['already-deregistered', 'already-deregistered', 'already-deregistered']);
    expect(writes() - before).toBe(0);
    expect(services()).toEqual([]);
  });

  it('ignores a duplicate and a stale event without writing', async () => {
    await handle('task-unhealthy');
    const before = writes();

    const duplicate = await handle('task-unhealthy');
    const stale = await handle('task-running');

    expect(duplicate).toMatchObject({ action: 'ignored', reason: 'duplicate' });
    expect(stale).toMatchObject({ action: 'ignored', reason: 'stale' });
    expect(writes() - before).toBe(0);
    expect(checks().map((c) => c.Status)).toEqual(['critical', 'critical']);
  });

  it('tolerates fields ECS may add to events', async () => {
    const outcome = await handle('task-unknown-fields');

    expect(outcome).toMatchObject({ action: 'registered', address: '10.0.1.139' });
  });

  it('registers an ingress gateway task as one ingress-gateway instance at its listener port', async () => {
    const outcome = await handle('task-ingress-running');

    expect(outcome).toMatchObject({ action: 'registered', cluster: 'ingress' });
    const registered = services().filter((s) => s.Node === 'ingress');
    expect(registered).toHaveLength(1);
    expect(registered[0]).toMatchObject({ Kind: 'ingress-gateway', Service: 'ingress-gateway', Port: 80 });
    expect(registered[0].Proxy ?? {}).not.toHaveProperty('DestinationServiceName');
  });

  it('registers nothing for a Consul server task and records it against the Raft peers', async () => {
    const before = writes();

    const outcome = await handle('task-server-running');

    expect(outcome).toMatchObject({ action: 'servers-changed', server: { phase: 'running', peers: ['127.0.0.1:8300'], inPeers: false } });
    expect(writes() - before).toBe(0);
    expect(logger.lines).toContainEqual(expect.objectContaining({ level: 'info', message: 'consul server task changed' }));
  });

  it('ignores a task the deployed spec does not know after reading the spec again once, and writes nothing', async () => {
    await handle('task-running');
    const sent = consul.requests.length;

    const otherService = await handle('task-outside-mesh');
    const otherCluster = await handle('task-running', (d) => {
      d.clusterArn = 'arn:aws:ecs:us-east-1:111122223333:cluster/batch-jobs';
      d.taskArn = 'arn:aws:ecs:us-east-1:111122223333:task/batch-jobs/0123456789abcdef0123456789abcdef';
    });

    expect([otherService, otherCluster]).toEqual([
      expect.objectContaining({ action: 'ignored', reason: 'not-in-mesh' }),
      expect.objectContaining({ action: 'ignored', reason: 'not-in-mesh' }),
    ]);
    // The rule only sends the mesh's task-definition families: an unknown task may belong to a cluster or service
    // that a deployment has just added, so the cached spec is checked again (one KV read), and nothing else is read.
    expect(consul.requests.slice(sent)).toEqual(['GET /v1/kv/consul-mesh/reference-mesh/spec', 'GET /v1/kv/consul-mesh/reference-mesh/spec']);
  });

  it('makes no Consul call for a mesh task that is still starting', async () => {
    await handle('task-running');
    const sent = consul.requests.length;

    const outcome = await handle('task-running', (d) => {
      d.taskArn = 'arn:aws:ecs:us-east-1:111122223333:task/cluster-1/fedcba9876543210fedcba9876543210';
      d.lastStatus = 'PENDING';
      d.version = 2;
      for (const c of d.containers as Array<{ lastStatus: string }>) c.lastStatus = 'PENDING';
    });

    expect(outcome).toMatchObject({ action: 'ignored', reason: 'not-running-yet', writes: 0 });
    expect(consul.requests.slice(sent)).toEqual([]);
  });

  it('looks up, but does not write for, a stopping task of a service outside the spec', async () => {
    const before = writes();

    const outcome = await handle('task-outside-mesh', (d) => {
      d.desiredStatus = 'STOPPED';
    });

    expect(outcome).toMatchObject({ action: 'ignored', reason: 'not-in-mesh' });
    expect(writes() - before).toBe(0);
  });

  it('deregisters without tombstone a registered task whose service left the spec', async () => {
    await handle('task-running');
    const withoutUsers: MeshSpec = {
      ...spec,
      clusters: spec.clusters.map((c) => ({ ...c, services: c.services.filter((s) => s.name !== 'users') })),
    };
    await consul.deploySpec(withoutUsers);

    const outcome = await handle('task-desired-stopped', () => undefined, deps({ consul: consul.newClient() }));

    expect(outcome).toMatchObject({ action: 'deregistered', reason: 'left-mesh', tombstone: false });
    expect(services()).toEqual([]);
    expect(tombstone()).toBeUndefined();
  });

  it('converges on the newer state when two containers handle two versions at once', async () => {
    const [a, b] = [deps({ consul: consul.newClient() }), deps({ consul: consul.newClient() })];

    const outcomes = await Promise.all([handle('task-unhealthy', undefined, a), handle('task-running', undefined, b)]);

    // Whichever commits first, the other's guard fails and it decides again on what the first wrote.
    const byVersion = Object.fromEntries(outcomes.map((o) => [o.version, o.action === 'ignored' ? `ignored:${o.reason}` : o.action]));
    expect([
      { 4: 'registered', 5: 'updated' },
      { 5: 'registered', 4: 'ignored:stale' },
    ]).toContainEqual(byVersion);
    expect(logger.lines.filter((l) => l.message.includes('changed concurrently'))).toHaveLength(1);
    expect(services().find((s) => s.ID === USERS)?.Meta).toMatchObject({ 'task-version': '5' });
    expect(checks().map((c) => c.Status)).toEqual(['critical', 'critical']);
  });

  it('ignores events, without failing, while the mesh has no deployed spec', async () => {
    const outcome = await handleTaskEvent(loadEvent('task-running'), deps({ meshName: 'not-deployed' }));

    expect(outcome).toMatchObject({ action: 'ignored', reason: 'no-spec' });
    expect(logger.lines).toContainEqual(expect.objectContaining({ level: 'debug', message: expect.stringContaining('no deployed spec') }));
  });

  it('rejects a malformed event as InvalidEvent before any Consul call', async () => {
    const event = loadEvent('task-running');
    delete (event.detail as Record<string, unknown>).version;

    await expect(handleTaskEvent(event, deps())).rejects.toMatchObject({ name: 'InvalidEvent', message: expect.stringContaining('detail.version') });
    await expect(handleTaskEvent(event, deps())).rejects.toBeInstanceOf(InvalidEventError);
    expect(consul.requests).toEqual([]);
  });

  it('throws ConsulUnavailable while Consul is down, so the event is retried', async () => {
    await handle('task-running');
    faults.takeConsulDown(60_000);

    await expect(handle('task-unhealthy')).rejects.toBeInstanceOf(ConsulUnavailableError);
    await expect(handle('task-unhealthy', undefined, deps({ consul: consul.newClient() }))).rejects.toMatchObject({ name: 'ConsulUnavailable' });
  });
});

describe('handleTaskEvent with ACLs', () => {
  const spec = referenceSpec();
  let consul: CountingConsul;

  beforeAll(async () => {
    consul = await startCountingConsul({ acl: { enabled: true, managementToken: 'root-secret' } });
    consul.server.addToken('reader-secret', 'read');
    await consul.deploySpec(spec);
  });

  afterAll(async () => {
    await consul.close();
  });

  const deps = (token: string): TaskEventDeps => ({ consul: consul.newClient(token), meshName: spec.name, logger: new RecordingLogger() });

  it('throws ConsulAclDenied when the token may read but not write the catalog', async () => {
    const before = consul.server.writeCount();

    await expect(handleTaskEvent(loadEvent('task-running'), deps('reader-secret'))).rejects.toBeInstanceOf(ConsulAclDeniedError);
    expect(consul.server.writeCount()).toBe(before);
  });

  it('throws ConsulAclDenied when Consul does not know the token', async () => {
    await expect(handleTaskEvent(loadEvent('task-running'), deps('unknown-secret'))).rejects.toMatchObject({ name: 'ConsulAclDenied' });
  });

  it('registers with a token that may write', async () => {
    consul.server.addToken('writer-secret', 'write');

    await expect(handleTaskEvent(loadEvent('task-running'), deps('writer-secret'))).resolves.toMatchObject({ action: 'registered' });
  });
});
