import * as z from 'zod/mini';
import {
  DNS_LABEL,
  DNS_LABEL_HINT,
  ECS_NAME,
  ECS_NAME_HINT,
  ENV_NAME,
  IMAGE_REF,
  IMAGE_REF_HINT,
  SSM_PARAMETER_HINT,
  SSM_PARAMETER_NAME,
  SSM_RESERVED_PREFIX,
  ssmHierarchyIssue,
} from './names';

/**
 * The one schema of a mesh spec (DESIGN.md section 4). Every object is strict: unknown keys are errors.
 * Defaults are the safe ones: 3 servers, TLS with auto_encrypt, gossip encryption and ACLs on.
 * Cross-field rules (duplicates, upstream targets, port clashes, size) live in `rules.ts`.
 */

const dnsName = z.string().check(z.regex(DNS_LABEL, `must be ${DNS_LABEL_HINT}`));
const ecsName = z.string().check(z.regex(ECS_NAME, `must be ${ECS_NAME_HINT}`));
const ssmParameter = z.string().check(
  z.regex(SSM_PARAMETER_NAME, `must be ${SSM_PARAMETER_HINT}`),
  z.superRefine((name, ctx) => {
    const issue = ssmHierarchyIssue(name);
    if (issue) ctx.addIssue({ code: 'custom', message: issue });
  }),
);
/** A parameter the first deployment creates when it is absent (ensureSecrets): SSM must accept it in PutParameter. */
const createdSsmParameter = ssmParameter.check(
  z.refine((name) => !SSM_RESERVED_PREFIX.test(name), {
    message: 'must not start with "aws" or "ssm": SSM reserves those prefixes, and the deployment creates this parameter when absent',
  }),
);
const port = z.number().check(z.int('must be an integer'), z.gte(1, 'must be between 1 and 65535'), z.lte(65535, 'must be between 1 and 65535'));
/** A pinned image reference (no `:latest`); the rollout request reuses it. */
export const ImageRefSchema = z.string().check(
  z.regex(IMAGE_REF, `must be ${IMAGE_REF_HINT}`),
  z.refine((s) => !/:latest$/.test(s), { message: 'must not use the ":latest" tag: pin a version' }),
);
const imageRef = ImageRefSchema;
/** A build context: a directory of this repository holding a Dockerfile (built by CodeBuild, tagged by content hash). */
export const BuildContextSchema = z.strictObject({
  context: z.string().check(
    z.minLength(1),
    z.refine((s) => !s.startsWith('/') && !s.split('/').includes('..'), { message: 'must be a relative path inside the repository' }),
  ),
  dockerfile: z._default(z.string().check(z.minLength(1)), 'Dockerfile'),
  /**
   * sha256 of the context's files, filled in by `meshctl deploy` / `npm start` where the files are (the
   * orchestrator's Lambdas never see them). The image is tagged with it, so an unchanged context is not rebuilt.
   */
  contentHash: z.optional(z.string().check(z.regex(/^[a-f0-9]{64}$/, 'must be a sha256 hex digest'))),
});
const buildContext = BuildContextSchema;
const awsRegion = z.string().check(z.regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as us-east-1'));
/** Durations as Consul writes them: `5s`, `250ms`, `1m`. */
const duration = z.string().check(z.regex(/^\d+(ms|s|m)$/, 'must be a duration such as 5s, 250ms or 1m'));

export const ProtocolSchema = z.enum(['http', 'http2', 'grpc', 'tcp']);

/**
 * A container health-check command in ECS's own form (ContainerDefinition.healthCheck.command): `["CMD", exe, ...args]`
 * runs the executable directly, `["CMD-SHELL", "a shell command"]` runs it with the image's `/bin/sh -c`. It runs
 * inside the app container, so it may only call what the image contains.
 */
export const HealthCheckCommandSchema = z.union([
  z.tuple([z.literal('CMD'), z.string().check(z.minLength(1, 'must name the executable'))], z.string()),
  z.tuple([z.literal('CMD-SHELL'), z.string().check(z.minLength(1, 'must be a shell command'))]),
], { error: 'must be ["CMD", "<executable>", "<arg>"...] or ["CMD-SHELL", "<shell command>"]' });

export const HealthCheckSchema = z.strictObject({
  path: z._default(z.string().check(z.startsWith('/', 'must start with "/"')), '/health'),
  /**
   * The command ECS runs in the app container. Without it the check calls the node runtime of the sample images
   * (HTTP services) or busybox `nc` (gRPC, TCP): give one when the image has neither (see buildAppHealthCheck).
   */
  command: z.optional(HealthCheckCommandSchema),
  interval: z._default(duration, '5s'),
  timeout: z._default(duration, '3s'),
  /** Seconds ECS waits before counting failed checks (container health check startPeriod). */
  startPeriodSeconds: z._default(z.number().check(z.int(), z.gte(0), z.lte(300)), 10),
  retries: z._default(z.number().check(z.int(), z.gte(1), z.lte(10)), 3),
});

export const UpstreamSchema = z.strictObject({
  service: dnsName,
  localBindPort: port,
  /**
   * A peer of `peers` whose exported `service` this upstream reaches (Consul's `DestinationPeer`): the service is
   * then the peer's, not this mesh's.
   */
  peer: z.optional(dnsName),
});

const secretsMap = z.record(z.string().check(z.regex(ENV_NAME, 'must be an environment variable name')), ssmParameter);

export const ServiceSchema = z
  .strictObject({
    name: dnsName,
    image: z.optional(imageRef),
    build: z.optional(buildContext),
    port,
    protocol: z._default(ProtocolSchema, 'http'),
    desiredCount: z._default(z.number().check(z.int(), z.gte(0), z.lte(1000)), 1),
    cpu: z._default(z.number().check(z.int(), z.gte(128), z.lte(16384)), 256),
    memory: z._default(z.number().check(z.int(), z.gte(128), z.lte(122880)), 512),
    healthCheck: z.prefault(HealthCheckSchema, {}),
    upstreams: z._default(z.array(UpstreamSchema), []),
    env: z._default(z.record(z.string().check(z.regex(ENV_NAME, 'must be an environment variable name')), z.string()), {}),
    /** Secrets are SSM parameter names, injected by ECS at start; never values. */
    secrets: z._default(secretsMap, {}),
  })
  .check(
    z.refine((s) => (s.image === undefined) !== (s.build === undefined), {
      message: 'needs exactly one of "image" or "build"',
    }),
  );

export const ClusterSchema = z.strictObject({
  name: ecsName,
  services: z.array(ServiceSchema).check(z.minLength(1, 'must list at least one service')),
});

export const TlsSchema = z.strictObject({
  enabled: z._default(z.boolean(), true),
  autoEncrypt: z._default(z.boolean(), true),
  /** Always on when TLS is enabled; kept explicit so a spec cannot silently turn verification off. */
  verify: z._default(z.literal(true, { message: 'TLS verification cannot be turned off' }), true),
  caCertParameter: z.optional(createdSsmParameter),
  caKeyParameter: z.optional(createdSsmParameter),
});

export const GossipSchema = z.strictObject({
  enabled: z._default(z.boolean(), true),
  keyParameter: z.optional(createdSsmParameter),
});

export const AclSchema = z.strictObject({
  enabled: z._default(z.boolean(), true),
  defaultPolicy: z._default(z.enum(['deny', 'allow']), 'deny'),
  bootstrapTokenParameter: z.optional(createdSsmParameter),
  /** The token the orchestrator's Lambdas use to write the catalog. */
  orchestratorTokenParameter: z.optional(ssmParameter),
});

export const SecuritySchema = z.strictObject({
  tls: z.prefault(TlsSchema, {}),
  gossip: z.prefault(GossipSchema, {}),
  acl: z.prefault(AclSchema, {}),
});

export const ServersSchema = z.strictObject({
  count: z._default(
    z.number().check(
      z.int('must be an integer'),
      z.refine((n) => n === 1 || n === 3 || n === 5, { message: 'must be 1, 3 or 5 (an odd number keeps a Raft quorum)' }),
    ),
    3,
  ),
  image: z.optional(imageRef),
  build: z.optional(buildContext),
  /** Consul version baked into the server image; pinned. */
  version: z._default(z.string().check(z.regex(/^\d+\.\d+\.\d+$/, 'must be a version such as 1.20.1')), '1.20.1'),
  cpu: z._default(z.number().check(z.int(), z.gte(128)), 512),
  memory: z._default(z.number().check(z.int(), z.gte(128)), 1024),
  cluster: z._default(ecsName, 'consul-server'),
});

export const ListenerSchema = z
  .strictObject({
    port,
    protocol: z._default(ProtocolSchema, 'http'),
    services: z.array(z.union([z.literal('*'), dnsName])).check(z.minLength(1, 'must name at least one service or "*"')),
  })
  .check(
    z.refine((l) => !(l.services.includes('*') && l.protocol === 'tcp'), {
      message: 'a "*" listener needs an L7 protocol (http, http2 or grpc): Consul allows wildcards only there',
      path: ['services'],
    }),
  );

export const IngressSchema = z.strictObject({
  cluster: z._default(ecsName, 'ingress'),
  name: z._default(dnsName, 'ingress-gateway'),
  desiredCount: z._default(z.number().check(z.int(), z.gte(1), z.lte(100)), 1),
  image: z.optional(imageRef),
  listeners: z.array(ListenerSchema).check(z.minLength(1, 'must have at least one listener')),
});

export const RolloutSchema = z.strictObject({
  minimumHealthyPercent: z._default(z.number().check(z.int(), z.gte(0), z.lte(100)), 100),
  maximumPercent: z._default(z.number().check(z.int(), z.gte(100), z.lte(200)), 200),
  circuitBreaker: z.prefault(z.strictObject({ enable: z._default(z.boolean(), true), rollback: z._default(z.boolean(), true) }), {}),
  /** How long new tasks must stay registered and passing in Consul before a rollout counts as done. */
  bakeSeconds: z._default(z.number().check(z.int(), z.gte(0), z.lte(3600)), 30),
});

export const IntentionSchema = z.strictObject({
  source: z.union([z.literal('*'), dnsName]),
  /** A peer of `peers` the source is a service of (the intention source's `Peer`); `*` then means all its services. */
  peer: z.optional(dnsName),
  destination: dnsName,
  action: z.enum(['allow', 'deny']),
});

export const NetworkSchema = z.strictObject({
  /** awsvpc gives each task its own ENI and IP (the registration model's address); host shares the instance's ports. */
  mode: z._default(z.enum(['awsvpc', 'host']), 'awsvpc'),
  launchType: z._default(z.enum(['FARGATE', 'EC2']), 'FARGATE'),
  /**
   * The CPU architecture every task runs on (the task definitions' runtimePlatform) and every image is built for
   * (CodeBuild's environment and `docker build --platform`). ARM64 (Graviton) is the default: Fargate bills it
   * about 20 % below X86_64 for the same size.
   */
  cpuArchitecture: z._default(z.enum(['ARM64', 'X86_64']), 'ARM64'),
  subnets: z._default(z.array(z.string().check(z.regex(/^subnet-[0-9a-f]{8,17}$/, 'must be a subnet id'))), []),
  securityGroups: z._default(z.array(z.string().check(z.regex(/^sg-[0-9a-f]{8,17}$/, 'must be a security group id'))), []),
});

/**
 * How peers reach the mesh gateway's WAN address (its `TaggedAddresses.wan`, which the peering token carries when
 * peering runs through mesh gateways).
 */
export const MeshGatewayWanSchema = z
  .strictObject({
    /**
     * `private`: the task's private IP, for peers on a connected network (VPC peering or Transit Gateway).
     * `nlb`: an internet-facing Network Load Balancer in front of the gateway tasks, created outside the mesh's
     * stack: `address` is its DNS name and `targetGroupArn` the target group (IP targets) ECS registers the tasks in.
     */
    mode: z._default(z.enum(['private', 'nlb']), 'private'),
    /** The port the gateway listens on for peers (and the NLB's listener forwards to). */
    port: z._default(port, 8443),
    /** `nlb` mode: the Network Load Balancer's DNS name, registered as the gateway's WAN address. */
    address: z.optional(
      z.string().check(
        z.regex(/^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/, 'must be a DNS name such as mesh-gw-0123456789abcdef.elb.us-east-1.amazonaws.com'),
      ),
    ),
    /** `nlb` mode: the target group (target type `ip`) the ECS service registers the gateway tasks in. */
    targetGroupArn: z.optional(
      z.string().check(
        z.regex(/^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}$/, 'must be an Elastic Load Balancing target group ARN'),
      ),
    ),
  })
  .check(
    z.superRefine((wan, ctx) => {
    if (wan.mode === 'nlb') {
      if (wan.address === undefined) ctx.addIssue({ code: 'custom', path: ['address'], message: 'is required in nlb mode: the Network Load Balancer\'s DNS name' });
      if (wan.targetGroupArn === undefined) ctx.addIssue({ code: 'custom', path: ['targetGroupArn'], message: 'is required in nlb mode: the target group the gateway tasks are registered in' });
    } else {
      if (wan.address !== undefined) ctx.addIssue({ code: 'custom', path: ['address'], message: 'is only for nlb mode (in private mode the WAN address is the task\'s private IP)' });
      if (wan.targetGroupArn !== undefined) ctx.addIssue({ code: 'custom', path: ['targetGroupArn'], message: 'is only for nlb mode' });
    }
  }),
  );

