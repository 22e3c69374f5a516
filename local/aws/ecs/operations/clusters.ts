/**
 * CreateCluster, DescribeClusters, ListClusters, DeleteCluster.
 */
import { createHash } from 'node:crypto';
import { AwsServiceError, LOCAL_ACCOUNT_ID, type RequestContext } from '../../protocol';
import { clusterNameOf, ecsArn } from '../arns';
import type { ClusterRecord } from '../model';
import { paginate } from '../pagination';
import { clusterToApi } from '../render';
import { includes, tagsOf } from '../request';
import type { CreateClusterInput, DeleteClusterInput, DescribeClustersInput, ListClustersInput } from '../schemas';
import type { RegionState } from '../store';
import { clusterNotFound, countTasks, type EcsOperationDependencies } from './common';

function describeCluster(state: RegionState, cluster: ClusterRecord, includeTags: boolean): Record<string, unknown> {
  const tasks = state.tasksOf(cluster.name).filter((t) => t.lastStatus !== 'STOPPED');
  const { runningCount, pendingCount } = countTasks(tasks);
  const activeServicesCount = state.servicesOf(cluster.name).filter((s) => s.status === 'ACTIVE').length;
  return clusterToApi(cluster, { runningTasksCount: runningCount, pendingTasksCount: pendingCount, activeServicesCount }, includeTags);
}

/**
 * `serviceConnectDefaults.namespace` names a Cloud Map namespace by name or ARN; ECS answers with its ARN (and
 * creates an HTTP namespace of that name when there is none). The local cloud has no Cloud Map: a name gets a
 * stable namespace id derived from it, so the same name always yields the same ARN.
 */
function serviceConnectDefaults(given: CreateClusterInput['serviceConnectDefaults'], region: string): { namespace: string } | undefined {
  if (given === undefined) return undefined;
  const { namespace } = given;
  if (namespace.startsWith('arn:')) return { namespace };
  const id = createHash('sha256').update(`${region}/${namespace}`).digest('hex').slice(0, 16);
  return { namespace: `arn:aws:servicediscovery:${region}:${LOCAL_ACCOUNT_ID}:namespace/ns-${id}` };
}

/** Idempotent: creating an existing ACTIVE cluster returns it (as ECS does). */
export function createCluster({ store }: EcsOperationDependencies, request: CreateClusterInput, ctx: RequestContext) {
  const state = store.region(ctx.region);
  const name = request.clusterName ?? 'default';
  const defaults = serviceConnectDefaults(request.serviceConnectDefaults, ctx.region);
  const existing = state.cluster(name);
  if (existing?.status === 'ACTIVE') return { cluster: describeCluster(state, existing, false) };
  const cluster: ClusterRecord = {
    name,
    arn: ecsArn.cluster(ctx.region, name),
    status: 'ACTIVE',
    tags: tagsOf(request.tags),
    settings: request.settings ?? [],
    ...(defaults ? { serviceConnectDefaults: defaults } : {}),
    createdAt: Date.now(),
  };
  state.clusters.set(name, cluster);
  return { cluster: describeCluster(state, cluster, false) };
}

export function describeClusters({ store }: EcsOperationDependencies, request: DescribeClustersInput, ctx: RequestContext) {
  const state = store.region(ctx.region);
  const includeTags = includes(request.include, 'TAGS');
  const clusters: unknown[] = [];
  const failures: unknown[] = [];
  for (const reference of request.clusters ?? ['default']) {
    const cluster = state.cluster(clusterNameOf(reference));
    if (cluster) clusters.push(describeCluster(state, cluster, includeTags));
    else failures.push({ arn: reference.startsWith('arn:') ? reference : ecsArn.cluster(ctx.region, reference), reason: 'MISSING' });
  }
  return { clusters, failures };
}

export function listClusters({ store }: EcsOperationDependencies, request: ListClustersInput, ctx: RequestContext) {
  const state = store.region(ctx.region);
  const active = [...state.clusters.values()].filter((cluster) => cluster.status === 'ACTIVE');
  const page = paginate(active, (cluster) => cluster.arn, { nextToken: request.nextToken, maxResults: request.maxResults, defaultSize: 100 });
  return { clusterArns: page.items.map((cluster) => cluster.arn), nextToken: page.nextToken };
}

/** ECS refuses to delete a cluster that still has services or tasks. */
export function deleteCluster({ store }: EcsOperationDependencies, request: DeleteClusterInput, ctx: RequestContext) {
  const state = store.region(ctx.region);
  const cluster = state.cluster(clusterNameOf(request.cluster));
  if (!cluster) throw clusterNotFound();
  if (cluster.status === 'ACTIVE') {
    if (state.servicesOf(cluster.name).some((service) => service.status !== 'INACTIVE')) {
      throw new AwsServiceError('ClusterContainsServicesException', 'The Cluster cannot be deleted while Services are active.', 400);
    }
    if (state.tasksOf(cluster.name).some((task) => task.lastStatus !== 'STOPPED')) {
      throw new AwsServiceError('ClusterContainsTasksException', 'The Cluster cannot be deleted while Tasks are active.', 400);
    }
    cluster.status = 'INACTIVE';
  }
  return { cluster: describeCluster(state, cluster, false) };
}
