import type { MeshView } from '../layers/api/mesh';
import { createApiBackend, type BackendOptions } from './backend-factory';
import { writeLines, type CliDeps } from './cli-deps';
import { counted, renderTable } from './table';

type ServiceView = MeshView['clusters'][number]['services'][number];

/** One line of drift between what ECS runs and what Consul has. */
export interface Drift {
  cluster: string;
  service: string;
  kind: 'missing' | 'failing' | 'address' | 'stale';
  detail: string;
}

/**
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

function consulState(service: ServiceView, task: ServiceView['tasks'][number]): string {
  if (!task.consul) return service.role === 'server' ? 'server (agent)' : '-';
  if (!task.consul.registered) return 'MISSING';
  return task.consul.passing ? 'registered, passing' : 'registered, FAILING';
}

/** The topology as a table: per cluster and service, each task ECS runs next to its Consul instance; then the drift. */
export function renderMesh(view: MeshView): string[] {
  const rows: string[][] = [];
  for (const cluster of view.clusters) {
    let clusterCell = cluster.name;
    for (const service of cluster.services) {
      let serviceCell = service.name;
      const count = `${service.runningCount}/${service.desiredCount}`;
      if (service.tasks.length === 0) rows.push([clusterCell, serviceCell, service.role, count, '-', '-', '-', '-']);
      for (const task of service.tasks) {
        rows.push([clusterCell, serviceCell, serviceCell ? service.role : '', serviceCell ? count : '', task.taskId.slice(0, 12), task.ip ?? '-', task.health ?? '-', consulState(service, task)]);
        clusterCell = '';
        serviceCell = '';
      }
      for (const stale of service.stale ?? []) rows.push(['', '', '', '', '(none)', stale.address, '-', `STALE ${stale.id}`]);
      clusterCell = '';
    }
  }
  const drift = findDrift(view);
  return [
    `Mesh "${view.mesh}": Consul leader ${view.consul.leader || '(none)'}, ${counted(view.consul.peers.length, 'peer')}`,
    '',
    ...renderTable(['CLUSTER', 'SERVICE', 'ROLE', 'RUNNING/DESIRED', 'TASK', 'IP', 'HEALTH', 'CONSUL'], rows),
    '',
    drift.length === 0 ? 'No drift: Consul has exactly the running tasks.' : `Drift (${drift.length}):`,
    ...drift.map((d) => `  ${d.kind.padEnd(7)} ${d.cluster}/${d.service}: ${d.detail}`),
  ];
}

/**
 * `meshctl mesh`: the current topology from the HTTP API (GET /mesh), flagging drift between ECS and Consul.
 * @returns 0, or 1 with `--check` when there is drift (for scripts and CI).
 */
export async function meshCommand(options: BackendOptions & { json: boolean; check: boolean }, deps: CliDeps): Promise<number> {
  const view = await createApiBackend(options, deps).getMesh();
  const drift = findDrift(view);
  if (options.json) deps.stdout.write(`${JSON.stringify({ ...view, drift }, null, 2)}\n`);
  else writeLines(deps.stdout, renderMesh(view));
  return options.check && drift.length > 0 ? 1 : 0;
}
