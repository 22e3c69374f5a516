import type { CatalogServiceEntry, HealthCheck } from '../adapters/consul';
import { META } from '../domain/registration';

/** The catalog entries one task owns on its cluster's synthetic node. */
export interface CatalogTask {
  taskArn: string;
  /** The service instance or gateway (the entry that is not a connect-proxy), if present. */
  instance?: CatalogServiceEntry;
  /** Every service entry of the task (instance, proxy). */
  services: CatalogServiceEntry[];
  /** Every check attached to those services. */
  checks: HealthCheck[];
}

/**
 * Groups a synthetic node's services and checks by the task that owns them (service Meta `task-arn`, written by
 * buildRegistration on the instance and its proxy). Entries without that Meta were not written by this model and
 * are left alone (`foreign`): the reconcile never deletes what it cannot attribute to a task.
 */
export function groupByTask(services: readonly CatalogServiceEntry[], checks: readonly HealthCheck[]): { tasks: Map<string, CatalogTask>; foreign: string[] } {
  const tasks = new Map<string, CatalogTask>();
  const owner = new Map<string, CatalogTask>();
  const foreign: string[] = [];
  for (const service of services) {
    const taskArn = service.Meta?.[META.taskArn];
    if (!taskArn) {
      foreign.push(service.ID);
      continue;
    }
    let entry = tasks.get(taskArn);
    if (!entry) tasks.set(taskArn, (entry = { taskArn, services: [], checks: [] }));
    entry.services.push(service);
    if (service.Kind !== 'connect-proxy') entry.instance = service;
    owner.set(service.ID, entry);
  }
  for (const check of checks) owner.get(check.ServiceID)?.checks.push(check);
  return { tasks, foreign };
}
