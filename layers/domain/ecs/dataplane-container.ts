import type { ContainerDefinition, PortMapping } from '@aws-sdk/client-ecs';
import type { MeshSpec } from '../spec/schema';
import { buildDataplaneLaunch } from '../consul/dataplane-launch';
import { resolveDataplaneTarget, type DataplaneTarget } from '../consul/dataplane-target';
import { awsLogs, launchEnvironment, launchSecrets, nonEmpty } from './common';
import { DATAPLANE_CONTAINER } from './containers';
import type { TaskDefinitionContext } from './context';
import { buildDataplaneHealthCheck } from './health-check';

export interface DataplaneOptions {
  /** Whose proxy this dataplane runs: a mesh service's sidecar, or the ingress gateway. */
  target: DataplaneTarget;
  image: string;
  portMappings: PortMapping[];
}

/**
 * The `consul-dataplane` container: Envoy plus the xDS client that talks to the Consul servers directly
 * (agentless, DESIGN.md section 6). Its `environment`, `secrets` and health check are the consul layer's launch
 * contract (buildDataplaneLaunch): the rendered config, the CA certificate and the proxy's ACL token come from SSM;
 * the service name, proxy kind and node name let the entrypoint derive the proxy's service ID from the task ID in
 * the ECS metadata endpoint (`naming.sidecarId(service, taskId)` for a sidecar, `naming.instanceId(gateway, taskId)`
 * for a gateway), which is what the registration Lambda registers.
 *
 * Upstreams: Envoy binds each upstream's `localBindPort` on 127.0.0.1 inside the task's network namespace, so the
 * app reaches `todos` at `http://127.0.0.1:1234` and the proxy carries the call over mTLS.
 */
export function buildDataplaneContainer(spec: MeshSpec, ctx: TaskDefinitionContext, options: DataplaneOptions): ContainerDefinition {
  // The service's (or gateway's) name keys its config hash and names its log stream prefix.
  const name = resolveDataplaneTarget(spec, options.target).consulName;
  const launch = buildDataplaneLaunch(spec, options.target, { ssmRoot: ctx.ssmRoot, configHash: ctx.configHashes?.[name] });
  return {
    name: DATAPLANE_CONTAINER,
    image: options.image,
    essential: true,
    portMappings: nonEmpty(options.portMappings),
    environment: launchEnvironment(launch.environment),
    secrets: launchSecrets(spec, ctx, launch.secrets),
    healthCheck: buildDataplaneHealthCheck(launch.healthCheckUrl, launch.registrationTimeoutSeconds),
    logConfiguration: awsLogs(spec, name),
  };
}

/** A port mapping valid in both awsvpc and host mode: the host port, when given, must equal the container port. */
export function tcpPort(port: number): PortMapping {
  return { containerPort: port, hostPort: port, protocol: 'tcp' };
}
