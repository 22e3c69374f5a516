import { decide, decideBeforeRead, registrationIds, registrationIdsOf, type StoredRegistration } from '../../../layers/domain/registration';
import { referenceSpec } from '../ecs/support';
import { replay } from './apply';
import { taskOf } from './support';

const TASK_ID = '4f9a1c2b8e7d4a6f9b0c1d2e3f4a5b6c';
const USERS_IDS = {
  node: 'cluster-1',
  serviceIds: [`users-${TASK_ID}`, `users-${TASK_ID}-sidecar-proxy`],
  services: [
    { ID: `users-${TASK_ID}`, Service: 'users' },
    { ID: `users-${TASK_ID}-sidecar-proxy`, Service: 'users-sidecar-proxy' },
  ],
  checkIds: [`users-${TASK_ID}:ecs-health`, `users-${TASK_ID}-sidecar-proxy:ecs-health`],
};
const registered = (version: number, status: 'passing' | 'critical' = 'passing', address = '10.0.1.139'): StoredRegistration => ({ state: 'registered', version, address, status });
const tombstone = (version: number): StoredRegistration => ({ state: 'deregistered', version, reason: 'stopped' });

describe('decide', () => {
  const spec = referenceSpec();

  describe('register', () => {
    it('registers a RUNNING task that is not registered', () => {
      const decision = decide(undefined, taskOf('task-running'), spec);
      expect(decision).toMatchObject({ action: 'register', member: { role: 'service', cluster: 'cluster-1', service: { name: 'users' } } });
    });

    it('registers a PENDING task as soon as its dataplane runs (the proxy needs it to become ready)', () => {
      expect(decide(undefined, taskOf('task-pending-proxy-running'), spec).action).toBe('register');
    });

    it('registers a gateway task', () => {
      expect(decide(undefined, taskOf('task-ingress-running'), spec)).toMatchObject({ action: 'register', member: { role: 'ingress-gateway' } });
    });

    it('registers a task without an ENI when the caller knows its address', () => {
      const hostTask = taskOf('task-running', (d) => {
        d.attachments = [];
        for (const c of d.containers as Array<Record<string, unknown>>) c.networkInterfaces = [];
      });
      expect(decide(undefined, hostTask, spec)).toEqual({ action: 'ignore', reason: 'no-address' });
      expect(decide(undefined, hostTask, spec, { address: '10.0.9.9' })).toMatchObject({ action: 'register', address: '10.0.9.9' });
    });
  });

  describe('update', () => {
    it('flips the check to critical when ECS health turns UNHEALTHY', () => {
      expect(decide(registered(4, 'passing'), taskOf('task-unhealthy'), spec)).toMatchObject({
        action: 'update',
        changes: [
          { field: 'status', from: 'passing', to: 'critical' },
          { field: 'version', from: '4', to: '5' },
        ],
      });
    });

    it('flips the check back to passing when the task is HEALTHY again', () => {
      const healthyAgain = taskOf('task-running', (d) => void (d.version = 7));
      expect(decide(registered(5, 'critical'), healthyAgain, spec)).toMatchObject({ action: 'update', changes: [{ field: 'status', from: 'critical', to: 'passing' }, { field: 'version', from: '5', to: '7' }] });
    });

    it('passes the check once a task registered while PENDING is RUNNING and HEALTHY', () => {
      expect(decide(registered(2, 'critical'), taskOf('task-running'), spec)).toMatchObject({ action: 'update', changes: [{ field: 'status', to: 'passing' }, { field: 'version', from: '2', to: '4' }] });
    });

    it('moves the instance when the address changed', () => {
      expect(decide(registered(3, 'passing', '10.0.1.7'), taskOf('task-running'), spec)).toMatchObject({ action: 'update', address: '10.0.1.139', changes: [{ field: 'address', from: '10.0.1.7', to: '10.0.1.139' }, { field: 'version' }] });
    });

    it('reports both changes at once', () => {
      const decision = decide(registered(4, 'passing', '10.0.1.7'), taskOf('task-unhealthy'), spec);
      expect(decision.action === 'update' && decision.changes.map((c) => c.field)).toEqual(['address', 'status', 'version']);
    });

    it('records a newer version even when nothing else changed, so an older event cannot overwrite it later', () => {
      const later = taskOf('task-running', (d) => void (d.version = 5));
      expect(decide(registered(4, 'passing'), later, spec)).toMatchObject({ action: 'update', address: '10.0.1.139', changes: [{ field: 'version', from: '4', to: '5' }] });
    });

    it('keeps the registered address when a newer event carries none', () => {
      const noAddress = taskOf('task-unhealthy', (d) => {
        d.attachments = [];
        for (const c of d.containers as Array<Record<string, unknown>>) c.networkInterfaces = [];
      });
      expect(decide(registered(4, 'passing', '10.0.9.9'), noAddress, spec)).toMatchObject({ action: 'update', address: '10.0.9.9', changes: [{ field: 'status' }, { field: 'version' }] });
    });

    it('marks a registered task critical when a newer event says it is no longer running', () => {
      const regressed = taskOf('task-pending-proxy-running', (d) => {
        d.version = 3;
        (d.containers as Array<Record<string, unknown>>)[1].lastStatus = 'PENDING';
      });
      expect(decide(registered(2, 'passing'), regressed, spec)).toMatchObject({ action: 'update', changes: [{ field: 'status', to: 'critical' }, { field: 'version' }] });
    });
  });

  describe('deregister', () => {
    it('deregisters as soon as desiredStatus is STOPPED, while the task still runs', () => {
      expect(decide(registered(5, 'critical'), taskOf('task-desired-stopped'), spec)).toEqual({
        action: 'deregister',
        reason: 'desired-stopped',
        detail: 'ServiceSchedulerInitiated: Task failed container health checks',
        ids: USERS_IDS,
        wasRegistered: true,
      });
    });

    it('deregisters a STOPPED task and says why ECS stopped it', () => {
      expect(decide(registered(4), taskOf('task-stopped'), spec)).toEqual({
        action: 'deregister',
        reason: 'stopped',
        detail: 'EssentialContainerExited: Essential container in task exited',
        ids: USERS_IDS,
        wasRegistered: true,
      });
    });

    it.each(['DEACTIVATING', 'STOPPING', 'DEPROVISIONING'])('deregisters a task in %s', (lastStatus) => {
      const task = taskOf('task-stopped', (d) => void (d.lastStatus = lastStatus));
      expect(decide(registered(4), task, spec)).toMatchObject({ action: 'deregister', reason: 'stopping' });
    });

    it('deregisters (writing the tombstone) a task that stops before its RUNNING event arrived', () => {
      expect(decide(undefined, taskOf('task-stopped'), spec)).toMatchObject({ action: 'deregister', reason: 'stopped', wasRegistered: false, ids: USERS_IDS });
    });

    it('deregisters a registered task whose service left the spec', () => {
      const smaller = referenceSpec();
      smaller.clusters[0].services = smaller.clusters[0].services.filter((s) => s.name !== 'users');
      expect(decide(registered(3), taskOf('task-running'), smaller)).toEqual({ action: 'deregister', reason: 'left-mesh', ids: USERS_IDS, wasRegistered: true });
    });

    it('deregisters a gateway task with its one instance', () => {
      const stopping = taskOf('task-ingress-running', (d) => void (d.desiredStatus = 'STOPPED'));
      expect(decide(registered(4), { ...stopping, version: 5 }, spec)).toMatchObject({
        action: 'deregister',
        ids: {
          node: 'ingress',
          serviceIds: ['ingress-gateway-5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b'],
          services: [{ ID: 'ingress-gateway-5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b', Service: 'ingress-gateway' }],
          checkIds: ['ingress-gateway-5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b:ecs-health'] },
      });
    });
  });

  describe('ignore', () => {
    it('ignores an older event as stale', () => {
      expect(decide(registered(5, 'critical'), taskOf('task-running'), spec)).toEqual({ action: 'ignore', reason: 'stale' });
    });

    it('ignores a stale STOPPED-looking event too: versions decide before statuses', () => {
      expect(decide(registered(9), taskOf('task-desired-stopped'), spec)).toEqual({ action: 'ignore', reason: 'stale' });
    });

    it('ignores the same version again as a duplicate', () => {
      expect(decide(registered(4), taskOf('task-running'), spec)).toEqual({ action: 'ignore', reason: 'duplicate' });
    });

    it('never re-registers a deregistered task from a late RUNNING event, whatever its version', () => {
      expect(decide(tombstone(8), taskOf('task-running'), spec)).toEqual({ action: 'ignore', reason: 'already-deregistered' });
      expect(decide(tombstone(8), taskOf('task-running', (d) => void (d.version = 99)), spec)).toEqual({ action: 'ignore', reason: 'already-deregistered' });
      expect(decide(tombstone(6), taskOf('task-stopped'), spec)).toEqual({ action: 'ignore', reason: 'already-deregistered' });
    });

    it('ignores tasks outside the mesh', () => {
      expect(decide(undefined, taskOf('task-outside-mesh'), spec)).toEqual({ action: 'ignore', reason: 'not-in-mesh' });
      expect(decide(undefined, taskOf('task-outside-mesh', (d) => void (d.lastStatus = 'STOPPED')), spec)).toEqual({ action: 'ignore', reason: 'not-in-mesh' });
    });

    it('ignores a task that is not running yet', () => {
      const pending = taskOf('task-pending-proxy-running', (d) => void ((d.containers as Array<Record<string, unknown>>)[1].lastStatus = 'PENDING'));
      expect(decide(undefined, pending, spec)).toEqual({ action: 'ignore', reason: 'not-running-yet' });
      const provisioning = taskOf('task-running', (d) => {
        d.lastStatus = 'PROVISIONING';
        for (const c of d.containers as Array<Record<string, unknown>>) c.lastStatus = 'PENDING';
      });
      expect(decide(undefined, provisioning, spec)).toEqual({ action: 'ignore', reason: 'not-running-yet' });
    });

    it('parses an event with unknown fields like any other', () => {
      expect(decide(undefined, taskOf('task-unknown-fields'), spec).action).toBe('register');
    });
  });

  describe('Consul server tasks', () => {
    it('never registers them but reports that the servers changed', () => {
      expect(decide(undefined, taskOf('task-server-running'), spec)).toEqual({ action: 'servers-changed', phase: 'running', taskArn: 'arn:aws:ecs:us-east-1:111122223333:task/consul-server/0a1b2c3d4e5f60718293a4b5c6d7e8f9' });
      expect(decide(undefined, taskOf('task-server-running', (d) => void (d.desiredStatus = 'STOPPED')), spec)).toMatchObject({ action: 'servers-changed', phase: 'stopping' });
      expect(decide(undefined, taskOf('task-server-running', (d) => void (d.lastStatus = 'PENDING')), spec)).toEqual({ action: 'ignore', reason: 'not-running-yet' });
    });
  });

  it('derives the deregistration ids of a member', () => {
    const decision = decide(undefined, taskOf('task-running'), spec);
    if (decision.action !== 'register') throw new Error('expected register');
    expect(registrationIds(decision.member)).toEqual(USERS_IDS);
  });
});

