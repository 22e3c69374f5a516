import * as z from 'zod';
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

const dnsName = z.string().regex(DNS_LABEL, `must be ${DNS_LABEL_HINT}`);
const ecsName = z.string().regex(ECS_NAME, `must be ${ECS_NAME_HINT}`);
const ssmParameter = z
  .string()
  .regex(SSM_PARAMETER_NAME, `must be ${SSM_PARAMETER_HINT}`)
  .superRefine((name, ctx) => {
    const issue = ssmHierarchyIssue(name);
    if (issue) ctx.addIssue({ code: 'custom', message: issue });
  });
/** A parameter the first deployment creates when it is absent (ensureSecrets): SSM must accept it in PutParameter. */
const createdSsmParameter = ssmParameter.refine((name) => !SSM_RESERVED_PREFIX.test(name), {
  message: 'must not start with "aws" or "ssm": SSM reserves those prefixes, and the deployment creates this parameter when absent',
});
const port = z.number().int('must be an integer').min(1, 'must be between 1 and 65535').max(65535, 'must be between 1 and 65535');
const imageRef = z
  .string()
  .regex(IMAGE_REF, `must be ${IMAGE_REF_HINT}`)
  .refine((s) => !/:latest$/.test(s), { message: 'must not use the ":latest" tag: pin a version' });
/** A build context: a directory of this repository holding a Dockerfile (built by CodeBuild, tagged by content hash). */
const buildContext = z.strictObject({
  context: z
    .string()
    .min(1)
    .refine((s) => !s.startsWith('/') && !s.split('/').includes('..'), { message: 'must be a relative path inside the repository' }),
  dockerfile: z.string().min(1).default('Dockerfile'),
  /**
   * sha256 of the context's files, filled in by `meshctl deploy` / `npm start` where the files are (the
   * orchestrator's Lambdas never see them). The image is tagged with it, so an unchanged context is not rebuilt.
   */
  contentHash: z.string().regex(/^[a-f0-9]{64}$/, 'must be a sha256 hex digest').optional(),
});
const awsRegion = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as us-east-1');
/** Durations as Consul writes them: `5s`, `250ms`, `1m`. */
const duration = z.string().regex(/^\d+(ms|s|m)$/, 'must be a duration such as 5s, 250ms or 1m');

export const ProtocolSchema = z.enum(['http', 'http2', 'grpc', 'tcp']);

/**
 * A container health-check command in ECS's own form (ContainerDefinition.healthCheck.command): `["CMD", exe, ...args]`
 * runs the executable directly, `["CMD-SHELL", "a shell command"]` runs it with the image's `/bin/sh -c`. It runs
 * inside the app container, so it may only call what the image contains.
 */
export const HealthCheckCommandSchema = z.union([
  z.tuple([z.literal('CMD'), z.string().min(1, 'must name the executable')], z.string()),
  z.tuple([z.literal('CMD-SHELL'), z.string().min(1, 'must be a shell command')]),
], { error: 'must be ["CMD", "<executable>", "<arg>"...] or ["CMD-SHELL", "<shell command>"]' });

export const HealthCheckSchema = z.strictObject({
  path: z.string().startsWith('/', 'must start with "/"').default('/health'),
  /**
   * The command ECS runs in the app container. Without it the check calls the node runtime of the sample images
   * (HTTP services) or busybox `nc` (gRPC, TCP): give one when the image has neither (see buildAppHealthCheck).
   */
  command: HealthCheckCommandSchema.optional(),
  interval: duration.default('5s'),
  timeout: duration.default('3s'),
  /** Seconds ECS waits before counting failed checks (container health check startPeriod). */
  startPeriodSeconds: z.number().int().min(0).max(300).default(10),
  retries: z.number().int().min(1).max(10).default(3),
});

export const UpstreamSchema = z.strictObject({
  service: dnsName,
  localBindPort: port,
  /**
   * A peer of `peers` whose exported `service` this upstream reaches (Consul's `DestinationPeer`): the service is
   * then the peer's, not this mesh's.
   */
  peer: dnsName.optional(),
});

const secretsMap = z.record(z.string().regex(ENV_NAME, 'must be an environment variable name'), ssmParameter);

