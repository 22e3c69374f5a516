import type { MeshSpec, ServiceSpec } from './spec/schema';

/**
 * Every name the orchestrator derives from a spec, in one place, so builders, adapters, the event handler and
 * the local cloud agree. Changing one of these renames live resources: treat them as a contract.
 */

/** Tag keys on clusters, services, task definitions and tasks (propagated to tasks by ECS). */
export const TAG = {
  mesh: 'consul-mesh:mesh',
  role: 'consul-mesh:role',
  service: 'consul-mesh:service',
  /** The tag Consul servers are found by through cloud auto-join (`retry_join = ["provider=aws tag_key=... tag_value=<mesh>"]`). */
  serverJoin: 'consul-mesh:server',
  specHash: 'consul-mesh:spec-hash',
} as const;

export type MeshRole = 'server' | 'service' | 'ingress-gateway' | 'mesh-gateway';

/** The ECS service name that runs the Consul servers. */
export const SERVER_SERVICE_NAME = 'consul-server';

/** Task-definition family of a mesh service: `<mesh>-<service>`. */
export function serviceFamily(spec: Pick<MeshSpec, 'name'>, serviceName: string): string {
  return `${spec.name}-${serviceName}`;
}

export function serverFamily(spec: Pick<MeshSpec, 'name'>): string {
  return `${spec.name}-${SERVER_SERVICE_NAME}`;
}

export function ingressFamily(spec: Pick<MeshSpec, 'name' | 'ingress'>): string {
  return `${spec.name}-${spec.ingress?.name ?? 'ingress-gateway'}`;
}

/** Task-definition family of the mesh gateway: `<mesh>-<gateway name>`. */
export function meshGatewayFamily(spec: Pick<MeshSpec, 'name' | 'meshGateway'>): string {
  return `${spec.name}-${spec.meshGateway?.name ?? 'mesh-gateway'}`;
}

/** Root of every SSM parameter the orchestrator writes for a mesh. */
export function meshParameterPrefix(spec: Pick<MeshSpec, 'name'>, root = '/consul-mesh'): string {
  return `${root}/${spec.name}`;
}

/** SSM parameter names of the rendered configuration (DESIGN.md section 1: consul.hcl lives in SSM). */
export function configParameterNames(spec: Pick<MeshSpec, 'name'>, root = '/consul-mesh') {
  const prefix = meshParameterPrefix(spec, root);
  return {
    serverHcl: `${prefix}/config/server.hcl`,
    dataplane: (service: string) => `${prefix}/config/dataplane/${service}.json`,
    configEntry: (kind: string, name: string) => `${prefix}/config-entries/${kind}/${name}`,
    lock: `${prefix}/lock`,
  };
}

/**
 * Secret parameters (SecureString) the spec references, with safe defaults under the mesh prefix when a spec
 * leaves them out. Values are never in the spec, the repository, images or logs.
 */
export function secretParameterNames(spec: MeshSpec, root = '/consul-mesh') {
  const prefix = `${meshParameterPrefix(spec, root)}/secrets`;
  const sec = spec.consul.security;
  return {
    gossipKey: sec.gossip.keyParameter ?? `${prefix}/gossip-key`,
    caCert: sec.tls.caCertParameter ?? `${prefix}/tls/ca-cert`,
    caKey: sec.tls.caKeyParameter ?? `${prefix}/tls/ca-key`,
    bootstrapToken: sec.acl.bootstrapTokenParameter ?? `${prefix}/acl/bootstrap-token`,
    orchestratorToken: sec.acl.orchestratorTokenParameter ?? `${prefix}/acl/orchestrator-token`,
    /** The Consul servers' agent token (`acl.tokens.agent`); the ACL step creates it in Consul. */
    agentToken: `${prefix}/acl/agent-token`,
  };
}

/** All services of the spec with the cluster each runs in, in spec order. */
export function servicesWithCluster(spec: MeshSpec): Array<{ cluster: string; service: ServiceSpec }> {
  return spec.clusters.flatMap((c) => c.services.map((service) => ({ cluster: c.name, service })));
}

/** Consul service instance ID of a task (DESIGN.md section 6): `<service>-<taskId>`. */
export function instanceId(serviceName: string, taskId: string): string {
  return `${serviceName}-${taskId}`;
}

export function sidecarId(serviceName: string, taskId: string): string {
  return `${instanceId(serviceName, taskId)}-sidecar-proxy`;
}

/*
 * Reading ECS identifiers back: the event handler, the reconcile and the deploy steps parse what ECS reports with
 * these, and nothing else spells an ARN's layout.
 */

/** The task id is the last segment of a task ARN (`arn:aws:ecs:region:acct:task/cluster/<id>`). */
export function taskIdFromArn(taskArn: string): string {
  return taskArn.slice(taskArn.lastIndexOf('/') + 1);
}

/** The cluster name from a cluster ARN (`arn:aws:ecs:region:acct:cluster/<name>`) or a bare name. */
export function clusterNameFromArn(clusterArn: string): string {
  return clusterArn.slice(clusterArn.lastIndexOf('/') + 1);
}

/** `arn:aws:ecs:r:a:task-definition/fam:3`, `fam:3` or `fam` → family and optional revision. */
export function parseTaskDefinitionRef(ref: string | undefined): { family: string; revision?: number } {
  if (!ref) return { family: '' };
  const tail = ref.startsWith('arn:') ? ref.slice(ref.indexOf('/') + 1) : ref;
  const colon = tail.lastIndexOf(':');
  if (colon < 0) return { family: tail };
  return { family: tail.slice(0, colon), revision: Number(tail.slice(colon + 1)) };
}

/**
 * The ECS service a task belongs to, from its `group`: the service scheduler sets `service:<name>`; RunTask sets
 * `family:<family>` (no service: undefined).
 * @example serviceNameFromGroup('service:users') // 'users'
 */
export function serviceNameFromGroup(group: string | undefined): string | undefined {
  return group?.startsWith('service:') ? group.slice('service:'.length) : undefined;
}
