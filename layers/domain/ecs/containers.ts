import { CONSUL_PORTS } from '../consul/ports';
import { SERVER_RUNTIME } from '../consul/runtime-contract';
import { SIDECAR_PUBLIC_PORT } from '../spec/rules';

/**
 * Container names and ports of the task definitions built here. Changing one of these changes running tasks:
 * treat them as a contract.
 *
 * What each container gets in `environment` and `secrets` is not decided here: the consul layer's launch contract
 * (buildServerLaunch, buildDataplaneLaunch, with the names of consul/runtime-contract.ts) lists it, and the images'
 * entrypoints (docker/) read exactly those variables. Configuration delivery (no init container): the rendered
 * config lives in SSM (DESIGN.md section 1) and is listed in the container's `secrets` with the parameter's ARN,
 * so the ECS agent fetches it at task start and hands it to the entrypoint, which writes it to a file and execs
 * Consul or consul-dataplane. Why not a `mesh-init` container: the image would need an AWS client and
 * credentials, there would be one more start dependency to order, and the ECS agent already does authenticated,
 * retried SSM reads with the execution role.
 */

/** The Consul server container of the server task (also the ECS service's name, naming.SERVER_SERVICE_NAME). */
export const SERVER_CONTAINER = 'consul-server';
/** The consul-dataplane container (Envoy + xDS client) of every mesh service task and of the gateway task. */
export const DATAPLANE_CONTAINER = 'consul-dataplane';

/** Keys of `ctx.images` besides the service and gateway names. */
export const IMAGE_KEY = { server: 'consul-server', dataplane: 'consul-dataplane' } as const;

/** The port a sidecar accepts inbound mTLS traffic on (the registered proxy's `Port`). */
export const SIDECAR_PORT = SIDECAR_PUBLIC_PORT;

/**
 * Consul server ports (DESIGN.md section 3): RPC, Serf LAN/WAN (tcp and udp: gossip uses both), HTTP, HTTPS, gRPC
 * and DNS (tcp and udp). The listeners of the rendered consul.hcl come from CONSUL_PORTS.
 */
export const CONSUL_SERVER_PORTS: ReadonlyArray<{ port: number; protocol: 'tcp' | 'udp' }> = [
  { port: 8300, protocol: 'tcp' },
  { port: 8301, protocol: 'tcp' },
  { port: 8301, protocol: 'udp' },
  { port: 8302, protocol: 'tcp' },
  { port: 8302, protocol: 'udp' },
  { port: CONSUL_PORTS.http, protocol: 'tcp' },
  { port: CONSUL_PORTS.https, protocol: 'tcp' },
  { port: CONSUL_PORTS.grpc, protocol: 'tcp' },
  { port: 8600, protocol: 'tcp' },
  { port: 8600, protocol: 'udp' },
];

/**
 * gRPC over TLS, where dataplanes connect when TLS is on: since Consul 1.14 it is a listener of its own
 * (`ports { grpc_tls }` of the rendered consul.hcl), so it is mapped only then.
 */
export const CONSUL_GRPC_TLS_PORT = { port: CONSUL_PORTS.grpcTls, protocol: 'tcp' } as const;

/** Consul's data directory in the server container (`data_dir` of the rendered consul.hcl). */
export const CONSUL_DATA_PATH = SERVER_RUNTIME.dataDir;
export const CONSUL_DATA_VOLUME = 'consul-data';

/**
 * The app container is named after its service, as ECS users expect (`containers[].name` in events). A service
 * called like the dataplane container would collide, so that one name gets a suffix.
 */
export function appContainerName(serviceName: string): string {
  return serviceName === DATAPLANE_CONTAINER ? `${serviceName}-app` : serviceName;
}
