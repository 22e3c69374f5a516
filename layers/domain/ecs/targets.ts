import type { MeshSpec } from '../spec/schema';
import { ingressFamily, meshGatewayFamily, serverFamily, SERVER_SERVICE_NAME, serviceFamily, servicesWithCluster, type MeshRole } from '../naming';
import { NotFoundError } from '../../errors';

/** One ECS service of a mesh: the Consul servers, one mesh service, or the ingress gateway. */
export type ServiceTarget = { role: 'server' } | { role: 'service'; service: string } | { role: 'ingress-gateway' } | { role: 'mesh-gateway' };

/** Where a target runs and under which names. */
export interface ResolvedTarget {
  role: MeshRole;
  /** ECS cluster name (also the synthetic Consul node of its tasks). */
  cluster: string;
  /** ECS service name: `consul-server`, the mesh service's name, or the gateway's name. */
  serviceName: string;
  family: string;
  desiredCount: number;
}

/**
 * Resolves a target against the spec.
 * @throws NotFoundError for a service the spec does not define, or an ingress when it has none.
 */
export function resolveTarget(spec: MeshSpec, target: ServiceTarget): ResolvedTarget {
  switch (target.role) {
    case 'server':
      return {
        role: 'server',
        cluster: spec.consul.servers.cluster,
        serviceName: SERVER_SERVICE_NAME,
        family: serverFamily(spec),
        desiredCount: spec.consul.servers.count,
      };
    case 'service': {
      const found = servicesWithCluster(spec).find((s) => s.service.name === target.service);
      if (!found) throw new NotFoundError(`the mesh "${spec.name}" has no service "${target.service}"`);
      return {
        role: 'service',
        cluster: found.cluster,
        serviceName: found.service.name,
        family: serviceFamily(spec, found.service.name),
        desiredCount: found.service.desiredCount,
      };
    }
    case 'ingress-gateway': {
      if (!spec.ingress) throw new NotFoundError(`the mesh "${spec.name}" has no ingress gateway`);
      return {
        role: 'ingress-gateway',
        cluster: spec.ingress.cluster,
        serviceName: spec.ingress.name,
        family: ingressFamily(spec),
        desiredCount: spec.ingress.desiredCount,
      };
    }
    case 'mesh-gateway': {
      if (!spec.meshGateway) throw new NotFoundError(`the mesh "${spec.name}" has no mesh gateway`);
      return {
        role: 'mesh-gateway',
        cluster: spec.meshGateway.cluster,
        serviceName: spec.meshGateway.name,
        family: meshGatewayFamily(spec),
        desiredCount: spec.meshGateway.desiredCount,
      };
    }
  }
}

/**
 * The targets in deployment order (DESIGN.md section 1): the servers, then the mesh gateway (peered upstreams of
 * the services go through it), then every mesh service (one stage, run in parallel), then the ingress gateway.
 * Empty stages are left out.
 */
export function deployStages(spec: MeshSpec): ServiceTarget[][] {
  const stages: ServiceTarget[][] = [[{ role: 'server' }]];
  if (spec.meshGateway) stages.push([{ role: 'mesh-gateway' }]);
  stages.push(servicesWithCluster(spec).map(({ service }) => ({ role: 'service', service: service.name })));
  if (spec.ingress) stages.push([{ role: 'ingress-gateway' }]);
  return stages;
}

/** Every ECS cluster of the mesh with the role of what it runs, in deployment order. */
export function meshClusters(spec: MeshSpec): Array<{ name: string; role: MeshRole }> {
  const clusters: Array<{ name: string; role: MeshRole }> = [{ name: spec.consul.servers.cluster, role: 'server' }];
  if (spec.meshGateway) clusters.push({ name: spec.meshGateway.cluster, role: 'mesh-gateway' });
  for (const cluster of spec.clusters) clusters.push({ name: cluster.name, role: 'service' });
  if (spec.ingress) clusters.push({ name: spec.ingress.cluster, role: 'ingress-gateway' });
  return clusters;
}
