/**
 * One run of the scheduled reconcile (`reconcileMesh`, as functions/events/reconcile.ts calls it) against the
 * local cloud, with what it cost counted on both sides: the ECS calls the AWS endpoint received, the Consul calls
 * the reconcile's client sent, and the Raft writes the Consul store applied.
 */
import { performance } from 'node:perf_hooks';
import { createConsulClient, type ConsulApi } from '../../layers/adapters/consul';
import { createEcsApi } from '../../layers/adapters/ecs';
import { reconcileMesh, type ReconcileSummary } from '../../layers/churn/reconcile';
import type { MeshSpec } from '../../layers/domain/spec';
import type { ChurnCloud } from './cloud';
import { CONSUL_WRITE_METHODS, countCalls, CountingLogger, SummingMetrics, type Counted } from './counting';

/** RECONCILE_CONCURRENCY's default (layers/config.ts): clusters reconciled at the same time. */
export const RECONCILE_CONCURRENCY = 4;

export type ReconcileRun = {
  /** Wall time of the whole call, measured here (the summary's own durationMs has millisecond resolution). */
  ms: number;
  summary: ReconcileSummary;
  /** ECS calls the endpoint received during the run, by operation. */
  ecsCallsByOperation: { [operation: string]: number };
  ecsCalls: number;
  /** Consul calls the reconcile's client sent, by method. */
  consulCallsByMethod: { [method: string]: number };
  consulReads: number;
  /** Raft writes the Consul store applied during the run. */
  consulWrites: number;
};

export interface Reconciler {
  run(): Promise<ReconcileRun>;
}

/** A reconciler of `spec`'s mesh on `cloud`: one Consul client for all runs (a warm container), counted. */
export function createReconciler(cloud: ChurnCloud, spec: MeshSpec): Reconciler {
  const consul: Counted<ConsulApi> = countCalls(createConsulClient({ address: cloud.consul.url, timeoutMs: 60_000 }));
  const logger = new CountingLogger();
  const metrics = new SummingMetrics();
  return {
    async run() {
      cloud.endpoint.resetCallCounts();
      consul.reset();
      const writesBefore = cloud.consul.writeCount();
      const begin = performance.now();
      // specMaxAgeMs 0: every run reads the spec, as a cold container would (one KV read, counted).
      const summary = await reconcileMesh({ consul: consul.api, ecs: createEcsApi(cloud.ecsClient), meshName: spec.name, logger, metrics, concurrency: RECONCILE_CONCURRENCY, specMaxAgeMs: 0 });
      const ms = performance.now() - begin;
      const ecsCallsByOperation: { [operation: string]: number } = {};
      for (const [target, count] of Object.entries(cloud.endpoint.callCounts())) ecsCallsByOperation[target.split('.').pop() ?? target] = count;
      return {
        ms,
        summary,
        ecsCallsByOperation,
        ecsCalls: Object.values(ecsCallsByOperation).reduce((a, b) => a + b, 0),
        consulCallsByMethod: consul.counts(),
        consulReads: consul.total((method) => !CONSUL_WRITE_METHODS.has(method)),
        consulWrites: cloud.consul.writeCount() - writesBefore,
      };
    },
  };
}
