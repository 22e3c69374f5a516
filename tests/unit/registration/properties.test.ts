import fc from 'fast-check';
import { decide, decideBeforeRead, findMember, parseTaskStateChange, type EcsTask, type StoredRegistration } from '../../../layers/domain/registration';
import type { MeshSpec } from '../../../layers/domain/spec';
import { loadEvent } from '../../fixtures/events/load';
import { meshSpecArb } from '../ecs/spec-arbitrary';
import { referenceSpec } from '../ecs/support';
import { replay } from './apply';
import { taskOf } from './support';

const RUNS = { numRuns: 80 };
const LAST = ['PROVISIONING', 'PENDING', 'ACTIVATING', 'RUNNING', 'DEACTIVATING', 'STOPPING', 'DEPROVISIONING', 'STOPPED'];

/** Any state of a task of `spec`: a mesh service, the gateway, a server or a stranger, in any status and health. */
function taskArb(spec: MeshSpec): fc.Arbitrary<{ task: Record<string, unknown>; version: number }> {
  const owners: Array<{ cluster: string; group: string }> = [
    { cluster: spec.consul.servers.cluster, group: 'service:consul-server' },
    { cluster: 'not-a-mesh-cluster', group: 'service:whatever' },
    ...spec.clusters.flatMap((c) => c.services.map((s) => ({ cluster: c.name, group: `service:${s.name}` }))),
    ...(spec.ingress ? [{ cluster: spec.ingress.cluster, group: `service:${spec.ingress.name}` }] : []),
  ];
  return fc
    .record({
      owner: fc.constantFrom(...owners),
      lastStatus: fc.constantFrom(...LAST),
      desiredStatus: fc.constantFrom('RUNNING', 'STOPPED'),
      health: fc.constantFrom('HEALTHY', 'UNHEALTHY', 'UNKNOWN'),
      proxyStatus: fc.constantFrom('PENDING', 'RUNNING', 'STOPPED'),
      ip: fc.option(fc.ipV4(), { nil: undefined }),
      version: fc.nat({ max: 1000 }),
    })
    .map(({ owner, lastStatus, desiredStatus, health, proxyStatus, ip, version }) => {
      const event = loadEvent('task-running');
      const d = event.detail as Record<string, unknown>;
      const taskId = '0123456789abcdef0123456789abcdef';
      d.clusterArn = `arn:aws:ecs:us-east-1:111122223333:cluster/${owner.cluster}`;
      d.taskArn = `arn:aws:ecs:us-east-1:111122223333:task/${owner.cluster}/${taskId}`;
      d.group = owner.group;
      Object.assign(d, { lastStatus, desiredStatus, healthStatus: health, version });
      const containers = d.containers as Array<Record<string, unknown>>;
      containers[1].lastStatus = proxyStatus;
      for (const c of containers) c.networkInterfaces = ip ? [{ privateIpv4Address: ip }] : [];
      if (!ip) d.attachments = [];
      return { task: event, version };
    });
}

const specAndTask = meshSpecArb.chain((spec) => taskArb(spec).map((t) => ({ spec, ...t })));

describe('decide on any spec and any task state', () => {
  it('never registers or updates on a stale or duplicate event (event version <= stored version)', () => {
    fc.assert(
      fc.property(specAndTask, fc.nat({ max: 1000 }), fc.constantFrom('passing' as const, 'critical' as const), ({ spec, task, version }, extra, status) => {
        const stored: StoredRegistration = { state: 'registered', version: version + extra, address: '10.9.9.9', status };
        const decision = decide(stored, parseTaskStateChange(task).detail, spec);
        expect(decision.action).toBe('ignore');
      }),
      RUNS,
    );
  });

  it('never brings back a task that has a tombstone', () => {
    fc.assert(
      fc.property(specAndTask, fc.nat({ max: 2000 }), ({ spec, task }, tombVersion) => {
        const decision = decide({ state: 'deregistered', version: tombVersion }, parseTaskStateChange(task).detail, spec);
        expect(decision).toEqual({ action: 'ignore', reason: 'already-deregistered' });
      }),
      RUNS,
    );
  });

  it('never registers a task ECS wants stopped, nor a Consul server task', () => {
    fc.assert(
      fc.property(specAndTask, ({ spec, task }) => {
        const parsed = parseTaskStateChange(task).detail;
        const decision = decide(undefined, parsed, spec);
        if (parsed.desiredStatus === 'STOPPED' || parsed.clusterArn.endsWith(`/${spec.consul.servers.cluster}`)) {
          expect(['register', 'update']).not.toContain(decision.action);
        }
      }),
      RUNS,
    );
  });
});

