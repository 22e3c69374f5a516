import type { MeshView } from '../layers/api/mesh';
import { createApiBackend, type BackendOptions } from './backend-factory';
import { writeLines, type CliDeps } from './cli-deps';
import { counted, renderTable } from './table';
import { findDrift } from '../layers/api/drift';

type ServiceView = MeshView['clusters'][number]['services'][number];

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
    `Mesh "${view.mesh}": Consul leader ${view.consul.leader || '(none)'}, ${counted(view.consul.peers.length, 'server')}`,
    '',
    ...renderTable(['CLUSTER', 'SERVICE', 'ROLE', 'RUNNING/DESIRED', 'TASK', 'IP', 'HEALTH', 'CONSUL'], rows),
    '',
    ...renderPeers(view),
    drift.length === 0 ? 'No drift: Consul has exactly the running tasks.' : `Drift (${drift.length}):`,
    ...drift.map((d) => `  ${d.kind.padEnd(7)} ${d.cluster}/${d.service}: ${d.detail}`),
  ];
}

/**
 * The mesh's peerings (cluster peering): state, and the services imported from and exported to each peer. Empty for a
 * mesh without peers. `meshctl status` prints the same table.
 */
export function renderPeers(view: Pick<MeshView, 'peers'>): string[] {
  if (!view.peers?.length) return [];
  const list = (names: string[]) => (names.length === 0 ? '-' : names.join(', '));
  const rows = view.peers.map((p) => [p.name, `${p.mesh} (${p.region})`, p.role, p.state, list(p.importedServices), list(p.exportedServices)]);
  return [...renderTable(['PEER', 'MESH', 'ROLE', 'STATE', 'IMPORTED', 'EXPORTED'], rows), ''];
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
