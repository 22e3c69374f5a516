/**
 * The scheduled reconcile at scale: 10,000 tasks in 20 clusters (500 each), all registered, then reconciled again
 * with nothing drifted (wall time, ECS calls against the minimum the pages need, Consul reads and writes), then
 * with 5 % of the tasks drifted (repairs and the writes they cost).
 */
import { performance } from 'node:perf_hooks';
import type { MeshSpec } from '../../layers/domain/spec';
import type { EcsDelays } from '@consul-mesh/local-cloud';
import { pollUntil } from '../lib/clock';
import { median } from '../lib/stats';
import type { BenchmarkContext } from '../lib/benchmark';
import { startChurnCloud, type ChurnCloud } from './cloud';
import { planDrift } from './drift';
import { minimumReconcileEcsCalls } from './ecs-calls';
import { CatalogOutOfSync, catalogDifferences, inSync, isMeshSettled, meshServices, runningMeshTasks } from './mesh-state';
import { createReconciler, type ReconcileRun } from './reconcile-run';
import { clusteredMeshSpec } from './specs';

export type ReconcileSettings = { clusters: number; tasksPerCluster: number; noDriftRuns: number; driftShare: number; timeoutMs: number };

/** A reconcile run as the figures show it (the summary's fields flattened to JSON-friendly values). */
export type ReconcileRunFigures = {
  ms: number;
  ecsCalls: number;
  ecsCallsByOperation: { [operation: string]: number };
  consulReads: number;
  consulCallsByMethod: { [method: string]: number };
  consulWrites: number;
  repaired: { [kind: string]: number };
  unchanged: number;
  conflicts: number;
  failedClusters: string[];
};

export type ReconcileFigures = {
  clusters: number;
  tasks: number;
  msToHealthy: number;
  converge: ReconcileRunFigures;
  noDrift: { runs: ReconcileRunFigures[]; medianMs: number; minMs: number; maxMs: number };
  minimumEcsCalls: { listTasks: number; describeTasks: number; total: number };
  drift: { lost: number; moved: number; driftWrites: number; repair: ReconcileRunFigures; after: ReconcileRunFigures };
};

export async function measureReconcile(context: BenchmarkContext, settings: ReconcileSettings, delays: EcsDelays): Promise<ReconcileFigures> {
  const spec = clusteredMeshSpec(settings.clusters, settings.tasksPerCluster);
  const tasks = settings.clusters * settings.tasksPerCluster;
  const cloud = await startChurnCloud({ delays });
  try {
    context.log(`reconcile: starting ${tasks.toLocaleString('en-US')} tasks in ${settings.clusters} clusters (event path off)`);
    const begin = performance.now();
    await cloud.deploy(spec);
    const services = meshServices(spec);
    await pollUntil(() => isMeshSettled(cloud.ecs, services), { timeoutMs: settings.timeoutMs, intervalMs: 20, describe: () => 'every task RUNNING and HEALTHY' });
    const msToHealthy = performance.now() - begin;

    const reconciler = createReconciler(cloud, spec);
    context.log('reconcile: first run registers every task');
    const converge = await reconciler.run();
    expectInSync(cloud, spec, 'after the first reconcile');

    const runs: ReconcileRunFigures[] = [];
    for (let i = 0; i < settings.noDriftRuns; i++) {
      context.log(`reconcile: no drift, run ${i + 1} of ${settings.noDriftRuns}`);
      runs.push(figuresOf(await reconciler.run()));
    }

    context.log(`reconcile: drifting ${(settings.driftShare * 100).toFixed(0)} % of the tasks, then repairing`);
    const drift = await makeDrift(cloud, spec, settings.driftShare);
    const repair = figuresOf(await reconciler.run());
    expectInSync(cloud, spec, 'after the repair');
    const after = figuresOf(await reconciler.run());

    const minimumEcsCalls = minimumReconcileEcsCalls(Array(settings.clusters).fill(settings.tasksPerCluster));
    for (const run of [...runs, after]) assertNoDriftCost(run, minimumEcsCalls);

    const ms = runs.map((r) => r.ms);
    return {
      clusters: settings.clusters,
      tasks,
      msToHealthy,
      converge: figuresOf(converge),
      noDrift: { runs, medianMs: median(ms), minMs: Math.min(...ms), maxMs: Math.max(...ms) },
      minimumEcsCalls,
      drift: { ...drift, repair, after },
    };
  } finally {
    await cloud.close();
  }
}