export const ServiceSchema = z
  .strictObject({
    name: dnsName,
    image: imageRef.optional(),
    build: buildContext.optional(),
    port,
    protocol: ProtocolSchema.default('http'),
    desiredCount: z.number().int().min(0).max(1000).default(1),
    cpu: z.number().int().min(128).max(16384).default(256),
    memory: z.number().int().min(128).max(122880).default(512),
    healthCheck: HealthCheckSchema.prefault({}),
    upstreams: z.array(UpstreamSchema).default([]),
    env: z.record(z.string().regex(ENV_NAME, 'must be an environment variable name'), z.string()).default({}),
    /** Secrets are SSM parameter names, injected by ECS at start; never values. */
    secrets: secretsMap.default({}),
  })
  .refine((s) => (s.image === undefined) !== (s.build === undefined), {
    message: 'needs exactly one of "image" or "build"',
  });

export const ClusterSchema = z.strictObject({
  name: ecsName,
  services: z.array(ServiceSchema).min(1, 'must list at least one service'),
});

export const TlsSchema = z.strictObject({
  enabled: z.boolean().default(true),
  autoEncrypt: z.boolean().default(true),
  /** Always on when TLS is enabled; kept explicit so a spec cannot silently turn verification off. */
  verify: z.literal(true, { message: 'TLS verification cannot be turned off' }).default(true),
  caCertParameter: createdSsmParameter.optional(),
  caKeyParameter: createdSsmParameter.optional(),
});

export const GossipSchema = z.strictObject({
  enabled: z.boolean().default(true),
  keyParameter: createdSsmParameter.optional(),
});

export const AclSchema = z.strictObject({
  enabled: z.boolean().default(true),
  defaultPolicy: z.enum(['deny', 'allow']).default('deny'),
  bootstrapTokenParameter: createdSsmParameter.optional(),
  /** The token the orchestrator's Lambdas use to write the catalog. */
  orchestratorTokenParameter: ssmParameter.optional(),
});

export const SecuritySchema = z.strictObject({
  tls: TlsSchema.prefault({}),
  gossip: GossipSchema.prefault({}),
  acl: AclSchema.prefault({}),
});

export const ServersSchema = z.strictObject({
  count: z
    .number()
    .int('must be an integer')
    .refine((n) => n === 1 || n === 3 || n === 5, { message: 'must be 1, 3 or 5 (an odd number keeps a Raft quorum)' })
    .default(3),
  image: imageRef.optional(),
  build: buildContext.optional(),
  /** Consul version baked into the server image; pinned. */
  version: z.string().regex(/^\d+\.\d+\.\d+$/, 'must be a version such as 1.20.1').default('1.20.1'),
  cpu: z.number().int().min(128).default(512),
  memory: z.number().int().min(128).default(1024),
  cluster: ecsName.default('consul-server'),
});

export const ListenerSchema = z
  .strictObject({
    port,
    protocol: ProtocolSchema.default('http'),
    services: z.array(z.union([z.literal('*'), dnsName])).min(1, 'must name at least one service or "*"'),
  })
  .refine((l) => !(l.services.includes('*') && l.protocol === 'tcp'), {
    message: 'a "*" listener needs an L7 protocol (http, http2 or grpc): Consul allows wildcards only there',
    path: ['services'],
  });

export const IngressSchema = z.strictObject({
  cluster: ecsName.default('ingress'),
  name: dnsName.default('ingress-gateway'),
  desiredCount: z.number().int().min(1).max(100).default(1),
  image: imageRef.optional(),
  listeners: z.array(ListenerSchema).min(1, 'must have at least one listener'),
});

export const RolloutSchema = z.strictObject({
  minimumHealthyPercent: z.number().int().min(0).max(100).default(100),
  maximumPercent: z.number().int().min(100).max(200).default(200),
  circuitBreaker: z
    .strictObject({ enable: z.boolean().default(true), rollback: z.boolean().default(true) })
    .prefault({}),
  /** How long new tasks must stay registered and passing in Consul before a rollout counts as done. */
  bakeSeconds: z.number().int().min(0).max(3600).default(30),
});

export const IntentionSchema = z.strictObject({
  source: z.union([z.literal('*'), dnsName]),
  /** A peer of `peers` the source is a service of (the intention source's `Peer`); `*` then means all its services. */
  peer: dnsName.optional(),
  destination: dnsName,
  action: z.enum(['allow', 'deny']),
});

