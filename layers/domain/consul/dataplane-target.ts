import type { MeshSpec } from '../spec/schema';
import { instanceId, servicesWithCluster, sidecarId } from '../naming';
import { NotFoundError } from '../../errors';

/** Whose proxy a dataplane runs: a mesh service's sidecar, the ingress gateway or the mesh gateway. */
export type DataplaneTarget = { readonly kind: 'service'; readonly name: string } | { readonly kind: 'ingress-gateway' } | { readonly kind: 'mesh-gateway' };

/** A target resolved against the spec. */
export interface ResolvedDataplaneTarget {
  readonly kind: DataplaneTarget['kind'];
  /** The Consul service name the proxy belongs to (the service, or the gateway's name). */
  readonly consulName: string;
  /** The ECS cluster the tasks run in, which is also the synthetic Consul node they are registered on. */
  readonly cluster: string;
}

/**
 * Finds a target in the spec.
 *
 * @throws NotFoundError when the spec has no such service, or no ingress gateway.
 */
export function resolveDataplaneTarget(spec: MeshSpec, target: DataplaneTarget): ResolvedDataplaneTarget {
  if (target.kind === 'ingress-gateway') {
    if (!spec.ingress) throw new NotFoundError(`mesh "${spec.name}" has no ingress gateway`);
    return { kind: 'ingress-gateway', consulName: spec.ingress.name, cluster: spec.ingress.cluster };
  }
  if (target.kind === 'mesh-gateway') {
    if (!spec.meshGateway) throw new NotFoundError(`mesh "${spec.name}" has no mesh gateway`);
    return { kind: 'mesh-gateway', consulName: spec.meshGateway.name, cluster: spec.meshGateway.cluster };
  }
  const found = servicesWithCluster(spec).find((entry) => entry.service.name === target.name);
  if (!found) throw new NotFoundError(`mesh "${spec.name}" has no service "${target.name}"`);
  return { kind: 'service', consulName: target.name, cluster: found.cluster };
}

/**
 * The Consul service ID of the proxy a task's dataplane drives; the orchestrator registers the proxy under the same
 * ID (DESIGN section 6): `<service>-<taskId>-sidecar-proxy` for a service, and `<gateway>-<taskId>` for the ingress
 * and mesh gateways, whose instance is itself the proxy (`Kind = "ingress-gateway"` / `"mesh-gateway"`). The dataplane entrypoint derives the
 * same ID inside the task from CONSUL_SERVICE_NAME, CONSUL_PROXY_KIND and the task ID of the ECS task metadata
 * endpoint v4 (the last segment of `TaskARN`, as naming.taskIdFromArn takes it from the state-change event).
 */
export function dataplaneProxyId(target: ResolvedDataplaneTarget, taskId: string): string {
  return target.kind === 'service' ? sidecarId(target.consulName, taskId) : instanceId(target.consulName, taskId);
}

