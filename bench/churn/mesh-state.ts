/**
 * Whether the mesh has settled (ECS runs what the spec asks, all healthy) and whether the catalog matches it:
 * a benchmark reports figures only for a run whose end state is right.
 */
import { META } from '../../layers/domain/registration';
import type { MeshSpec } from '../../layers/domain/spec';
import type { EcsSimulation } from '@consul-mesh/local-cloud';

/** One ECS service of the mesh (a mesh service or the gateway) and the tasks it should run. */
export interface MeshServiceRef {
  cluster: string;
  service: string;
  desiredCount: number;
}

/** Every registering service of the spec with its cluster and count (the Consul servers are not registered). */
export function meshServices(spec: MeshSpec): MeshServiceRef[] {
  const refs = spec.clusters.flatMap((cluster) => cluster.services.map((s) => ({ cluster: cluster.name, service: s.name, desiredCount: s.desiredCount })));
  if (spec.ingress) refs.push({ cluster: spec.ingress.cluster, service: spec.ingress.name, desiredCount: spec.ingress.desiredCount });
  return refs;
}

/** True when each service has exactly its desired count of tasks, all RUNNING, wanted RUNNING and HEALTHY. */
export function isMeshSettled(ecs: EcsSimulation, services: readonly MeshServiceRef[]): boolean {
  const byCluster = new Map<string, ReturnType<EcsSimulation['liveTasks']>>();
  return services.every((ref) => {
    let live = byCluster.get(ref.cluster);
    if (!live) byCluster.set(ref.cluster, (live = ecs.liveTasks(ref.cluster)));
    const tasks = live.filter((t) => t.serviceName === ref.service);
    return tasks.length === ref.desiredCount && tasks.every((t) => t.lastStatus === 'RUNNING' && t.desiredStatus === 'RUNNING' && t.healthStatus === 'HEALTHY');
  });
}

/** The RUNNING tasks of the mesh's services (task ARN → private IP). */
export function runningMeshTasks(ecs: EcsSimulation, services: readonly MeshServiceRef[]): Map<string, string> {
  const running = new Map<string, string>();
  for (const cluster of new Set(services.map((s) => s.cluster))) {
    const names = new Set(services.filter((s) => s.cluster === cluster).map((s) => s.service));
    for (const task of ecs.runningTasks(cluster)) if (task.serviceName && names.has(task.serviceName)) running.set(task.taskArn, task.privateIp);
  }
  return running;
}

/** The catalog entries compared: service entries with their Meta, checks with their status. */
export interface CatalogEntries {
  services: ReadonlyArray<{ ID: string; Kind: string; Address: string; Meta: Readonly<Record<string, string>> | null }>;
  checks: ReadonlyArray<{ ServiceID: string; Status: string }>;
}

export type CatalogDifferences = {
  /** Running tasks without an instance. */
  missing: number;
  /** Instances whose task is not running. */
  extra: number;
  /** Instances at another address than their task's. */
  wrongAddress: number;
  /** Checks of registered entries that are not passing. */
  notPassing: number;
};

/**
 * Compares the catalog with ECS's running tasks: every running task has its instance (the entry that is not a
 * connect-proxy, found by its `task-arn` Meta) at the task's address, nothing else is registered, every check passes.
 */
export function catalogDifferences(running: ReadonlyMap<string, string>, catalog: CatalogEntries): CatalogDifferences {
  const instances = new Map<string, string>();
  for (const service of catalog.services) {
    const taskArn = service.Meta?.[META.taskArn];
    if (taskArn && service.Kind !== 'connect-proxy') instances.set(taskArn, service.Address);
  }
  let missing = 0;
  let wrongAddress = 0;
  for (const [taskArn, address] of running) {
    const registered = instances.get(taskArn);
    if (registered === undefined) missing += 1;
    else if (registered !== address) wrongAddress += 1;
  }
  const extra = [...instances.keys()].filter((taskArn) => !running.has(taskArn)).length;
  const notPassing = catalog.checks.filter((c) => c.Status !== 'passing').length;
  return { missing, extra, wrongAddress, notPassing };
}

/** True when nothing differs. */
export function inSync(differences: CatalogDifferences): boolean {
  return differences.missing === 0 && differences.extra === 0 && differences.wrongAddress === 0 && differences.notPassing === 0;
}

/** The catalog does not match ECS when it must (after a reconcile): the figures would describe a broken run. */
export class CatalogOutOfSync extends Error {
  override readonly name = 'CatalogOutOfSync';
}