/** A reconcile with nothing to repair cost more than it must: more ECS calls than its pages need, or a write. */
export class ReconcileCostExceeded extends Error {
  override readonly name = 'ReconcileCostExceeded';
}

/**
 * A reconcile of a catalog in sync makes exactly the ECS calls its pages need (ListTasks and DescribeTasks, each
 * per 100 tasks, and nothing else) and writes nothing to Consul (DESIGN.md section 6: it writes only the
 * differences). The figures would show a breach; the benchmark refuses to report one as a result.
 */
export function assertNoDriftCost(run: ReconcileRunFigures, minimum: { listTasks: number; describeTasks: number }): void {
  const expected: { [operation: string]: number } = { ListTasks: minimum.listTasks, DescribeTasks: minimum.describeTasks };
  const calls = JSON.stringify(run.ecsCallsByOperation, Object.keys(run.ecsCallsByOperation).sort());
  if (calls !== JSON.stringify(expected, Object.keys(expected).sort())) {
    throw new ReconcileCostExceeded(`a reconcile with no drift made ECS calls ${calls}, expected exactly ${JSON.stringify(expected)}`);
  }
  if (run.consulWrites !== 0) throw new ReconcileCostExceeded(`a reconcile with no drift wrote ${run.consulWrites} times to Consul, expected none`);
}

/** Loses half of `share` of every cluster's registrations and moves the other half's instances (see drift.ts). */
async function makeDrift(cloud: ChurnCloud, spec: MeshSpec, share: number): Promise<{ lost: number; moved: number; driftWrites: number }> {
  let lost = 0;
  let moved = 0;
  let driftWrites = 0;
  for (const cluster of spec.clusters) {
    const node = await cloud.consulAdmin.nodeServices(cluster.name);
    const plan = planDrift(cluster.name, node?.Services ?? [], share);
    for (const ops of plan.transactions) {
      const result = await cloud.consulAdmin.txn(ops);
      if (!result.ok) throw new CatalogOutOfSync(`making drift failed: ${JSON.stringify(result.errors.slice(0, 3))}`);
      driftWrites += 1;
    }
    lost += plan.lost.length;
    moved += plan.moved.length;
  }
  return { lost, moved, driftWrites };
}

function expectInSync(cloud: ChurnCloud, spec: MeshSpec, when: string): void {
  const differences = catalogDifferences(runningMeshTasks(cloud.ecs, meshServices(spec)), cloud.consul.catalog());
  if (!inSync(differences)) throw new CatalogOutOfSync(`${when} the catalog differs from ECS: ${JSON.stringify(differences)}`);
}

function figuresOf(run: ReconcileRun): ReconcileRunFigures {
  const { summary } = run;
  return {
    ms: run.ms,
    ecsCalls: run.ecsCalls,
    ecsCallsByOperation: run.ecsCallsByOperation,
    consulReads: run.consulReads,
    consulCallsByMethod: run.consulCallsByMethod,
    consulWrites: run.consulWrites,
    repaired: {
      registered: summary.registered,
      deregistered: summary.deregistered,
      updatedAddress: summary.updatedAddress,
      updatedCheck: summary.updatedCheck,
      updatedRegistration: summary.updatedRegistration,
      tombstonesExpired: summary.tombstonesExpired,
    },
    unchanged: summary.unchanged,
    conflicts: summary.conflicts,
    failedClusters: summary.failedClusters,
  };
}
