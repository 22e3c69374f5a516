/**
 * Task churn on the local cloud: the event path (ECS task event → EventBridge → handleTaskEvent → Consul catalog)
 * with 1,000 tasks churning, events/s and p50/p99 latency and catalog writes per task transition; the scheduled
 * reconcile over 10,000 tasks in 20 clusters (wall time, ECS calls against the pages' minimum, Consul writes
 * with no drift and with 5 % drift); and the staleness of the event path against a poll-every-10-s reconciler.
 *
 * Everything runs in-process on free ports; nothing is left running when `run` resolves.
 */
import type { EcsDelays } from '@consul-mesh/local-cloud';
import type { Benchmark, BenchmarkContext, BenchmarkReport } from './lib/benchmark';
import { runEventScenario, type EventScenarioSettings } from './churn/event-scenario';
import { measureReconcile, type ReconcileSettings } from './churn/reconcile-phase';
import { buildChurnFigures, buildChurnNotes, buildChurnTables } from './churn/report';

/**
 * The task lifecycle of the event path, scaled down from Fargate's seconds but kept in its order and proportions:
 * the events of one task arrive farther apart than the handler takes at a sustainable rate (RUNNING → HEALTHY
 * 500 ms, each stop step 250 ms), as on AWS, where they are seconds apart. Zero delays would hand the handler a
 * task's RUNNING and HEALTHY events at the same instant, which ECS never does.
 */
const EVENT_DELAYS: EcsDelays = { provisioningMs: 50, pendingMs: 50, activatingMs: 50, runningMs: 500, stoppingMs: 250, restartBackoffMs: 0, maxRestartBackoffMs: 0 };
/** The reconcile reads a settled fleet: how fast it got there does not matter. */
const ZERO_DELAYS: EcsDelays = { provisioningMs: 0, pendingMs: 0, activatingMs: 0, runningMs: 0, stoppingMs: 0, restartBackoffMs: 0, maxRestartBackoffMs: 0 };

/** Sized so the whole benchmark takes about two minutes on a shared two-core machine. */
const EVENT_SCENARIO: EventScenarioSettings = {
  steady: { perSecond: 1, durationMs: 20_000, tickMs: 100 },
  burst: { tasks: 50 },
  reconcileRuns: 5,
  seed: 7,
  timeoutMs: 120_000,
};
const RECONCILE: ReconcileSettings = { clusters: 20, tasksPerCluster: 500, noDriftRuns: 5, driftShare: 0.05, timeoutMs: 120_000 };
/** The polling reconciler compared with (HashiCorp consul-ecs' controller approach). */
const POLL_PERIOD_MS = 10_000;

export const churnBenchmark: Benchmark = {
  name: 'churn',
  description: 'task churn: event path events/s and p50/p99 with 1,000 tasks; reconcile of 10,000 tasks in 20 clusters; staleness vs polling every 10 s',
  async run(context: BenchmarkContext): Promise<BenchmarkReport> {
    const events = await runEventScenario(context, EVENT_SCENARIO, EVENT_DELAYS);
    const reconcile = await measureReconcile(context, RECONCILE, ZERO_DELAYS);
    const figures = buildChurnFigures(events, reconcile, POLL_PERIOD_MS);
    return {
      figures: { ...figures, settings: { eventDelays: { ...EVENT_DELAYS }, eventScenario: EVENT_SCENARIO, reconcile: RECONCILE, pollPeriodMs: POLL_PERIOD_MS } },
      tables: buildChurnTables(figures),
      notes: buildChurnNotes(figures),
    };
  },
};
