import fc from 'fast-check';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { LocalCloud, EventFaults } from '@consul-mesh/local-cloud';
import { rollService, scaleService, waitForQuiet, type ServiceRef } from './ecs-control';

/** One step of a fault sequence: what an operator, ECS or the network does to the running mesh. */
export type ChurnAction =
  | { kind: 'eventFaults'; faults: EventFaults }
  | { kind: 'scale'; service: ServiceRef; desiredCount: number }
  | { kind: 'stopTasks'; count: number }
  | { kind: 'roll'; service: ServiceRef; how: 'force' | 'revision' }
  | { kind: 'consulOutage'; ms: number }
  /**
   * Every Consul server task stops at once, on a steady mesh: the new servers bootstrap an empty datacenter, which
   * the recovery's schedule restores before the next action. (A roll in flight meanwhile fails on AWS too: the new
   * datacenter does not know the dataplanes' tokens yet, their tasks exit, and ECS's circuit breaker rolls it back.
   * That is ECS's answer, not the catalog's, so this property lets the rolls finish first.)
   */
  | { kind: 'loseServers' }
  /** A scheduled reconcile tick in the middle of the churn, racing the task events. */
  | { kind: 'reconcile' }
  | { kind: 'wait'; ms: number };

/** What an action acts on; `background` collects what runs on after the action returned (reconcile ticks). */
export interface ActionContext {
  cloud: LocalCloud;
  ecs: ECSClient;
  /** Unique per action: the value a new task-definition revision carries. */
  marker: string;
  background: Array<Promise<unknown>>;
}

/** The scheduled event EventBridge sends the reconcile function (`rate(1 minute)` in serverless.yml). */
export function scheduledEvent(): Record<string, unknown> {
  return { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {}, time: new Date().toISOString() };
}

/** A share of events (0..1) that is often zero, so sequences also run with some faults off. */
const share = fc.oneof(fc.constant(0), fc.double({ min: 0.05, max: 0.6, noNaN: true }));

/** Actions over the mesh's services (cluster and name as the spec deploys them, the gateway included). */
export function churnActions(services: readonly ServiceRef[]): fc.Arbitrary<ChurnAction> {
  const service = fc.constantFrom(...services);
  return fc.oneof(
    fc.record({ duplicate: share, delay: share, delayMs: fc.integer({ min: 1, max: 150 }), reorder: share, drop: share }).map((faults) => ({ kind: 'eventFaults' as const, faults })),
    fc.record({ kind: fc.constant('scale' as const), service, desiredCount: fc.integer({ min: 0, max: 4 }) }),
    fc.record({ kind: fc.constant('stopTasks' as const), count: fc.integer({ min: 1, max: 3 }) }),
    fc.record({ kind: fc.constant('roll' as const), service, how: fc.constantFrom('force' as const, 'revision' as const) }),
    fc.record({ kind: fc.constant('consulOutage' as const), ms: fc.integer({ min: 100, max: 500 }) }),
    fc.constant({ kind: 'loseServers' as const }),
    fc.constant({ kind: 'reconcile' as const }),
    fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 1, max: 80 }) }),
  );
}

/**
 * Performs one action. ECS changes go through the ECS API (the real SDK client against the local endpoint);
 * faults through the local cloud's fault injector. Nothing waits for ECS: the next action overlaps the churn
 * this one started, a Consul outage lasts while the following actions run, and a reconcile tick runs on in
 * `background`.
 */
export async function runAction(action: ChurnAction, { cloud, ecs, marker, background }: ActionContext): Promise<void> {
  switch (action.kind) {
    case 'eventFaults':
      cloud.faults.set({ events: action.faults });
      return;
    case 'scale':
      return scaleService(ecs, action.service, action.desiredCount);
    case 'stopTasks':
      await cloud.faults.stopRandomTasks(action.count);
      return;
    case 'roll':
      return rollService(ecs, action.service, action.how, marker);
    case 'consulOutage':
      // An outage starting during another extends it; it never shortens one.
      cloud.faults.takeConsulDown(Math.max(action.ms, cloud.faults.current.consulDownUntil - Date.now()));
      return;
    case 'loseServers': {
      const clusters = cloud.ecs.clusters().map((c) => c.name);
      // The schedule's functions tick meanwhile: random stops may already have lost the datacenter (two of three
      // servers), and new tasks' dataplanes are served only once the recovery restored it and they are registered.
      await waitForQuiet(cloud, ecs, clusters, 15_000, {
        everyMs: 1000,
        run: () => {
          background.push(cloud.lambda.invoke('recoverDatacenter', scheduledEvent()));
          background.push(cloud.lambda.invoke('reconcile', scheduledEvent()));
        },
      });
      cloud.faults.stopConsulServers();
      // The recovery's ticks (its schedule, every second here) until one restores the new datacenter.
      const deadline = Date.now() + 30_000;
      for (;;) {
        const result = (await cloud.lambda.invoke('recoverDatacenter', scheduledEvent()).catch(() => undefined)) as { status?: string } | undefined;
        if (result?.status === 'restored') return;
        if (Date.now() > deadline) throw new Error(`the datacenter was not restored within 30 s (last: ${JSON.stringify(result)})`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    case 'reconcile':
      background.push(cloud.lambda.invoke('reconcile', scheduledEvent()));
      return;
    case 'wait':
      await new Promise((resolve) => setTimeout(resolve, action.ms));
      return;
  }
}

/** One line per action, for the failure report. */
export function describeAction(action: ChurnAction): string {
  switch (action.kind) {
    case 'eventFaults': {
      const f = action.faults;
      return `events dup=${f.duplicate.toFixed(2)} delay=${f.delay.toFixed(2)}/${f.delayMs}ms reorder=${f.reorder.toFixed(2)} drop=${f.drop.toFixed(2)}`;
    }
    case 'scale':
      return `scale ${action.service.name} to ${action.desiredCount}`;
    case 'stopTasks':
      return `stop ${action.count} random tasks`;
    case 'roll':
      return `roll ${action.service.name} (${action.how})`;
    case 'consulOutage':
      return `consul down ${action.ms} ms`;
    case 'loseServers':
      return 'every consul server lost';
    case 'reconcile':
      return 'reconcile tick';
    case 'wait':
      return `wait ${action.ms} ms`;
  }
}
