import type { ContainerDefinition, RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import type { MeshSpec } from '../spec/schema';
import { serverFamily, TAG } from '../naming';
import { buildServerLaunch } from '../consul/server-launch';
import { awsLogs, compatibilities, launchEnvironment, launchSecrets, meshTags, networkMode, runtimePlatform, withSpecHashTag } from './common';
import { CONSUL_DATA_PATH, CONSUL_DATA_VOLUME, CONSUL_GRPC_TLS_PORT, CONSUL_SERVER_PORTS, IMAGE_KEY, SERVER_CONTAINER } from './containers';
import { requireImage, type TaskDefinitionContext } from './context';
import { specHash } from './hash';
import { buildServerHealthCheck } from './health-check';

/**
 * The Consul server task definition (family `<mesh>-consul-server`).
 *
 * - Ports 8300 (RPC), 8301/8302 (Serf LAN/WAN, tcp and udp: gossip uses both), 8500/8501 (HTTP/HTTPS),
 *   8502 (gRPC), 8503 (gRPC over TLS, which consul-dataplane connects to when TLS is on) and 8600 (DNS).
 * - `environment`, `secrets` and the health check are the consul layer's launch contract (buildServerLaunch):
 *   consul.hcl is rendered into SSM and injected by ECS at start (`CONSUL_CONFIG`); the gossip key, the CA
 *   certificate and key and the bootstrap token are `secrets` by SSM ARN, present only when the matching feature
 *   is on. No value is ever in the task definition. Cloud auto-join needs no region from the environment:
 *   `retry_join` names it (buildServerRetryJoin).
 * - /consul/data is a task volume: Raft data lives as long as the task. A replaced server rejoins and
 *   replicates from the leader; the server service rolls one task at a time so a quorum always remains.
 *
 * @example buildServerTaskDefinition(spec, { images: { 'consul-server': 'acct.dkr.ecr.../consul-server:1a2b' }, ... })
 */
export function buildServerTaskDefinition(spec: MeshSpec, ctx: TaskDefinitionContext): RegisterTaskDefinitionCommandInput {
  const servers = spec.consul.servers;
  const launch = buildServerLaunch(spec, { ssmRoot: ctx.ssmRoot, configHash: ctx.configHashes?.[IMAGE_KEY.server] });
  // The gRPC TLS listener (dataplanes' port) exists only when the rendered consul.hcl turns TLS on.
  const ports = spec.consul.security.tls.enabled ? [...CONSUL_SERVER_PORTS, CONSUL_GRPC_TLS_PORT] : CONSUL_SERVER_PORTS;

  // Without an image or a build context the official image of the pinned version is used.
  const fallbackImage = servers.image ?? (servers.build ? undefined : `hashicorp/consul:${servers.version}`);
  const container: ContainerDefinition = {
    name: SERVER_CONTAINER,
    image: requireImage(ctx, IMAGE_KEY.server, fallbackImage),
    essential: true,
    portMappings: ports.map(({ port, protocol }) => ({ containerPort: port, hostPort: port, protocol })),
    environment: launchEnvironment(launch.environment),
    secrets: launchSecrets(spec, ctx, launch.secrets),
    mountPoints: [{ sourceVolume: CONSUL_DATA_VOLUME, containerPath: CONSUL_DATA_PATH, readOnly: false }],
    healthCheck: buildServerHealthCheck(launch.healthCheckUrl),
    logConfiguration: awsLogs(spec, SERVER_CONTAINER),
    // Consul keeps a file descriptor per connection and per Raft/Serf peer; Docker's default 1024 is too low.
    ulimits: [{ name: 'nofile', softLimit: 65536, hardLimit: 65536 }],
    // Time for Consul (PID 1 after the entrypoint's exec) to shut down cleanly on SIGTERM before SIGKILL.
    stopTimeout: 30,
  };

  return withSpecHashTag(
    {
      family: serverFamily(spec),
      taskRoleArn: ctx.taskRoleArns.server,
      executionRoleArn: ctx.executionRoleArn,
      networkMode: networkMode(spec),
      requiresCompatibilities: compatibilities(spec),
      runtimePlatform: runtimePlatform(spec),
      cpu: String(servers.cpu),
      memory: String(servers.memory),
      containerDefinitions: [container],
      volumes: [{ name: CONSUL_DATA_VOLUME }],
      tags: meshTags(spec, 'server', { [TAG.serverJoin]: spec.name }),
    },
    specHash,
  );
}
