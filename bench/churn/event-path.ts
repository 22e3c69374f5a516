/**
 * The event path measured end to end on the local cloud: ECS emits `ECS Task State Change` → EventBridge matches
 * the deployed rule and delivers asynchronously (Lambda's async retries) → `handleTaskEvent` applies it to the
 * local Consul over HTTP → done when its transaction returned.
 *
 * The function is called in-process through EventsProvider's `invokeLambda`, not through the local Lambda runtime:
 * the deployed handler (functions/events/task-state-change.ts) adds only the wiring (`createChurnDeps`: config,
 * the token from SSM) and an EMF metrics flush to stdout per invocation, which would print a line per event here.
 * `handleTaskEvent` gets what that wiring gives it: a Consul client over HTTP, the mesh name, the spec cache of
 * SPEC_CACHE_SECONDS' default.
 */
import { performance } from 'node:perf_hooks';
import { createConsulClient, type ConsulApi } from '../../layers/adapters/consul';
import { DEFAULT_SPEC_MAX_AGE_MS } from '../../layers/churn/deployed-spec';
import { handleTaskEvent } from '../../layers/churn/task-event';
import type { MeshSpec } from '../../layers/domain/spec';
import type { EcsDelays, EcsTaskStateChangeEvent } from '@consul-mesh/local-cloud';
import { ConditionTimedOut, pollUntil } from '../lib/clock';
import { startChurnCloud, type ChurnCloud } from './cloud';
import { countCalls, CountingLogger, type Counted } from './counting';
import { EventRecorder, summarizeEventPath, type EventPathFigures, type HandledEvent } from './event-record';
import { CatalogOutOfSync, catalogDifferences, inSync, isMeshSettled, meshServices, runningMeshTasks, type CatalogDifferences, type MeshServiceRef } from './mesh-state';
import { HANDLER_CONSUL_TIMEOUT_MS } from './lambda-settings';
import type { Reconciler } from './reconcile-run';
import type { StopperDeps } from './stopper';

/** The local cloud with the event path wired, and what counts the handler's work. */
export interface EventPathCloud {
  cloud: ChurnCloud;
  spec: MeshSpec;
  services: MeshServiceRef[];
  recorder: EventRecorder;
  /** The handler's Consul client, counting its calls. */
  consul: Counted<ConsulApi>;
  logger: CountingLogger;
  /** Transactions Consul rolled back (a guard failed: another event of the task wrote first). */
  rolledBack(): number;
  stopper(random: () => number): StopperDeps;
  close(): Promise<void>;
}

/** Starts the local cloud with the event path wired (nothing deployed yet). */
export async function startEventPath(spec: MeshSpec, delays: EcsDelays): Promise<EventPathCloud> {
  const recorder = new EventRecorder(() => performance.now());
  const logger = new CountingLogger();
  let rolledBack = 0;
  // The handler's client needs Consul's port, known once the cloud started; events flow only after that.
  const handlerClient: { consul?: Counted<ConsulApi> } = {};

  const cloud = await startChurnCloud({
    delays,
    route: {
      emitted: (event: EcsTaskStateChangeEvent) => recorder.emitted(event.id, event.detail.taskArn),
      async invoke(payload: unknown) {
        const event = payload as EcsTaskStateChangeEvent;
        const consul = handlerClient.consul;
        if (!consul) throw new RangeError('the handler was invoked before its Consul client existed');
        recorder.invoked(event.id);
        try {
          const outcome = await handleTaskEvent(event, { consul: consul.api, meshName: spec.name, logger, specMaxAgeMs: DEFAULT_SPEC_MAX_AGE_MS });
          recorder.handled(event.id, {
            action: outcome.action,
            reason: outcome.action === 'ignored' ? outcome.reason : outcome.action === 'deregistered' ? outcome.reason : undefined,
            lastStatus: event.detail.lastStatus,
            desiredStatus: event.detail.desiredStatus,
          });
        } catch (error) {
          recorder.failed(event.id, error);
          throw error;
        }
      },
    },
  });
  // Not the deployed 5 s timeout: see HANDLER_CONSUL_TIMEOUT_MS.
  const client = createConsulClient({ address: cloud.consul.url, timeoutMs: HANDLER_CONSUL_TIMEOUT_MS });
  // The txn result says whether Consul committed or rolled back; count the rollbacks on the way through.
  const consul = countCalls<ConsulApi>({
    ...client,
    async txn(ops) {
      const result = await client.txn(ops);
      if (!result.ok) rolledBack += 1;
      return result;
    },
  });
  handlerClient.consul = consul;
  return {
    cloud,
    spec,
    services: meshServices(spec),
    recorder,
    consul,
    logger,
    rolledBack: () => rolledBack,
    stopper: (random) => ({ ecs: cloud.ecs, ecsClient: cloud.ecsClient, services: meshServices(spec), random }),
    close: () => cloud.close(),
  };
}

/** How the 1,000 tasks were brought up before the churn. */
export type BringUpFigures = {
  tasks: number;
  msToHealthy: number;
  reconcileMs: number;
  registered: number;
  consulWrites: number;
  /** Bytes of each synthetic node's `/v1/catalog/node-services` answer: what the handler reads per event. */
  nodeAnswerBytes: { [cluster: string]: number };
};

