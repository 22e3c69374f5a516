import type { IngressSpec, MeshGatewaySpec, MeshSpec, ServiceSpec } from '../spec/schema';
import { clusterNameFromArn, ingressFamily, meshGatewayFamily, parseTaskDefinitionRef, serverFamily, SERVER_SERVICE_NAME, serviceFamily, serviceNameFromGroup, taskIdFromArn } from '../naming';
import type { EcsTask } from './task-schema';

interface MemberBase {
  /** The ECS cluster's name, which is also the synthetic Consul node the task registers on. */
  cluster: string;
  taskId: string;
}

/** A task of a mesh service: registers an instance and its sidecar proxy. */
export interface ServiceMember extends MemberBase {
  role: 'service';
  service: ServiceSpec;
}

/** A task of the ingress gateway: registers one `ingress-gateway` instance. */
export interface GatewayMember extends MemberBase {
  role: 'ingress-gateway';
  ingress: IngressSpec;
}

/** A task of the mesh gateway: registers one `mesh-gateway` instance with its LAN and WAN addresses. */
export interface MeshGatewayMember extends MemberBase {
  role: 'mesh-gateway';
  gateway: MeshGatewaySpec;
}

/** A Consul server task: never registered by the orchestrator (a server is an agent itself). */
export interface ServerMember extends MemberBase {
  role: 'server';
}

export type MeshMember = ServiceMember | GatewayMember | MeshGatewayMember | ServerMember;
export type RegistrableMember = ServiceMember | GatewayMember | MeshGatewayMember;

/**
 * The ECS clusters whose tasks can belong to the mesh: the service clusters, the ingress cluster and the Consul
 * server cluster. A task of any other cluster is dropped before any Consul read (the EventBridge rule is scoped
 * to these clusters too, but a handler does not rely on its trigger's filter).
 */
export function meshClusterNames(spec: MeshSpec): Set<string> {
  const names = new Set(spec.clusters.map((c) => c.name));
  names.add(spec.consul.servers.cluster);
  if (spec.ingress) names.add(spec.ingress.cluster);
  if (spec.meshGateway) names.add(spec.meshGateway.cluster);
  return names;
}

/**
 * Which part of the mesh a task belongs to, from its cluster and its `group` (`service:<name>`, set by the ECS
 * service scheduler) — or, for a task started by RunTask (`family:<family>`), from its task definition family.
 * A task of a service the spec does not list, or of a cluster that is not the mesh's, is not part of it.
 */
export function findMember(spec: MeshSpec, task: EcsTask): MeshMember | undefined {
  const cluster = clusterNameFromArn(task.clusterArn);
  const taskId = taskIdFromArn(task.taskArn);
  const groupService = serviceNameFromGroup(task.group);
  const family = parseTaskDefinitionRef(task.taskDefinitionArn).family;
  const is = (name: string, fam: string) => (groupService !== undefined ? groupService === name : family === fam);

  if (cluster === spec.consul.servers.cluster) {
    return is(SERVER_SERVICE_NAME, serverFamily(spec)) ? { role: 'server', cluster, taskId } : undefined;
  }
  if (spec.ingress && cluster === spec.ingress.cluster) {
    return is(spec.ingress.name, ingressFamily(spec)) ? { role: 'ingress-gateway', cluster, taskId, ingress: spec.ingress } : undefined;
  }
  if (spec.meshGateway && cluster === spec.meshGateway.cluster) {
    return is(spec.meshGateway.name, meshGatewayFamily(spec)) ? { role: 'mesh-gateway', cluster, taskId, gateway: spec.meshGateway } : undefined;
  }
  const service = spec.clusters.find((c) => c.name === cluster)?.services.find((s) => is(s.name, serviceFamily(spec, s.name)));
  return service ? { role: 'service', cluster, taskId, service } : undefined;
}
