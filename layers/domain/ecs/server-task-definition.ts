import type { ContainerDefinition, RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import type { MeshSpec } from '../spec/schema';
import { configParameterNames, secretParameterNames, serverFamily, TAG } from '../naming';
import { awsLogs, compatibilities, meshTags, networkMode, sortedEnvironment, sortedSecrets, withSpecHashTag } from './common';
import { CONSUL_DATA_PATH, CONSUL_DATA_VOLUME, CONSUL_SERVER_PORTS, CONTAINER_ENV, IMAGE_KEY, SERVER_CONTAINER } from './containers';
import { requireImage, type TaskDefinitionContext } from './context';
import { specHash } from './hash';
import { buildServerHealthCheck } from './health-check';

/**
 * The Consul server task definition (family `<mesh>-consul-server`).
 *
 * - Ports 8300 (RPC), 8301/8302 (Serf LAN/WAN, tcp and udp: gossip uses both), 8500/8501 (HTTP/HTTPS),
 *   8502 (gRPC, which consul-dataplane connects to) and 8600 (DNS, tcp and udp).
 * - consul.hcl is rendered into SSM and injected by ECS at start (`CONSUL_MESH_CONFIG`, see containers.ts); the
 *   gossip key, the CA certificate and key and the bootstrap token are `secrets` by SSM ARN, present only when
 *   the matching feature is on. No value is ever in the task definition.
 * - `AWS_REGION` is set because cloud auto-join (`retry_join = ["provider=aws ..."]`, by the serverJoin tag)
 *   needs the region and Fargate has no instance metadata to read it from.
 * - /consul/data is a task volume: Raft data lives as long as the task. A replaced server rejoins and
 *   replicates from the leader; the server service rolls one task at a time so a quorum always remains.
 *
 * @example buildServerTaskDefinition(spec, { images: { 'consul-server': 'acct.dkr.ecr.../consul-server:1a2b' }, ... })
 */
export function buildServerTaskDefinition(spec: MeshSpec, ctx: TaskDefinitionContext): RegisterTaskDefinitionCommandInput {
  const servers = spec.consul.servers;
  const security = spec.consul.security;
  const configParameter = configParameterNames(spec, ctx.ssmRoot).serverHcl;
  const secretNames = secretParameterNames(spec, ctx.ssmRoot);

  const env: Record<string, string> = {
    AWS_REGION: spec.region,
    [CONTAINER_ENV.configParameter]: configParameter,
  };
  const hash = ctx.configHashes?.[IMAGE_KEY.server];
  if (hash !== undefined) env[CONTAINER_ENV.configHash] = hash;

  const secrets: Record<string, string> = { [CONTAINER_ENV.config]: configParameter };
  if (security.gossip.enabled) secrets[CONTAINER_ENV.gossipKey] = secretNames.gossipKey;
  if (security.tls.enabled) {
    secrets[CONTAINER_ENV.caCert] = secretNames.caCert;
    // Servers sign the certificates auto_encrypt hands out and their own server certificate.
    secrets[CONTAINER_ENV.caKey] = secretNames.caKey;
  }
  if (security.acl.enabled) secrets[CONTAINER_ENV.bootstrapToken] = secretNames.bootstrapToken;

  // Without an image or a build context the official image of the pinned version is used.
  const fallbackImage = servers.image ?? (servers.build ? undefined : `hashicorp/consul:${servers.version}`);
  const container: ContainerDefinition = {
    name: SERVER_CONTAINER,
    image: requireImage(ctx, IMAGE_KEY.server, fallbackImage),
    essential: true,
    portMappings: CONSUL_SERVER_PORTS.map(({ port, protocol }) => ({ containerPort: port, hostPort: port, protocol })),
    environment: sortedEnvironment(env),
    secrets: sortedSecrets(spec, ctx, secrets),
    mountPoints: [{ sourceVolume: CONSUL_DATA_VOLUME, containerPath: CONSUL_DATA_PATH, readOnly: false }],
    healthCheck: buildServerHealthCheck(),
    logConfiguration: awsLogs(spec, SERVER_CONTAINER),
    // Consul keeps a file descriptor per connection and per Raft/Serf peer; Docker's default 1024 is too low.
    ulimits: [{ name: 'nofile', softLimit: 65536, hardLimit: 65536 }],
    // Time for `leave_on_terminate` to leave the Raft peer set gracefully before SIGKILL.
    stopTimeout: 30,
  };

  return withSpecHashTag(
    {
      family: serverFamily(spec),
      taskRoleArn: ctx.taskRoleArn,
      executionRoleArn: ctx.executionRoleArn,
      networkMode: networkMode(spec),
      requiresCompatibilities: compatibilities(spec),
      cpu: String(servers.cpu),
      memory: String(servers.memory),
      containerDefinitions: [container],
      volumes: [{ name: CONSUL_DATA_VOLUME }],
      tags: meshTags(spec, 'server', { [TAG.serverJoin]: spec.name }),
    },
    specHash,
  );
}
