import type { Cluster, Service, Tag } from '@aws-sdk/client-ecs';
import type { ConsulApi } from '../adapters/consul';
import type { EcrApi } from '../adapters/ecr';
import type { EcsApi } from '../adapters/ecs';
import type { SsmApi } from '../adapters/ssm';
import { buildConfigEntries } from '../domain/consul/config-entries';
import { clusterNameFromArn, configParameterNames, meshParameterPrefix, TAG, type MeshRole } from '../domain/naming';
import { kvPrefix, META, NODE_META } from '../domain/registration/keys';
import type { MeshSpec } from '../domain/spec/schema';

/**
 * Removal primitives: the pieces a teardown (and a deployment's removal stage) is built of. Each is idempotent (a
 * second call finds nothing and does nothing), depends on a narrow port of the adapters, and owns only what carries
 * the mesh's tag (`consul-mesh:mesh` = the mesh) or lives under the mesh's own prefix (SSM `/consul-mesh/<mesh>/`,
 * Consul KV `consul-mesh/<mesh>/`, ECR `<mesh>/`): anything else in the account is left alone, whatever its name.
 *
 * Order matters and is the caller's: scale a stage's services to 0, wait until `drainStatus` says drained (the
 * task-event handler deregisters each task from Consul as ECS stops it), delete the services; Consul's leftovers
 * (`deregisterStoppedInstances`, `deleteConfigEntries`, `deleteMeshKv`) while the Consul servers still run (they
 * *are* Consul: once they are gone nothing can be written there); clusters, task definitions, parameters and
 * repositories last.
 */

/** One ECS service of the mesh. */
export interface ServiceRef {
  cluster: string;
  service: string;
  role: MeshRole;
}

export type RemoveEcs = Pick<
  EcsApi,
  | 'listClusterArns'
  | 'describeClusters'
  | 'listServiceArns'
  | 'describeServices'
  | 'updateService'
  | 'deleteService'
  | 'deleteCluster'
  | 'listTaskArns'
  | 'describeTasks'
  | 'listTaskDefinitionFamilies'
  | 'listTaskDefinitionArns'
  | 'describeTaskDefinition'
  | 'deregisterTaskDefinition'
>;

export type RemoveConsul = Pick<ConsulApi, 'nodesByMeta' | 'nodeServices' | 'catalogDeregister' | 'deleteConfigEntry' | 'getConfigEntry' | 'kvDeleteTree' | 'kvList'>;

/** The order a mesh is taken down in: the reverse of the deployment's (DESIGN.md section 1). */
export const REMOVAL_ORDER: readonly MeshRole[] = ['ingress-gateway', 'service', 'server'];

function tagValue(tags: Array<Tag | { key?: string; value?: string }> | undefined, key: string): string | undefined {
  return tags?.find((t) => t.key === key)?.value;
}

const ownedBy = (mesh: string) => (resource: { tags?: Tag[] }) => tagValue(resource.tags, TAG.mesh) === mesh;

/** What of a mesh ECS still has: its clusters, its services (not yet INACTIVE), its task-definition families. */
export interface MeshResources {
  mesh: string;
  /** ACTIVE clusters tagged with the mesh. */
  clusters: string[];
  /** The mesh's services that are not INACTIVE, in removal order (ingress, services, servers). */
  services: Array<ServiceRef & { desiredCount: number; runningCount: number; pendingCount: number; status: string }>;
  /** Families with an ACTIVE revision tagged with the mesh. */
  families: string[];
}

/**
 * Finds what ECS holds of a mesh by its tags: ListClusters → DescribeClusters (tags), the services of those clusters
 * and of `hints.clusters` (a spec's clusters, which may be clusters the mesh did not create) → DescribeServices
 * (tags), and the families named `<mesh>-*` whose newest ACTIVE revision carries the mesh's tag (a family
 * `<mesh>-x-...` of another mesh whose name starts like this one is told apart by that tag).
 */
export async function findMeshResources(ecs: RemoveEcs, mesh: string, hints: { clusters?: readonly string[] } = {}): Promise<MeshResources> {
  const owned = ownedBy(mesh);
  const all = await ecs.describeClusters((await ecs.listClusterArns()).map(clusterNameFromArn), { includeTags: true });
  const clusters = all.filter((c) => c.status === 'ACTIVE' && owned(c)).map((c) => c.clusterName!);
  const active = new Set(all.filter((c) => c.status === 'ACTIVE').map((c) => c.clusterName!));
  const searched = [...new Set([...clusters, ...(hints.clusters ?? []).filter((c) => active.has(c))])];

  const services: MeshResources['services'] = [];
  for (const cluster of searched) {
    const names = (await ecs.listServiceArns(cluster)).map(clusterNameFromArn);
    for (const s of await ecs.describeServices(cluster, names, { includeTags: true })) {
      if (s.status === 'INACTIVE' || !owned(s)) continue;
      services.push({
        cluster,
        service: s.serviceName!,
        role: (tagValue(s.tags, TAG.role) as MeshRole | undefined) ?? 'service',
        desiredCount: s.desiredCount ?? 0,
        runningCount: s.runningCount ?? 0,
        pendingCount: s.pendingCount ?? 0,
        status: s.status ?? 'ACTIVE',
      });
    }
  }
  services.sort((a, b) => REMOVAL_ORDER.indexOf(a.role) - REMOVAL_ORDER.indexOf(b.role));

  const families: string[] = [];
  for (const family of await ecs.listTaskDefinitionFamilies(`${mesh}-`)) {
    if (await familyOwnedBy(ecs, family, mesh)) families.push(family);
  }
  return { mesh, clusters, services, families };
}

