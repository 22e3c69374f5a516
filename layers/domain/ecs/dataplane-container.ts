import type { ContainerDefinition, PortMapping } from '@aws-sdk/client-ecs';
import type { MeshSpec } from '../spec/schema';
import { configParameterNames, secretParameterNames } from '../naming';
import { awsLogs, nonEmpty, sortedEnvironment, sortedSecrets } from './common';
import { CONTAINER_ENV, DATAPLANE_CONTAINER } from './containers';
import type { TaskDefinitionContext } from './context';
import { buildDataplaneHealthCheck } from './health-check';

export interface DataplaneOptions {
  /** The mesh service (or gateway) this dataplane fronts. */
  service: string;
  kind: 'connect-proxy' | 'ingress-gateway';
  image: string;
  portMappings: PortMapping[];
}

/**
 * The `consul-dataplane` container: Envoy plus the xDS client that talks to the Consul servers directly
 * (agentless, DESIGN.md section 6). Its rendered config (SSM `config/dataplane/<service>.json`) is injected by ECS
 * as `CONSUL_MESH_CONFIG`; the entrypoint derives the proxy's service ID from the task ID in the ECS metadata
 * endpoint (`naming.sidecarId(service, taskId)` for a sidecar, `naming.instanceId(gateway, taskId)` for a
 * gateway), which is what the registration Lambda registers. The CA certificate (when TLS is on) lets it verify
 * the servers; its ACL credentials are part of the rendered config.
 *
 * Upstreams: Envoy binds each upstream's `localBindPort` on 127.0.0.1 inside the task's network namespace, so the
 * app reaches `todos` at `http://127.0.0.1:1234` and the proxy carries the call over mTLS.
 */
export function buildDataplaneContainer(spec: MeshSpec, ctx: TaskDefinitionContext, options: DataplaneOptions): ContainerDefinition {
  const configParameter = configParameterNames(spec, ctx.ssmRoot).dataplane(options.service);
  const env: Record<string, string> = {
    [CONTAINER_ENV.configParameter]: configParameter,
    [CONTAINER_ENV.service]: options.service,
    [CONTAINER_ENV.proxyKind]: options.kind,
  };
  const hash = ctx.configHashes?.[options.service];
  if (hash !== undefined) env[CONTAINER_ENV.configHash] = hash;

  const secrets: Record<string, string> = { [CONTAINER_ENV.config]: configParameter };
  if (spec.consul.security.tls.enabled) secrets[CONTAINER_ENV.caCert] = secretParameterNames(spec, ctx.ssmRoot).caCert;

  return {
    name: DATAPLANE_CONTAINER,
    image: options.image,
    essential: true,
    portMappings: nonEmpty(options.portMappings),
    environment: sortedEnvironment(env),
    secrets: sortedSecrets(spec, ctx, secrets),
    healthCheck: buildDataplaneHealthCheck(),
    logConfiguration: awsLogs(spec, options.service),
  };
}

/** A port mapping valid in both awsvpc and host mode: the host port, when given, must equal the container port. */
export function tcpPort(port: number): PortMapping {
  return { containerPort: port, hostPort: port, protocol: 'tcp' };
}