describe('decideBeforeRead (what an event settles without reading the catalog)', () => {
  const spec = referenceSpec();
  const outsider = (change: (d: Record<string, unknown>) => void = () => undefined) =>
    taskOf('task-running', (d) => {
      d.clusterArn = 'arn:aws:ecs:us-east-1:111122223333:cluster/not-a-mesh-cluster';
      d.taskArn = `arn:aws:ecs:us-east-1:111122223333:task/not-a-mesh-cluster/${TASK_ID}`;
      change(d);
    });

  it('settles a task of a cluster that is not the mesh\'s, running or stopping', () => {
    expect(decideBeforeRead(outsider(), spec)).toEqual({ action: 'ignore', reason: 'not-in-mesh' });
    expect(decideBeforeRead(outsider((d) => void (d.desiredStatus = 'STOPPED')), spec)).toEqual({ action: 'ignore', reason: 'not-in-mesh' });
  });

  it('settles a running task of a mesh cluster that is not a member, but reads a stopping one (its service may have left the spec)', () => {
    expect(decideBeforeRead(taskOf('task-outside-mesh', (d) => void (d.desiredStatus = 'RUNNING')), spec)).toEqual({ action: 'ignore', reason: 'not-in-mesh' });
    expect(decideBeforeRead(taskOf('task-outside-mesh', (d) => void (d.desiredStatus = 'STOPPED')), spec)).toEqual({ action: 'read-catalog', member: undefined });
  });

  it('settles a member that is still starting', () => {
    const provisioning = taskOf('task-running', (d) => {
      d.lastStatus = 'PROVISIONING';
      for (const c of d.containers as Array<Record<string, unknown>>) c.lastStatus = 'PENDING';
    });
    expect(decideBeforeRead(provisioning, spec)).toEqual({ action: 'ignore', reason: 'not-running-yet' });
  });

  it('settles Consul server tasks as decide does', () => {
    const server = taskOf('task-server-running');
    expect(decideBeforeRead(server, spec)).toEqual(decide(undefined, server, spec));
    expect(decideBeforeRead(taskOf('task-server-running', (d) => void (d.lastStatus = 'PENDING')), spec)).toEqual({ action: 'ignore', reason: 'not-running-yet' });
  });

  it('asks for the catalog for a running or stopping member, naming it', () => {
    expect(decideBeforeRead(taskOf('task-running'), spec)).toMatchObject({ action: 'read-catalog', member: { role: 'service', service: { name: 'users' } } });
    expect(decideBeforeRead(taskOf('task-stopped'), spec)).toMatchObject({ action: 'read-catalog', member: { role: 'service' } });
    expect(decideBeforeRead(taskOf('task-ingress-running'), spec)).toMatchObject({ action: 'read-catalog', member: { role: 'ingress-gateway' } });
  });
});