export const NetworkSchema = z.strictObject({
  /** awsvpc gives each task its own ENI and IP (the registration model's address); host shares the instance's ports. */
  mode: z.enum(['awsvpc', 'host']).default('awsvpc'),
  launchType: z.enum(['FARGATE', 'EC2']).default('FARGATE'),
  /**
   * The CPU architecture every task runs on (the task definitions' runtimePlatform) and every image is built for
   * (CodeBuild's environment and `docker build --platform`). ARM64 (Graviton) is the default: Fargate bills it
   * about 20 % below X86_64 for the same size.
   */
  cpuArchitecture: z.enum(['ARM64', 'X86_64']).default('ARM64'),
  subnets: z.array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/, 'must be a subnet id')).default([]),
  securityGroups: z.array(z.string().regex(/^sg-[0-9a-f]{8,17}$/, 'must be a security group id')).default([]),
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
    mode: z.enum(['private', 'nlb']).default('private'),
    /** The port the gateway listens on for peers (and the NLB's listener forwards to). */
    port: port.default(8443),
    /** `nlb` mode: the Network Load Balancer's DNS name, registered as the gateway's WAN address. */
    address: z
      .string()
      .regex(/^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/, 'must be a DNS name such as mesh-gw-0123456789abcdef.elb.us-east-1.amazonaws.com')
      .optional(),
    /** `nlb` mode: the target group (target type `ip`) the ECS service registers the gateway tasks in. */
    targetGroupArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}$/, 'must be an Elastic Load Balancing target group ARN')
      .optional(),
  })
  .superRefine((wan, ctx) => {
    if (wan.mode === 'nlb') {
      if (wan.address === undefined) ctx.addIssue({ code: 'custom', path: ['address'], message: 'is required in nlb mode: the Network Load Balancer\'s DNS name' });
      if (wan.targetGroupArn === undefined) ctx.addIssue({ code: 'custom', path: ['targetGroupArn'], message: 'is required in nlb mode: the target group the gateway tasks are registered in' });
    } else {
      if (wan.address !== undefined) ctx.addIssue({ code: 'custom', path: ['address'], message: 'is only for nlb mode (in private mode the WAN address is the task\'s private IP)' });
      if (wan.targetGroupArn !== undefined) ctx.addIssue({ code: 'custom', path: ['targetGroupArn'], message: 'is only for nlb mode' });
    }
  });

/**
 * The mesh gateway (Consul `Kind = "mesh-gateway"`) through which peered traffic and the peering control plane run
 * (the `mesh` entry's `Peering.PeerThroughMeshGateways`). Required when `peers` is not empty.
 */
export const MeshGatewaySchema = z.strictObject({
  cluster: ecsName.default('mesh-gateway'),
  name: dnsName.default('mesh-gateway'),
  desiredCount: z.number().int().min(1).max(100).default(1),
  image: imageRef.optional(),
  wan: MeshGatewayWanSchema.prefault({}),
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
  peers: z.array(dnsName).min(1, 'must name at least one peer'),
});

/** The consul-dataplane image every service task and the gateway run (Envoy + the xDS link to the servers). */
export const DataplaneSchema = z
  .strictObject({
    image: imageRef.optional(),
    build: buildContext.optional(),
  })
  .refine((d) => !(d.image && d.build), { message: 'needs at most one of "image" or "build"' });

export const MeshSpecSchema = z.strictObject({
  name: dnsName,
  region: awsRegion.default('us-east-1'),
  datacenter: z.string().regex(/^[a-z0-9_-]{1,64}$/, 'must be lowercase letters, digits, _ and -').default('dc1'),
  network: NetworkSchema.prefault({}),
  consul: z
    .strictObject({
      servers: ServersSchema.prefault({}),
      /** Defaults to building docker/consul-dataplane (our entrypoint around the pinned consul-dataplane image). */
      dataplane: DataplaneSchema.prefault({}),
      security: SecuritySchema.prefault({}),
    })
    .prefault({}),
  clusters: z.array(ClusterSchema).min(1, 'must list at least one cluster'),
  ingress: IngressSchema.optional(),
  rollout: RolloutSchema.prefault({}),
  intentions: z.array(IntentionSchema).default([]),
  meshGateway: MeshGatewaySchema.optional(),
  peers: z.array(PeerSchema).default([]),
  exports: z.array(ExportSchema).default([]),
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
