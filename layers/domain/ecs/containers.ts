import { SIDECAR_PORT_MIN, SIDECAR_PUBLIC_PORT } from '../spec/rules';

/**
 * Container names, ports and the environment contract between the task definitions built here and the images'
 * entrypoints (docker/). Changing one of these changes running tasks: treat them as a contract.
 *
 * Configuration delivery (no init container): the rendered config lives in SSM (DESIGN.md section 1) and is
 * listed in the container's `secrets` with the parameter's ARN, so the ECS agent fetches it at task start and
 * hands it to the container as `CONSUL_MESH_CONFIG` (ECS resolves String and SecureString parameters alike).
 * The entrypoint writes that variable to a file and execs Consul or consul-dataplane. The parameter's *name* is
 * also passed, as plain `CONSUL_MESH_CONFIG_PARAMETER`, for logs and debugging. Why not a `mesh-init` container:
 * the image would need an AWS client and credentials, there would be one more start dependency to order, and the
 * ECS agent already does authenticated, retried SSM reads with the execution role.
 */

/** The Consul server container of the server task (also the ECS service's name, naming.SERVER_SERVICE_NAME). */
export const SERVER_CONTAINER = 'consul-server';
/** The consul-dataplane container (Envoy + xDS client) of every mesh service task and of the gateway task. */
export const DATAPLANE_CONTAINER = 'consul-dataplane';

/** Keys of `ctx.images` besides the service and gateway names. */
export const IMAGE_KEY = { server: 'consul-server', dataplane: 'consul-dataplane' } as const;

/**
 * Where Envoy's readiness endpoint listens (consul-dataplane `-envoy-ready-bind-port`, on 127.0.0.1): the
 * dataplane's container health check calls it. 21000 is the first port of the sidecar range the spec rules
 * reserve, so no service port or upstream listener of a valid spec can take it. The rendered dataplane
 * configuration must bind the ready endpoint here.
 */
export const ENVOY_READY_PORT = SIDECAR_PORT_MIN;

/** The port a sidecar accepts inbound mTLS traffic on (the registered proxy's `Port`). */
export const SIDECAR_PORT = SIDECAR_PUBLIC_PORT;

/** Consul server ports (DESIGN.md section 3): RPC, Serf LAN/WAN (tcp and udp), HTTP, HTTPS, gRPC, DNS. */
export const CONSUL_SERVER_PORTS: ReadonlyArray<{ port: number; protocol: 'tcp' | 'udp' }> = [
  { port: 8300, protocol: 'tcp' },
  { port: 8301, protocol: 'tcp' },
  { port: 8301, protocol: 'udp' },
  { port: 8302, protocol: 'tcp' },
  { port: 8302, protocol: 'udp' },
  { port: 8500, protocol: 'tcp' },
  { port: 8501, protocol: 'tcp' },
  { port: 8502, protocol: 'tcp' },
  { port: 8600, protocol: 'tcp' },
  { port: 8600, protocol: 'udp' },
];

/** Consul's data directory in the server container (`data_dir` of the rendered consul.hcl). */
export const CONSUL_DATA_PATH = '/consul/data';
export const CONSUL_DATA_VOLUME = 'consul-data';

/** Environment variable names the entrypoints read. Values of the `secrets` ones come from SSM, never the spec. */
export const CONTAINER_ENV = {
  /** The rendered config (consul.hcl or the dataplane JSON), injected by ECS from SSM. */
  config: 'CONSUL_MESH_CONFIG',
  /** The SSM parameter name the config came from (plain, for logs). */
  configParameter: 'CONSUL_MESH_CONFIG_PARAMETER',
  /** Hash of the rendered config: a changed config changes the task definition, so ECS rolls the tasks. */
  configHash: 'CONSUL_MESH_CONFIG_HASH',
  /** Mesh service (or gateway) name the dataplane fronts; the entrypoint derives the proxy's service ID from it. */
  service: 'CONSUL_MESH_SERVICE',
  /** `connect-proxy` or `ingress-gateway`. */
  proxyKind: 'CONSUL_MESH_PROXY_KIND',
  gossipKey: 'CONSUL_GOSSIP_KEY',
  caCert: 'CONSUL_CA_CERT',
  caKey: 'CONSUL_CA_KEY',
  bootstrapToken: 'CONSUL_BOOTSTRAP_TOKEN',
} as const;

/**
 * The app container is named after its service, as ECS users expect (`containers[].name` in events). A service
 * called like the dataplane container would collide, so that one name gets a suffix.
 */
export function appContainerName(serviceName: string): string {
  return serviceName === DATAPLANE_CONTAINER ? `${serviceName}-app` : serviceName;
}
