import type { MeshSpec } from '../spec/schema';
import { CONSUL_PORTS, ENVOY_PORTS } from './ports';
import { DATAPLANE_RUNTIME } from './runtime-contract';
import { defaultServerAddress, serverTlsServerName } from './server-names';
import { resolveDataplaneTarget, type DataplaneTarget } from './dataplane-target';

/**
 * The subset of consul-dataplane's `-config-file` JSON this project writes (consul-dataplane 1.3+; field names as in
 * its `DataplaneConfigFlags`). Values given by flags or `DP_*` environment variables take precedence over the file,
 * which is how the per-task proxy ID and the ACL token arrive: the entrypoint exports them (buildDataplaneLaunch).
 */
export interface DataplaneConfigFile {
  mode: 'sidecar';
  consul: {
    /** A DNS name resolving to the servers (go-netaddrs), or `exec=<command>`. */
    addresses: string;
    grpcPort: number;
    /** The server watch stream keeps the dataplane's server list current as server tasks are replaced. */
    serverWatchDisabled: boolean;
    tls: { disabled: true } | { disabled: false; caCertsPath: string; serverName: string };
    /** `static`: the token comes from DP_CREDENTIAL_STATIC_TOKEN (the entrypoint's CONSUL_DATAPLANE_TOKEN), never from this file. */
    credentials?: { type: 'static' };
  };
  proxy: {
    /** The synthetic node the proxy is registered on: the ECS cluster's name (the entrypoint exports the same, from CONSUL_NODE_NAME). */
    nodeName: string;
  };
  logging: { logLevel: 'info'; logJSON: true };
  envoy: { adminBindAddress: string; adminBindPort: number; readyBindAddress: string; readyBindPort: number };
}

/** Choices that are not part of the mesh spec. */
export interface DataplaneConfigOptions {
  /** The servers' stable internal address. Default defaultServerAddress(spec): `consul-server.<mesh>.internal`. */
  serverAddress?: string;
}

/**
 * Builds the consul-dataplane configuration of a service's (or the ingress gateway's) tasks.
 *
 * - `consul.addresses`: the servers' stable DNS name (Cloud Map), never an IP; the gRPC port is 8503 (TLS) or 8502.
 * - TLS: the CA file the entrypoint writes at start (DATAPLANE_RUNTIME.caFile) and the name in every server
 *   certificate (`server.<dc>.consul`).
 * - `proxy.nodeName`: the cluster's name, the synthetic node the orchestrator registers the tasks on.
 * - `envoy`: the admin API and the readiness endpoint on loopback, at ENVOY_PORTS; the container health check of the
 *   task definition probes `readyBindAddress:readyBindPort/ready` (buildDataplaneLaunch's healthCheckUrl).
 * - The proxy ID and the ACL token are per task and secret respectively, so they are not in the file: the entrypoint
 *   exports `DP_PROXY_SERVICE_ID` (dataplaneProxyId, from the task's metadata) and `DP_CREDENTIAL_STATIC_TOKEN`
 *   (from CONSUL_DATAPLANE_TOKEN, which ECS injects from SSM SecureString); consul-dataplane reads both from its
 *   environment.
 *
 * @throws NotFoundError when the target is not in the spec.
 */
export function buildDataplaneConfig(spec: MeshSpec, target: DataplaneTarget, options: DataplaneConfigOptions = {}): DataplaneConfigFile {
  const resolved = resolveDataplaneTarget(spec, target);
  const security = spec.consul.security;
  const tls = security.tls.enabled;
  const config: DataplaneConfigFile = {
    mode: 'sidecar',
    consul: {
      addresses: options.serverAddress ?? defaultServerAddress(spec),
      grpcPort: tls ? CONSUL_PORTS.grpcTls : CONSUL_PORTS.grpc,
      serverWatchDisabled: false,
      tls: tls ? { disabled: false, caCertsPath: DATAPLANE_RUNTIME.caFile, serverName: serverTlsServerName(spec) } : { disabled: true },
    },
    proxy: { nodeName: resolved.cluster },
    logging: { logLevel: 'info', logJSON: true },
    envoy: {
      adminBindAddress: '127.0.0.1',
      adminBindPort: ENVOY_PORTS.admin,
      // The container health check probes /ready from inside the task: loopback is enough and exposes nothing.
      readyBindAddress: '127.0.0.1',
      readyBindPort: ENVOY_PORTS.ready,
    },
  };
  if (security.acl.enabled) config.consul.credentials = { type: 'static' };
  return config;
}

/**
 * Renders the consul-dataplane `-config-file` JSON (see buildDataplaneConfig), stored in SSM under
 * configParameterNames(spec).dataplane(name). Deterministic: two-space indentation, keys in a fixed order.
 *
 * @example
 *   renderDataplaneConfig(spec, { kind: 'service', name: 'users' })
 *   // {"mode":"sidecar","consul":{"addresses":"consul-server.reference-mesh.internal","grpcPort":8503,...},"proxy":{"nodeName":"cluster-1"},...}
 */
export function renderDataplaneConfig(spec: MeshSpec, target: DataplaneTarget, options: DataplaneConfigOptions = {}): string {
  return `${JSON.stringify(buildDataplaneConfig(spec, target, options), null, 2)}\n`;
}

/** The ingress gateway's dataplane configuration: renderDataplaneConfig with the gateway as target. */
export function renderIngressGatewayDataplaneConfig(spec: MeshSpec, options: DataplaneConfigOptions = {}): string {
  return renderDataplaneConfig(spec, { kind: 'ingress-gateway' }, options);
}