async function familyOwnedBy(ecs: Pick<RemoveEcs, 'describeTaskDefinition'>, family: string, mesh: string): Promise<boolean> {
  try {
    const { tags } = await ecs.describeTaskDefinition(family, { includeTags: true });
    return tagValue(tags, TAG.mesh) === mesh;
  } catch (error) {
    // ClientException: the family has no ACTIVE revision any more.
    if ((error as Error).name === 'ClientException') return false;
    throw error;
  }
}

/** The services of `refs` ECS still has (not INACTIVE) and that carry the mesh's tag; a missing cluster has none. */
async function ownedServices(ecs: Pick<RemoveEcs, 'describeServices'>, mesh: string, refs: readonly ServiceRef[]): Promise<Array<{ ref: ServiceRef; service: Service }>> {
  const out: Array<{ ref: ServiceRef; service: Service }> = [];
  const byCluster = new Map<string, ServiceRef[]>();
  for (const ref of refs) byCluster.set(ref.cluster, [...(byCluster.get(ref.cluster) ?? []), ref]);
  for (const [cluster, list] of byCluster) {
    let described: Service[];
    try {
      described = await ecs.describeServices(cluster, list.map((r) => r.service), { includeTags: true });
    } catch (error) {
      if ((error as Error).name === 'ClusterNotFoundException') continue;
      throw error;
    }
    for (const service of described) {
      const ref = list.find((r) => r.service === service.serviceName);
      if (ref && service.status !== 'INACTIVE' && ownedBy(mesh)(service)) out.push({ ref, service });
    }
  }
  return out;
}

const id = (ref: Pick<ServiceRef, 'cluster' | 'service'>) => `${ref.cluster}/${ref.service}`;

/**
 * Sets the desired count of the mesh's services among `refs` to 0 (UpdateService), so ECS stops their tasks: the
 * only way to delete a service without `force` (DeleteService refuses one scaled above 0). Services already at 0,
 * gone, or not the mesh's are left alone. Returns the `cluster/service` ids it scaled.
 */
export async function scaleToZero(ecs: Pick<RemoveEcs, 'describeServices' | 'updateService'>, mesh: string, refs: readonly ServiceRef[]): Promise<string[]> {
  const scaled: string[] = [];
  for (const { ref, service } of await ownedServices(ecs, mesh, refs)) {
    if (service.status !== 'ACTIVE' || (service.desiredCount ?? 0) === 0) continue;
    await ecs.updateService({ cluster: ref.cluster, service: ref.service, desiredCount: 0 });
    scaled.push(id(ref));
  }
  return scaled;
}

export interface DrainStatus {
  drained: boolean;
  /** Per service still draining: tasks ECS has not yet stopped. */
  remaining: Array<{ id: string; tasks: number }>;
}

/**
 * Whether every task of the mesh's services among `refs` has stopped: none is wanted RUNNING and none of those ECS
 * is stopping still has a `lastStatus` other than STOPPED (ECS refuses DeleteCluster while a task is not STOPPED,
 * and a stopping task's containers may still serve). Services gone or not the mesh's count as drained.
 */
export async function drainStatus(ecs: Pick<RemoveEcs, 'describeServices' | 'listTaskArns' | 'describeTasks'>, mesh: string, refs: readonly ServiceRef[]): Promise<DrainStatus> {
  const remaining: DrainStatus['remaining'] = [];
  for (const { ref } of await ownedServices(ecs, mesh, refs)) {
    const wanted = await ecs.listTaskArns({ cluster: ref.cluster, serviceName: ref.service, desiredStatus: 'RUNNING' });
    const stopping = await ecs.listTaskArns({ cluster: ref.cluster, serviceName: ref.service, desiredStatus: 'STOPPED' });
    const notStopped = (await ecs.describeTasks(ref.cluster, stopping)).filter((t) => t.lastStatus !== 'STOPPED').length;
    if (wanted.length + notStopped > 0) remaining.push({ id: id(ref), tasks: wanted.length + notStopped });
  }
  return { drained: remaining.length === 0, remaining };
}