describe('registrationIdsOf', () => {
  const spec = referenceSpec();

  it('gives a member\'s registration IDs', () => {
    const decision = decide(undefined, taskOf('task-running'), spec);
    if (decision.action !== 'register') throw new Error('expected register');
    expect(registrationIdsOf(taskOf('task-running'), decision.member)).toEqual(USERS_IDS);
  });

  it('names the entries of a task without a member after its group, as the left-mesh deregistration deletes them', () => {
    const left = taskOf('task-running', (d) => void (d.group = 'service:retired'));
    const decision = decide(registered(3), left, spec);
    expect(registrationIdsOf(left, undefined)).toEqual({
      node: 'cluster-1',
      serviceIds: [`retired-${TASK_ID}`, `retired-${TASK_ID}-sidecar-proxy`],
      services: [
        { ID: `retired-${TASK_ID}`, Service: 'retired' },
        { ID: `retired-${TASK_ID}-sidecar-proxy`, Service: 'retired-sidecar-proxy' },
      ],
      checkIds: [`retired-${TASK_ID}:ecs-health`, `retired-${TASK_ID}-sidecar-proxy:ecs-health`],
    });
    expect(decision).toEqual({ action: 'deregister', reason: 'left-mesh', ids: registrationIdsOf(left, undefined), wasRegistered: true });
  });
});

