import type { MeshSpec } from '../spec/schema';

/**
 * Names of the registration model in Consul (DESIGN.md section 6) and the orchestrator's KV keys. Like naming.ts, a
 * contract: the event handler, the reconcile and `GET /mesh` read what these write.
 */

/** Service `Meta` keys. Consul Meta values are strings; keys may not start with `consul-` (reserved by Consul). */
export const META = {
  mesh: 'mesh',
  cluster: 'cluster',
  taskArn: 'task-arn',
  /** The ECS `detail.version` applied, as a decimal string: events older than it are stale. */
  taskVersion: 'task-version',
  deploymentId: 'deployment-id',
  taskDefinitionArn: 'task-definition-arn',
} as const;

/** NodeMeta of the synthetic node of a cluster: no agent owns it, so no anti-entropy removes its services. */
export const NODE_META = { synthetic: 'synthetic-node', mesh: 'mesh' } as const;

/** The synthetic node's address: nothing connects to it (instances carry their own addresses). */
export const SYNTHETIC_NODE_ADDRESS = '127.0.0.1';

/** The one check of an instance (or proxy) mirroring ECS health. */
export function healthCheckId(serviceId: string): string {
  return `${serviceId}:ecs-health`;
}

/** Root of the orchestrator's Consul KV entries for a mesh (KV keys have no leading slash). */
export function kvPrefix(spec: Pick<MeshSpec, 'name'>): string {
  return `consul-mesh/${spec.name}`;
}

/**
 * KV key of the spec the last deployment stored (deploy/config-entries.ts writes it): what the task-event handler,
 * the reconcile and the API read to know the mesh.
 */
export function deployedSpecKey(spec: Pick<MeshSpec, 'name'>): string {
  return `${kvPrefix(spec)}/spec`;
}

/** KV key of a stopped task's tombstone (see stored.ts). */
export function tombstoneKey(spec: Pick<MeshSpec, 'name'>, cluster: string, taskId: string): string {
  return `${kvPrefix(spec)}/tombstones/${cluster}/${taskId}`;
}