describe('decideBeforeRead on any spec and any task state', () => {
  it('settles only what decide settles the same way without a stored state, and reads the rest naming the member', () => {
    fc.assert(
      fc.property(specAndTask, ({ spec, task }) => {
        const parsed = parseTaskStateChange(task).detail;
        const early = decideBeforeRead(parsed, spec);
        if (early.action === 'read-catalog') {
          const member = findMember(spec, parsed);
          expect(early.member).toEqual(member);
          expect(decide(undefined, parsed, spec).action).not.toBe('servers-changed');
        } else {
          expect(decide(undefined, parsed, spec)).toEqual(early);
        }
      }),
      RUNS,
    );
  });

  it('never settles a task decide would deregister or register, whatever a tombstone says', () => {
    fc.assert(
      fc.property(specAndTask, fc.nat({ max: 2000 }), ({ spec, task }, tombVersion) => {
        const parsed = parseTaskStateChange(task).detail;
        if (decideBeforeRead(parsed, spec).action === 'read-catalog') return;
        expect(decide({ state: 'deregistered', version: tombVersion }, parsed, spec).action).toBe('ignore');
        expect(['register', 'deregister']).not.toContain(decide(undefined, parsed, spec).action);
      }),
      RUNS,
    );
  });
});

describe('replaying a task life in any order with duplicates', () => {
  const spec = referenceSpec();
  const life: EcsTask[] = [taskOf('task-pending-proxy-running'), taskOf('task-running'), taskOf('task-unhealthy'), taskOf('task-desired-stopped'), taskOf('task-stopped')];
  const stopping = new Set([6, 8]);
  const sequence = fc.array(fc.constantFrom(...life), { minLength: 1, maxLength: 12 });

  it('never registers after a deregistration, registers at most once, and ends deregistered once a stop was seen', () => {
    fc.assert(
      fc.property(sequence, (tasks) => {
        const { stored, decisions } = replay(tasks, spec);
        const firstDeregister = decisions.findIndex((d) => d.action === 'deregister');
        if (firstDeregister >= 0) {
          expect(decisions.slice(firstDeregister + 1).every((d) => d.action === 'ignore')).toBe(true);
        }
        expect(decisions.filter((d) => d.action === 'register').length).toBeLessThanOrEqual(1);
        if (tasks.some((t) => stopping.has(t.version))) expect(stored?.state).toBe('deregistered');
        else expect(stored?.state).toBe('registered');
      }),
      RUNS,
    );
  });

  it('ends with the health of the newest event when the task never stopped', () => {
    const alive = fc.array(fc.constantFrom(...life.filter((t) => !stopping.has(t.version))), { minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(alive, (tasks) => {
        const { stored } = replay(tasks, spec);
        const newestSeen = tasks.reduce((a, b) => (b.version > a.version ? b : a));
        const expectedStatus = newestSeen.lastStatus === 'RUNNING' && newestSeen.healthStatus === 'HEALTHY' ? 'passing' : 'critical';
        expect(stored).toMatchObject({ state: 'registered', version: newestSeen.version, status: expectedStatus });
      }),
      { numRuns: 300 },
    );
  });
});
