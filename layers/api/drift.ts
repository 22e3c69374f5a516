import type { MeshView } from './mesh';

/** One line of drift between what ECS runs and what Consul has. */
export interface Drift {
  cluster: string;
  service: string;
  kind: 'missing' | 'failing' | 'address' | 'stale';
  detail: string;
}

/**
 * Pure and free of Node APIs: `meshctl mesh` and the dashboard (ui/) both use it, so they flag the same drift.
 * Compares each service's running tasks with its Consul instances: a task not registered (missing), registered but
 * not passing (failing), registered at another address (address), and an instance no running task backs (stale).
 * The Consul servers are agents, not catalog services: only their leader is shown.
 */
export function findDrift(view: MeshView): Drift[] {
  const drift: Drift[] = [];
  for (const cluster of view.clusters) {
    for (const service of cluster.services) {
      const at = { cluster: cluster.name, service: service.name };
      for (const task of service.tasks) {
        if (!task.consul) continue;
        if (!task.consul.registered) drift.push({ ...at, kind: 'missing', detail: `task ${task.taskId} (${task.ip ?? 'no IP'}) is not registered` });
        else if (!task.consul.passing) drift.push({ ...at, kind: 'failing', detail: `${task.consul.id} is registered but not passing` });
        if (task.consul.registered && task.consul.address && task.ip && task.consul.address !== task.ip) {
          drift.push({ ...at, kind: 'address', detail: `${task.consul.id} is registered at ${task.consul.address}, the task runs at ${task.ip}` });
        }
      }
      for (const stale of service.stale ?? []) drift.push({ ...at, kind: 'stale', detail: `${stale.id} at ${stale.address} has no running task` });
    }
  }
  return drift;
}