/**
 * Deletes the mesh's services among `refs` (DeleteService). ECS keeps a deleted service as DRAINING, then
 * INACTIVE; both count as deleted here, and deleting one again is not attempted (ECS would answer
 * `ServiceNotActiveException`). Call it once `drainStatus` says drained: a service still scaled above 0 is
 * refused by ECS, and this never forces.
 */
export async function deleteServices(ecs: Pick<RemoveEcs, 'describeServices' | 'deleteService'>, mesh: string, refs: readonly ServiceRef[]): Promise<string[]> {
  const deleted: string[] = [];
  for (const { ref, service } of await ownedServices(ecs, mesh, refs)) {
    if (service.status !== 'ACTIVE') continue;
    try {
      await ecs.deleteService(ref.cluster, ref.service);
    } catch (error) {
      if ((error as Error).name === 'ServiceNotActiveException') continue;
      throw error;
    }
    deleted.push(id(ref));
  }
  return deleted;
}

export interface ClusterRemoval {
  deleted: string[];
  /** Clusters of the mesh that still hold services or tasks: removed by a later call. */
  busy: string[];
}

/**
 * Deletes the clusters among `names` that the mesh created (tagged `consul-mesh:mesh` = mesh) once they hold no
 * service that is not INACTIVE and no task that is not STOPPED (ECS refuses otherwise:
 * `ClusterContainsServicesException`, `ClusterContainsTasksException`). A cluster without the tag, even one the
 * spec names, is never deleted.
 */
export async function deleteClusters(ecs: Pick<RemoveEcs, 'describeClusters' | 'deleteCluster'>, mesh: string, names: readonly string[]): Promise<ClusterRemoval> {
  const result: ClusterRemoval = { deleted: [], busy: [] };
  const clusters: Cluster[] = (await ecs.describeClusters(names, { includeTags: true })).filter((c) => c.status === 'ACTIVE' && ownedBy(mesh)(c));
  for (const cluster of clusters) {
    const name = cluster.clusterName!;
    if ((cluster.activeServicesCount ?? 0) > 0 || (cluster.runningTasksCount ?? 0) + (cluster.pendingTasksCount ?? 0) > 0) {
      result.busy.push(name);
      continue;
    }
    try {
      await ecs.deleteCluster(name);
      result.deleted.push(name);
    } catch (error) {
      const n = (error as Error).name;
      // Services still DRAINING or tasks still stopping: DescribeClusters' counts do not show them.
      if (n === 'ClusterContainsServicesException' || n === 'ClusterContainsTasksException' || n === 'UpdateInProgressException') result.busy.push(name);
      else throw error;
    }
  }
  return result;
}

/**
 * Deregisters the ACTIVE revisions of the mesh's task-definition families, keeping the newest `keepNewest` of each
 * (a deployment keeps the live revision and the one before it for rollback; a teardown keeps none). A family whose
 * newest revision does not carry the mesh's tag is not the mesh's and is left alone. Running tasks are not affected
 * (ECS: a deregistered revision only stops new tasks from using it). Returns the revision ARNs deregistered.
 */
export async function deregisterTaskDefinitions(
  ecs: Pick<RemoveEcs, 'listTaskDefinitionArns' | 'describeTaskDefinition' | 'deregisterTaskDefinition'>,
  mesh: string,
  families: readonly string[],
  options: { keepNewest?: number } = {},
): Promise<string[]> {
  const deregistered: string[] = [];
  for (const family of families) {
    if (!(await familyOwnedBy(ecs, family, mesh))) continue;
    const revisions = await ecs.listTaskDefinitionArns(family, 'ACTIVE'); // newest first
    for (const arn of revisions.slice(options.keepNewest ?? 0)) {
      await ecs.deregisterTaskDefinition(arn);
      deregistered.push(arn);
    }
  }
  return deregistered;
}

/**
 * Removes the mesh's registrations whose task no longer runs, from the synthetic nodes of the mesh (NodeMeta
 * `mesh` = mesh), then each node left empty. A registration is removed only once its task is STOPPED, or wanted
 * STOPPED, or unknown to ECS: never one whose task still runs (the task-event handler removes a stopping task's own
 * registration at once; this is for those whose events were lost). Instances and sidecars alike carry the task ARN
 * in `Meta`. Returns the service ids and nodes removed.
 */
