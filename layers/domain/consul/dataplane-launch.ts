import type { MeshSpec } from '../spec/schema';
import { configParameterNames, secretParameterNames } from '../naming';
import { DATAPLANE_RUNTIME } from './runtime-contract';
import { dataplaneProxyIdTemplate, resolveDataplaneTarget, type DataplaneTarget } from './dataplane-target';
import { dataplaneTokenParameterName } from './parameter-names';
import { ENVOY_PORTS } from './ports';

/** An ECS container-definition `secrets` entry: ECS reads the SSM parameter at task start into the variable. */
export interface ContainerSecret {
  readonly name: string;
  readonly valueFrom: string;
}

/** An ECS container-definition `environment` entry (plain values only, never secrets). */
export interface ContainerEnvironmentVariable {
  readonly name: string;
  readonly value: string;
}

/** How a task's dataplane container is started: what the task-definition builder puts in the container definition. */
export interface DataplaneLaunch {
  /** The synthetic node (the cluster's name). */
  readonly nodeName: string;
  /** The proxy ID with `${TASK_ID}` in place of the task's ID. */
  readonly proxyIdTemplate: string;
  readonly command: readonly string[];
  readonly environment: readonly ContainerEnvironmentVariable[];
  readonly secrets: readonly ContainerSecret[];
  /** The container health check: Envoy's readiness endpoint. */
  readonly healthCheckUrl: string;
}

/**
 * The launch contract of a dataplane container for a target. The entrypoint of the dataplane image:
 * 1. writes `$CONSUL_DATAPLANE_CONFIG_JSON` to /consul/dataplane/config.json and `$CONSUL_CA_CERT_PEM` (TLS only) to
 *    /consul/dataplane/tls/ca.pem;
 * 2. reads the task ARN from `$ECS_CONTAINER_METADATA_URI_V4/task`, takes its last segment as the task ID, substitutes
 *    it for `${TASK_ID}` in `$MESH_PROXY_ID_TEMPLATE` and exports the result as `DP_PROXY_ID`;
 * 3. execs `command`. `DP_CREDENTIAL_STATIC_TOKEN` (ACLs on) is read by consul-dataplane itself.
 *
 * @throws NotFoundError when the target is not in the spec.
 */
export function buildDataplaneLaunch(spec: MeshSpec, target: DataplaneTarget): DataplaneLaunch {
  const resolved = resolveDataplaneTarget(spec, target);
  const security = spec.consul.security;
  const secrets: ContainerSecret[] = [{ name: DATAPLANE_RUNTIME.env.config, valueFrom: configParameterNames(spec).dataplane(resolved.consulName) }];
  if (security.tls.enabled) secrets.push({ name: DATAPLANE_RUNTIME.env.caCert, valueFrom: secretParameterNames(spec).caCert });
  if (security.acl.enabled) secrets.push({ name: DATAPLANE_RUNTIME.env.staticToken, valueFrom: dataplaneTokenParameterName(spec, resolved.consulName) });
  const proxyIdTemplate = dataplaneProxyIdTemplate(resolved);
  return {
    nodeName: resolved.cluster,
    proxyIdTemplate,
    command: ['consul-dataplane', `-config-file=${DATAPLANE_RUNTIME.configFile}`],
    environment: [{ name: DATAPLANE_RUNTIME.env.proxyIdTemplate, value: proxyIdTemplate }],
    secrets,
    healthCheckUrl: `http://127.0.0.1:${ENVOY_PORTS.ready}/ready`,
  };
}