/**
 * The mesh gateway (Consul `Kind = "mesh-gateway"`) through which peered traffic and the peering control plane run
 * (the `mesh` entry's `Peering.PeerThroughMeshGateways`). Required when `peers` is not empty.
 */
export const MeshGatewaySchema = z.strictObject({
  cluster: z._default(ecsName, 'mesh-gateway'),
  name: z._default(dnsName, 'mesh-gateway'),
  desiredCount: z._default(z.number().check(z.int(), z.gte(1), z.lte(100)), 1),
  image: z.optional(imageRef),
  wan: z.prefault(MeshGatewayWanSchema, {}),
});

/** Another mesh this one is peered with (Consul cluster peering). */
export const PeerSchema = z.strictObject({
  /** The peering's local name (Consul's `PeerName`, a DNS label). */
  name: dnsName,
  /** The other mesh's `name`. */
  mesh: dnsName,
  /** Where the other mesh's stack runs. */
  region: awsRegion,
  /** `acceptor` generates the peering token; `dialer` establishes the peering with it. */
  role: z.enum(['acceptor', 'dialer']),
});

/** A service of this mesh made available to peers (the `exported-services` entry's consumers `Peer`). */
export const ExportSchema = z.strictObject({
  service: dnsName,
  peers: z.array(dnsName).check(z.minLength(1, 'must name at least one peer')),
});

