import type { MeshSpec } from '../spec/schema';
import { configParameterNames, secretParameterNames } from '../naming';
import type { ContainerEnvironmentVariable, ContainerLaunch, ContainerSecret, LaunchOptions } from './launch-types';
import { DATAPLANE_RUNTIME, type DataplaneProxyKind } from './runtime-contract';
import { resolveDataplaneTarget, type DataplaneTarget } from './dataplane-target';
import { dataplaneTokenParameterName } from './parameter-names';
import { ENVOY_PORTS } from './ports';
import { serverHttpAddress } from './server-names';

/**
 * How long a dataplane container waits for its proxy's registration before it gives up (exit 69) and ECS replaces
 * the task. The registration comes from the task-event Lambda once ECS reports the container running, within a
 * second or so; a failed delivery is retried by Lambda after a minute, and a lost one repaired by the reconcile, which
 * runs every minute by default: two minutes cover one retry and a full reconcile period. The container health check's
 * start period (buildDataplaneHealthCheck) is longer, so the wait is never counted as failed checks.
 */
export const DATAPLANE_REGISTRATION_TIMEOUT_SECONDS = 120;

/** How a task's dataplane container is started. */
export interface DataplaneLaunch extends ContainerLaunch {
  /** The synthetic node (the cluster's name). */
  readonly nodeName: string;
  /** Seconds the entrypoint waits for the proxy's registration (DATAPLANE_REGISTRATION_TIMEOUT_SECONDS). */
  readonly registrationTimeoutSeconds: number;
  readonly proxyKind: DataplaneProxyKind;
}

/**
 * The launch contract of a dataplane container for a target. The dataplane image's entrypoint:
 * 1. writes `CONSUL_CONFIG` (renderDataplaneConfig) to DATAPLANE_RUNTIME.configFile and, with TLS on,
 *    `CONSUL_CA_CERT` to DATAPLANE_RUNTIME.caFile (exported as `DP_CA_CERTS`);
 * 2. reads the task ID from `$ECS_CONTAINER_METADATA_URI_V4/task` (set by ECS) and exports the proxy's service ID
 *    the orchestrator registers (dataplaneProxyId: `<service>-<taskId>-sidecar-proxy` for `connect-proxy`,
 *    `<gateway>-<taskId>` for `ingress-gateway` and `mesh-gateway`) as `DP_PROXY_SERVICE_ID`, and `CONSUL_NODE_NAME` as
 *    `DP_SERVICE_NODE_NAME`;
 * 3. with ACLs on, exports `CONSUL_DATAPLANE_TOKEN` as `DP_CREDENTIAL_STATIC_TOKEN` (consul-dataplane prefers its
 *    `DP_*` environment to the file, and the token never touches a file);
 * 4. waits (up to `CONSUL_REGISTRATION_TIMEOUT_SECONDS`) until the proxy is registered on its node, reading
 *    `CONSUL_HTTP_ADDR` (serverHttpAddress) with that token and CA: consul-dataplane asks for its bootstrap
 *    parameters once and exits when the proxy is not registered, and the orchestrator registers it only once ECS
 *    reports this container running (registration/task-facts.ts);
 * 5. execs `consul-dataplane -config-file=/consul/dataplane/config.json`.
 *
 * The health check requests Envoy's readiness endpoint, where the rendered configuration binds it
 * (`envoy.readyBindAddress`/`readyBindPort`): it answers 200 once Envoy has its first configuration over xDS.
 *
 * @throws NotFoundError when the target is not in the spec.
 */
export function buildDataplaneLaunch(spec: MeshSpec, target: DataplaneTarget, options: LaunchOptions = {}): DataplaneLaunch {
  const resolved = resolveDataplaneTarget(spec, target);
  const security = spec.consul.security;
  const env = DATAPLANE_RUNTIME.env;
  const parameter = configParameterNames(spec, options.ssmRoot).dataplane(resolved.consulName);
  const proxyKind: DataplaneProxyKind = resolved.kind === 'service' ? 'connect-proxy' : resolved.kind;

  const environment: ContainerEnvironmentVariable[] = [
    { name: env.configParameter, value: parameter },
    { name: env.serviceName, value: resolved.consulName },
    { name: env.proxyKind, value: proxyKind },
    { name: env.nodeName, value: resolved.cluster },
    { name: env.httpAddr, value: serverHttpAddress(spec) },
    { name: env.registrationTimeout, value: String(DATAPLANE_REGISTRATION_TIMEOUT_SECONDS) },
  ];
  if (options.configHash !== undefined) environment.push({ name: env.configHash, value: options.configHash });

  const secrets: ContainerSecret[] = [{ name: env.config, valueFrom: parameter }];
  if (security.tls.enabled) secrets.push({ name: env.caCert, valueFrom: secretParameterNames(spec, options.ssmRoot).caCert });
  if (security.acl.enabled) secrets.push({ name: env.token, valueFrom: dataplaneTokenParameterName(spec, resolved.consulName, options.ssmRoot) });

  return {
    nodeName: resolved.cluster,
    registrationTimeoutSeconds: DATAPLANE_REGISTRATION_TIMEOUT_SECONDS,
    proxyKind,
    environment,
    secrets,
    healthCheckUrl: `http://127.0.0.1:${ENVOY_PORTS.ready}/ready`,
  };
}
