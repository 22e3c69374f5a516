import { buildReconcileActivity, logActivity, type ActivityLog } from './activity';
import { loadDeployedSpec } from './deployed-spec';
import { settleWithLimit } from './limiter';
import { registeringClusterNames } from './mesh-clusters';
import type { ChurnLogger, ChurnMetrics, EcsTasksApi, ReconcileConsul } from './ports';
import { reconcileCluster, type ClusterReconcileResult, type RepairCounts } from './reconcile-cluster';

export interface ReconcileDeps {
  consul: ReconcileConsul;
  ecs: EcsTasksApi;
  meshName: string;
  logger: ChurnLogger;
  metrics: ChurnMetrics;
  /** Where the run's activity line goes (activity.ts); default `logger`. */
  activity?: ActivityLog;
  /** Clusters reconciled at the same time (RECONCILE_CONCURRENCY). Default 4. */
  concurrency?: number;
  /**
   * How old the container's cached deployed spec may be (see loadDeployedSpec). 0, the default and what the scheduled
   * reconcile runs with, reads it at every run: one KV read a minute. A spec cached from before a deployment would
   * rewrite the registrations that deployment changed (a proxy's upstreams, say) back to the old spec.
   */
  specMaxAgeMs?: number;
  now?: () => Date;
}

/** What one reconcile did, summed over the mesh's clusters. */
export interface ReconcileSummary extends RepairCounts {
  mesh: string;
  clusters: number;
  unchanged: number;
  /** Repairs skipped because an event changed the task meanwhile (the next round looks again). */
  conflicts: number;
  ecsCalls: number;
  consulWrites: number;
  /** Catalog entries on the mesh's nodes that no task owns: left alone, reported. */
  foreign: number;
  failedClusters: string[];
  durationMs: number;
  /** Set when there was nothing to reconcile: the mesh has no deployed spec yet. */
  skipped?: 'no-spec';
}

/** The counters published as metrics (namespace consul-mesh), one per kind of repair plus the costs. */
export const SUMMARY_METRICS = {
  registered: 'ReconcileRegistered',
  deregistered: 'ReconcileDeregistered',
  updatedAddress: 'ReconcileUpdatedAddress',
  updatedCheck: 'ReconcileUpdatedCheck',
  updatedRegistration: 'ReconcileUpdatedRegistration',
  tombstonesExpired: 'ReconcileTombstonesExpired',
  unchanged: 'ReconcileUnchanged',
  conflicts: 'ReconcileConflicts',
  ecsCalls: 'ReconcileEcsCalls',
  consulWrites: 'ReconcileConsulWrites',
} as const satisfies Partial<Record<keyof ReconcileSummary, string>>;

/**
 * The scheduled reconcile (DESIGN.md section 6): for each cluster that registers tasks (services, ingress), the
 * catalog entries of its synthetic node against its ECS tasks; registers what is missing, deregisters what has
 * no running task, fixes addresses, checks and the rest of each registration, deletes expired tombstones,
 * writing only differences. Clusters run with bounded concurrency and independently: one cluster's failure does
 * not stop the others. The summary is logged as one line and published as metrics either way; then the first
 * failure is thrown as it was (its name is what the retry and the alarms see).
 *
 * @example const summary = await reconcileMesh({ consul, ecs, meshName: 'reference-mesh', logger, metrics });
 */
export async function reconcileMesh(deps: ReconcileDeps): Promise<ReconcileSummary> {
  const started = Date.now();
  const summary = emptySummary(deps.meshName);
  const spec = await loadDeployedSpec(deps.consul, deps.meshName, { maxAgeMs: deps.specMaxAgeMs ?? 0 });
  if (!spec) {
    deps.logger.debug('no deployed spec yet: nothing to reconcile', { mesh: deps.meshName });
    const skipped: ReconcileSummary = { ...summary, skipped: 'no-spec', durationMs: Date.now() - started };
    logActivity(deps.activity ?? deps.logger, buildReconcileActivity(skipped));
    return skipped;
  }
  const clusters = registeringClusterNames(spec);
  const now = deps.now?.() ?? new Date();
  const freshSpec = () => loadDeployedSpec(deps.consul, deps.meshName, { maxAgeMs: 0 });
  const results = await settleWithLimit(clusters, deps.concurrency ?? 4, (cluster) =>
    reconcileCluster(spec, cluster, { consul: deps.consul, ecs: deps.ecs, now, freshSpec }),
  );

  const failures: unknown[] = [];
  results.forEach((result, i) => {
    if (result.status === 'fulfilled') return add(summary, result.value);
    failures.push(result.reason);
    summary.failedClusters.push(clusters[i]);
    deps.logger.error('reconcile of a cluster failed', { cluster: clusters[i], error: result.reason });
  });
  summary.clusters = clusters.length;
  summary.durationMs = Date.now() - started;
  report(summary, deps);
  if (failures.length > 0) throw failures[0];
  return summary;
}

function emptySummary(mesh: string): ReconcileSummary {
  return {
    mesh,
    clusters: 0,
    registered: 0,
    deregistered: 0,
    updatedAddress: 0,
    updatedCheck: 0,
    updatedRegistration: 0,
    tombstonesExpired: 0,
    unchanged: 0,
    conflicts: 0,
    ecsCalls: 0,
    consulWrites: 0,
    foreign: 0,
    failedClusters: [],
    durationMs: 0,
  };
}

function add(summary: ReconcileSummary, result: ClusterReconcileResult): void {
  for (const [kind, count] of Object.entries(result.repaired) as Array<[keyof RepairCounts, number]>) summary[kind] += count;
  summary.unchanged += result.unchanged;
  summary.conflicts += result.conflicts;
  summary.ecsCalls += result.ecsCalls;
  summary.consulWrites += result.consulWrites;
  summary.foreign += result.foreign;
}

/** One log line and one metric per counter (the handler flushes the metrics as EMF). */
function report(summary: ReconcileSummary, deps: Pick<ReconcileDeps, 'logger' | 'metrics' | 'activity'>): void {
  deps.logger.info('reconcile summary', { ...summary });
  logActivity(deps.activity ?? deps.logger, buildReconcileActivity(summary));
  for (const [key, metric] of Object.entries(SUMMARY_METRICS) as Array<[keyof typeof SUMMARY_METRICS, string]>) {
    deps.metrics.addMetric(metric, 'Count', summary[key]);
  }
  deps.metrics.addMetric('ReconcileDuration', 'Milliseconds', summary.durationMs);
}