describe('event sequences (at-least-once, out of order)', () => {
  const spec = referenceSpec();
  const pending = taskOf('task-pending-proxy-running');
  const running = taskOf('task-running');
  const unhealthy = taskOf('task-unhealthy');
  const desiredStopped = taskOf('task-desired-stopped');
  const stopped = taskOf('task-stopped');

  it('follows a task through its life in order', () => {
    const { stored, decisions } = replay([pending, running, unhealthy, desiredStopped, stopped], spec);
    expect(decisions.map((d) => d.action)).toEqual(['register', 'update', 'update', 'deregister', 'ignore']);
    expect(stored).toEqual({ state: 'deregistered', version: 6, taskArn: running.taskArn, reason: 'desired-stopped' });
  });

  it('keeps a task out when STOPPED arrives before RUNNING', () => {
    const { stored, decisions } = replay([stopped, running, pending, unhealthy], spec);
    expect(decisions.map((d) => d.action)).toEqual(['deregister', 'ignore', 'ignore', 'ignore']);
    expect(stored?.state).toBe('deregistered');
  });

  it('applies duplicates once and skips a reordered older health event', () => {
    const { stored, decisions } = replay([running, running, unhealthy, running, unhealthy], spec);
    expect(decisions.map((d) => (d.action === 'ignore' ? d.reason : d.action))).toEqual(['register', 'duplicate', 'update', 'stale', 'duplicate']);
    expect(stored).toMatchObject({ state: 'registered', version: 5, status: 'critical' });
  });

  it('does not let an older HEALTHY event undo a newer UNHEALTHY one that changed nothing at the time', () => {
    const { stored, decisions } = replay([pending, unhealthy, running], spec);
    expect(decisions.map((d) => (d.action === 'ignore' ? d.reason : d.action))).toEqual(['register', 'update', 'stale']);
    expect(stored).toMatchObject({ state: 'registered', version: 5, status: 'critical' });
    expect(stored).toMatchObject({ state: 'registered', version: 5, status: 'critical' });
  });
});
