import type { CreateClusterCommandInput } from '@aws-sdk/client-ecs';
import type { MeshSpec } from '../spec/schema';
import { NotFoundError } from '../../errors';
import { meshTags } from './common';
import { meshClusters } from './targets';

/**
 * CreateCluster input for one of the mesh's clusters, tagged with the mesh and the role of what it runs, with
 * Container Insights on (task-level CPU/memory metrics are how a failed rollout gets diagnosed).
 * CreateCluster is idempotent for an existing ACTIVE cluster of the same name.
 *
 * @throws NotFoundError when the spec has no cluster of that name.
 */
export function buildCluster(spec: MeshSpec, clusterName: string): CreateClusterCommandInput {
  const cluster = meshClusters(spec).find((c) => c.name === clusterName);
  if (!cluster) throw new NotFoundError(`the mesh "${spec.name}" has no cluster "${clusterName}"`);
  return {
    clusterName,
    settings: [{ name: 'containerInsights', value: 'enabled' }],
    tags: meshTags(spec, cluster.role),
  };
}