export async function deregisterStoppedInstances(
  consul: Pick<RemoveConsul, 'nodesByMeta' | 'nodeServices' | 'catalogDeregister'>,
  ecs: Pick<RemoveEcs, 'describeTasks'>,
  mesh: string,
): Promise<{ instances: string[]; nodes: string[]; stillRunning: string[] }> {
  const result = { instances: [] as string[], nodes: [] as string[], stillRunning: [] as string[] };
  for (const node of await consul.nodesByMeta(NODE_META.mesh, mesh)) {
    const entry = await consul.nodeServices(node);
    // A node gone meanwhile answers `{Node: null, Services: null}`.
    if (!entry?.Node || entry.Node.Meta?.[NODE_META.mesh] !== mesh) continue;
    const services = (entry.Services ?? []).filter((s) => s.Meta?.[META.mesh] === mesh);
    const arns = [...new Set(services.map((s) => s.Meta?.[META.taskArn]).filter((a): a is string => !!a))];
    // The synthetic node is named after its cluster (DESIGN.md section 6).
    const tasks = arns.length > 0 ? await ecs.describeTasks(node, arns).catch(notFoundAsNone) : [];
    const running = new Set(tasks.filter((t) => t.desiredStatus === 'RUNNING' && t.lastStatus !== 'STOPPED').map((t) => t.taskArn));
    let kept = (entry.Services ?? []).length;
    for (const s of services) {
      const arn = s.Meta?.[META.taskArn];
      if (arn && running.has(arn)) {
        result.stillRunning.push(s.ID);
        continue;
      }
      await consul.catalogDeregister(node, s.ID);
      result.instances.push(s.ID);
      kept -= 1;
    }
    if (kept === 0) {
      await consul.catalogDeregister(node);
      result.nodes.push(node);
    }
  }
  return result;
}

function notFoundAsNone(error: unknown): never[] {
  if ((error as Error).name === 'ClusterNotFoundException') return [];
  throw error;
}

/**
 * Deletes the config entries of `spec` that Consul holds, in the reverse of their apply order: the intentions, then
 * the ingress-gateway entry, then the service-defaults (Consul refuses to delete a service's protocol while a
 * gateway listener or an L7 intention still relies on it). Returns `kind/name` of each entry deleted.
 */
export async function deleteConfigEntries(consul: Pick<RemoveConsul, 'getConfigEntry' | 'deleteConfigEntry'>, spec: MeshSpec): Promise<string[]> {
  const deleted: string[] = [];
  for (const entry of [...buildConfigEntries(spec)].reverse()) {
    if (!(await consul.getConfigEntry(entry.Kind, entry.Name))) continue;
    await consul.deleteConfigEntry(entry.Kind, entry.Name);
    deleted.push(`${entry.Kind}/${entry.Name}`);
  }
  return deleted;
}

/**
 * Deletes every KV entry under `consul-mesh/<mesh>/`: the deployed spec (so the task-event handler and the
 * reconcile stop acting for the mesh) and the tombstones. The trailing slash keeps `consul-mesh/<mesh>-other/`
 * out. Returns the keys deleted.
 */
export async function deleteMeshKv(consul: Pick<RemoveConsul, 'kvList' | 'kvDeleteTree'>, mesh: string): Promise<string[]> {
  const prefix = `${kvPrefix({ name: mesh })}/`;
  const keys = (await consul.kvList(prefix)).map((e) => e.key);
  if (keys.length > 0) await consul.kvDeleteTree(prefix);
  return keys;
}

/**
 * Deletes the SSM parameters under `/consul-mesh/<mesh>/` (the `root` given): the rendered configuration always;
 * the secrets (`.../secrets/...`) only when `purge`. The mesh lock and the API token are never deleted here (the
 * lock belongs to whoever holds it; the token belongs to the stack, not to a deployment). Returns the names deleted.
 */
export async function deleteParameters(
  ssm: Pick<SsmApi, 'listUnder' | 'deleteParameters'>,
  mesh: string,
  options: { purge?: boolean; root?: string } = {},
): Promise<{ deleted: string[]; kept: string[] }> {
  const prefix = meshParameterPrefix({ name: mesh }, options.root);
  const never = new Set([configParameterNames({ name: mesh }, options.root).lock, `${prefix}/api-token`]);
  const secrets = `${prefix}/secrets/`;
  const names = (await ssm.listUnder(prefix)).map((p) => p.name).filter((n) => n.startsWith(`${prefix}/`));
  const doomed = names.filter((n) => !never.has(n) && (options.purge || !n.startsWith(secrets)));
  const deleted = doomed.length > 0 ? await ssm.deleteParameters(doomed) : [];
  return { deleted, kept: names.filter((n) => !deleted.includes(n)) };
}

/**
 * Deletes the mesh's ECR repositories (`<mesh>/<image>`) with their images. A teardown does this only on purge: the
 * images are what a redeployment would otherwise build again. Returns the names deleted.
 */
export async function deleteRepositories(ecr: Pick<EcrApi, 'listNames' | 'deleteRepository'>, mesh: string): Promise<string[]> {
  const deleted: string[] = [];
  for (const name of await ecr.listNames(`${mesh}/`)) if (await ecr.deleteRepository(name)) deleted.push(name);
  return deleted;
}
