/**
 * The event-path part of the churn benchmark: 1,000 tasks of the reference mesh brought up and converged, then
 * churned at a steady rate the local cloud sustains, then hit by a burst of stops; each phase timed per event.
 * The reconcile of the same mesh is timed too: its duration is the D of the polling model (staleness.ts).
 */
import type { EcsDelays } from '@consul-mesh/local-cloud';
import type { BenchmarkContext } from '../lib/benchmark';
import { median } from '../lib/stats';
import { bringUp, measureEventPhase, startEventPath, type BringUpFigures, type EventPhase } from './event-path';
import { seededRandom } from './random';
import { createReconciler } from './reconcile-run';
import { EVENT_PATH_COUNTS, referenceMeshSpec, totalTasks } from './specs';
import { churnAtRate, stopRandomMeshTasks } from './stopper';

export type EventScenarioSettings = {
  /** Stops per second and for how long (the replacements follow). */
  steady: { perSecond: number; durationMs: number; tickMs: number };
  /** Tasks stopped at once. */
  burst: { tasks: number };
  /** Reconciles of the 1,000-task mesh timed for the polling model. */
  reconcileRuns: number;
  seed: number;
  timeoutMs: number;
};

export type EventScenarioResult = {
  bringUp: BringUpFigures;
  steady: EventPhase;
  burst: EventPhase;
  stopsIssued: { steady: number; burst: number };
  /** Wall time of full reconciles of the same mesh with nothing to repair (ms). */
  reconcileMs: { runs: number[]; median: number };
};

export async function runEventScenario(context: BenchmarkContext, settings: EventScenarioSettings, delays: EcsDelays): Promise<EventScenarioResult> {
  const spec = referenceMeshSpec(EVENT_PATH_COUNTS);
  const tasks = totalTasks(EVENT_PATH_COUNTS);
  const path = await startEventPath(spec, delays);
  try {
    const reconciler = createReconciler(path.cloud, spec);
    context.log(`event path: starting ${tasks.toLocaleString('en-US')} tasks of the reference mesh, registering them with one reconcile`);
    const up = await bringUp(path, reconciler, { timeoutMs: settings.timeoutMs, tasks });

    context.log(`event path: timing ${settings.reconcileRuns} reconciles of this mesh (the polling model's duration)`);
    const runs: number[] = [];
    for (let i = 0; i < settings.reconcileRuns; i++) {
      const run = await reconciler.run();
      if (run.consulWrites !== 0) context.log(`  note: reconcile ${i + 1} wrote ${run.consulWrites} times on a converged mesh`);
      runs.push(run.ms);
    }

    const random = seededRandom(settings.seed);
    const stopsIssued = { steady: 0, burst: 0 };
    context.log(`event path: steady churn, ${settings.steady.perSecond} task stop(s)/s for ${settings.steady.durationMs / 1000} s (StopTask; services replace them)`);
    const steady = await measureEventPhase(
      path,
      async () => {
        stopsIssued.steady = await churnAtRate(path.stopper(random), settings.steady);
      },
      { timeoutMs: settings.timeoutMs, reconciler },
    );
    context.log(`event path: burst, ${settings.burst.tasks} tasks stopped at once`);
    const burst = await measureEventPhase(
      path,
      async () => {
        stopsIssued.burst = await stopRandomMeshTasks(path.stopper(random), settings.burst.tasks);
      },
      { timeoutMs: settings.timeoutMs, reconciler },
    );
    return { bringUp: up, steady, burst, stopsIssued, reconcileMs: { runs, median: median(runs) } };
  } finally {
    await path.close();
  }
}
