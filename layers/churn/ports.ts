import type { EcsApi } from '../adapters/ecs';
import type { ConsulApi } from '../adapters/consul';

/**
 * The few calls the task-churn code makes, and nothing more (consul-ecs' controller depends on an `ECSAPI` of
 * ListTasks/DescribeTasks alone). Tests pass real clients pointed at the local cloud.
 */

/** The event handler reads the spec, the task's node and its tombstone, writes one transaction, reads peers. */
export type TaskEventConsul = Pick<ConsulApi, 'kvGet' | 'nodeServices' | 'txn' | 'peers'>;

/** The reconcile also reads a node's checks and lists the tombstones of a cluster. */
export type ReconcileConsul = Pick<ConsulApi, 'kvGet' | 'kvList' | 'nodeServices' | 'nodeChecks' | 'txn'>;

/** ListTasks (page by page) and DescribeTasks, through the ECS adapter that keeps to their limits. */
export type EcsTasksApi = Pick<EcsApi, 'taskArnPages' | 'describeTasks'>;

/**
 * The structured logger's methods used here (Powertools' Logger satisfies it). An error is logged as the Error
 * object under `error`: Powertools writes its name, message, stack and cause (a name and a message alone lose both).
 */
export interface ChurnLogger {
  debug(message: string, ...attributes: Record<string, unknown>[]): void;
  info(message: string, ...attributes: Record<string, unknown>[]): void;
  warn(message: string, ...attributes: Record<string, unknown>[]): void;
  error(message: string, ...attributes: Record<string, unknown>[]): void;
}

/** Count metrics (Powertools' Metrics satisfies it; the handler flushes them as EMF on stdout). */
export interface ChurnMetrics {
  addMetric(name: string, unit: 'Count' | 'Milliseconds', value: number): void;
}