/**
 * Raft snapshots of the servers' state (`GET /v1/snapshot`), taken on a schedule to the stack's snapshot bucket and
 * restored first when every server was lost (layers/recovery). On by default: a snapshot also brings back what only
 * Consul holds (KV written by others, the tombstones of stopped tasks). Off, the restore re-applies from SSM only.
 */
export const SnapshotsSchema = z.strictObject({
  enabled: z._default(z.boolean(), true),
});

/** The consul-dataplane image every service task and the gateway run (Envoy + the xDS link to the servers). */
export const DataplaneSchema = z
  .strictObject({
    image: z.optional(imageRef),
    build: z.optional(buildContext),
  })
  .check(z.refine((d) => !(d.image && d.build), { message: 'needs at most one of "image" or "build"' }));

export const MeshSpecSchema = z.strictObject({
  name: dnsName,
  region: z._default(awsRegion, 'us-east-1'),
  datacenter: z._default(z.string().check(z.regex(/^[a-z0-9_-]{1,64}$/, 'must be lowercase letters, digits, _ and -')), 'dc1'),
  network: z.prefault(NetworkSchema, {}),
  consul: z.prefault(
    z.strictObject({
      servers: z.prefault(ServersSchema, {}),
      /** Defaults to building docker/consul-dataplane (our entrypoint around the pinned consul-dataplane image). */
      dataplane: z.prefault(DataplaneSchema, {}),
      security: z.prefault(SecuritySchema, {}),
      snapshots: z.prefault(SnapshotsSchema, {}),
    }),
    {},
  ),
  clusters: z.array(ClusterSchema).check(z.minLength(1, 'must list at least one cluster')),
  ingress: z.optional(IngressSchema),
  rollout: z.prefault(RolloutSchema, {}),
  intentions: z._default(z.array(IntentionSchema), []),
  meshGateway: z.optional(MeshGatewaySchema),
  peers: z._default(z.array(PeerSchema), []),
  exports: z._default(z.array(ExportSchema), []),
});

/** A validated mesh spec with every default filled in. */
export type MeshSpec = z.output<typeof MeshSpecSchema>;
/** What a user writes (defaults optional). */
export type MeshSpecInput = z.input<typeof MeshSpecSchema>;
export type ClusterSpec = MeshSpec['clusters'][number];
export type ServiceSpec = ClusterSpec['services'][number];
export type UpstreamSpec = ServiceSpec['upstreams'][number];
export type IngressSpec = NonNullable<MeshSpec['ingress']>;
export type MeshGatewaySpec = NonNullable<MeshSpec['meshGateway']>;
export type PeerSpec = MeshSpec['peers'][number];
export type ExportSpec = MeshSpec['exports'][number];
export type IntentionSpec = MeshSpec['intentions'][number];
export type ListenerSpec = IngressSpec['listeners'][number];
export type RolloutSpec = MeshSpec['rollout'];
export type SecuritySpec = MeshSpec['consul']['security'];
export type ServersSpec = MeshSpec['consul']['servers'];
export type HealthCheckSpec = ServiceSpec['healthCheck'];
export type CpuArchitecture = MeshSpec['network']['cpuArchitecture'];
export type BuildContextSpec = NonNullable<ServiceSpec['build']>;