/**
 * Deploys the mesh with the event path still off, waits until every task runs HEALTHY, registers them all with
 * one reconcile (batched transactions: a few dozen writes instead of the ~5 events per task a cold start would
 * cost), checks the catalog, then turns the event path on. The churn then starts from a converged mesh.
 */
export async function bringUp(path: EventPathCloud, reconciler: Reconciler, options: { timeoutMs: number; tasks: number }): Promise<BringUpFigures> {
  const begin = performance.now();
  await path.cloud.deploy(path.spec);
  await pollUntil(() => isMeshSettled(path.cloud.ecs, path.services), {
    timeoutMs: options.timeoutMs,
    intervalMs: 10,
    describe: () => 'the mesh\'s tasks to run HEALTHY',
  });
  const msToHealthy = performance.now() - begin;
  const run = await reconciler.run();
  const differences = catalogDifferences(runningMeshTasks(path.cloud.ecs, path.services), path.cloud.consul.catalog());
  if (!inSync(differences)) throw new CatalogOutOfSync(`the reconcile left the catalog unlike ECS: ${JSON.stringify(differences)}`);
  const nodeAnswerBytes: { [cluster: string]: number } = {};
  for (const cluster of new Set(path.services.map((s) => s.cluster))) {
    const answer = await fetch(`${path.cloud.consul.url}/v1/catalog/node-services/${encodeURIComponent(cluster)}`);
    nodeAnswerBytes[cluster] = (await answer.arrayBuffer()).byteLength;
  }
  path.cloud.emitTaskEvents();
  return { tasks: options.tasks, msToHealthy, reconcileMs: run.ms, registered: run.summary.registered, consulWrites: run.consulWrites, nodeAnswerBytes };
}

/** What one phase of the event path measured, with the events themselves (for the staleness comparison). */
export interface EventPhase {
  figures: EventPathFigures & {
    consulCallsPerEvent: { [method: string]: number };
    /** How the catalog differed from ECS once the mesh settled and every event was handled or given up. */
    catalogAfterPhase: CatalogDifferences;
    /** Tasks the reconcile then repaired (0 when the events left nothing to repair, and no reconcile ran). */
    repairedByReconcile: number;
    settleMs: number;
  };
  events: HandledEvent[];
}

/**
 * Runs `act` (which makes ECS churn), then waits until the mesh settled and every event was handled (or given up
 * after Lambda's retries), compares the catalog with ECS and summarises the phase. Whatever the events left
 * wrong is reported, then repaired by one reconcile, as the scheduled one would, so the next phase starts
 * converged.
 *
 * @throws ConditionTimedOut when the mesh does not settle in `timeoutMs`; CatalogOutOfSync when even the
 *   reconcile leaves the catalog unlike ECS.
 */
export async function measureEventPhase(path: EventPathCloud, act: () => Promise<void>, options: { timeoutMs: number; reconciler: Reconciler }): Promise<EventPhase> {
  path.recorder.take();
  path.consul.reset();
  const writesBefore = path.cloud.consul.writeCount();
  const rolledBackBefore = path.rolledBack();
  const begin = performance.now();
  await act();
  await waitForSettled(path, begin + options.timeoutMs);
  const settleMs = performance.now() - begin;
  const { events, failures } = path.recorder.take();
  const summary = summarizeEventPath(events, {
    consulWrites: path.cloud.consul.writeCount() - writesBefore,
    guardConflicts: path.rolledBack() - rolledBackBefore,
    handlerFailures: failures.length,
    lostEvents: failures.filter((f) => f.final).length,
  });
  const consulCallsPerEvent: { [method: string]: number } = {};
  for (const [method, count] of Object.entries(path.consul.counts())) consulCallsPerEvent[method] = count / events.length;

  const catalogAfterPhase = catalogDifferences(runningMeshTasks(path.cloud.ecs, path.services), path.cloud.consul.catalog());
  let repairedByReconcile = 0;
  if (!inSync(catalogAfterPhase)) {
    const { summary: repair } = await options.reconciler.run();
    repairedByReconcile = repair.registered + repair.deregistered + repair.updatedAddress + repair.updatedCheck + repair.updatedRegistration;
    const after = catalogDifferences(runningMeshTasks(path.cloud.ecs, path.services), path.cloud.consul.catalog());
    if (!inSync(after)) throw new CatalogOutOfSync(`even after a reconcile the catalog differs from ECS: ${JSON.stringify(after)}`);
  }
  return { figures: { ...summary, consulCallsPerEvent, catalogAfterPhase, repairedByReconcile, settleMs }, events };
}

async function waitForSettled(path: EventPathCloud, deadline: number): Promise<void> {
  const { cloud, services, recorder } = path;
  for (;;) {
    if (isMeshSettled(cloud.ecs, services)) {
      await cloud.events?.drain();
      if (recorder.inFlight === 0 && isMeshSettled(cloud.ecs, services)) return;
    }
    if (performance.now() > deadline) {
      throw new ConditionTimedOut(`the mesh did not settle in time (${recorder.inFlight} events in flight)`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
