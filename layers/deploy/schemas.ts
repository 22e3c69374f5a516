import * as z from 'zod/mini';

/**
 * Schemas of the data the deploy state machine passes between steps, parsed at each handler's edge. The spec in a
 * plan has already been validated by the Plan step; parsing it again here is cheap and keeps each step honest.
 */
/** The stages that create or update ECS services (the others have no StageStatus). */
export const StageNameSchema = z.enum(['servers', 'mesh-gateway', 'services', 'ingress']);

const StageClustersSchema = z.object({ cluster: z.string(), services: z.array(z.string()) });

export const ImageJobSchema = z.object({
  name: z.string(),
  repository: z.optional(z.string()),
  tag: z.optional(z.string()),
  contentHash: z.optional(z.string().check(z.regex(/^[a-f0-9]{64}$/))),
  context: z.optional(z.string()),
  dockerfile: z.optional(z.string()),
  image: z.optional(z.string()),
  architecture: z.optional(z.enum(['ARM64', 'X86_64'])),
});

/** One entry of a change set (change-set.ts ResourceChange). */
export const ResourceChangeSchema = z.object({
  kind: z.enum(['image', 'cluster', 'service', 'task-definition', 'parameter', 'secret', 'config-entry', 'acl', 'peering']),
  id: z.string(),
  action: z.enum(['create', 'update', 'replace', 'remove', 'unchanged']),
  reasons: z.array(z.string()),
  fields: z.optional(z.array(z.object({ path: z.string(), before: z.optional(z.unknown()), after: z.optional(z.unknown()) }))),
  cluster: z.optional(z.string()),
  role: z.optional(z.enum(['server', 'service', 'ingress-gateway', 'mesh-gateway'])),
  desiredCount: z.optional(z.number()),
});

/** A peer as the plan carries it: the deployed spec's peers that this deployment removes. */
export const PlannedPeerSchema = z.object({ name: z.string(), mesh: z.string(), region: z.string(), role: z.enum(['acceptor', 'dialer']) });

/**
 * The peering stage's part of the plan (peering-stage.ts) (`$.plan.peering`): the peers it deletes, and the spec's
 * peers (the summary reports each with its peering's state).
 */
export const PeeringPlanSchema = z.object({ removed: z.array(PlannedPeerSchema), peers: z._default(z.array(PlannedPeerSchema), []) });
export type PeeringPlan = z.infer<typeof PeeringPlanSchema>;

/** The peering stage's result (`$.peering`): what the ensure step did, and the latest check of the dialers. */
export const PeeringStatusSchema = z.object({
  ready: z.boolean(),
  round: z.number().check(z.int()),
  /** The dialer peerings not ACTIVE yet, with their state (the timeout's cause names them). */
  waitingFor: z.string(),
  peers: z.array(
    z.object({
      name: z.string(),
      role: z.enum(['acceptor', 'dialer']),
      action: z.optional(z.enum(['token-generated', 'token-kept', 'established', 'kept', 'deleted'])),
      state: z.optional(z.string()),
    }),
  ),
});
export type PeeringStatus = z.infer<typeof PeeringStatusSchema>;

export const PlanSchema = z.object({
  mesh: z.string(),
  deploymentId: z.string(),
  specHash: z.string(),
  images: z.array(ImageJobSchema),
  serverCluster: StageClustersSchema,
  serviceClusters: z.array(StageClustersSchema),
  ingressCluster: z.nullable(StageClustersSchema),
  hasIngress: z.boolean(),
  // Defaults: a plan made before the mesh gateway existed (an execution still running across an upgrade) has none.
  meshGatewayCluster: z._default(z.nullable(StageClustersSchema), null),
  hasMeshGateway: z._default(z.boolean(), false),
  /** The peering stage runs when the spec or the deployed spec has peers; `peering.removed`: the peers it deletes. */
  hasPeering: z._default(z.boolean(), false),
  peering: z._default(PeeringPlanSchema, { removed: [], peers: [] }),
  /** In the Plan step's result (the history, for the progress view), not in the state the later steps receive. */
  changes: z.optional(z.array(
    z.object({
      cluster: z.string(),
      service: z.string(),
      role: z.enum(['server', 'service', 'ingress-gateway', 'mesh-gateway']),
      action: z.enum(['create', 'update', 'unchanged', 'remove']),
      reasons: z.array(z.string()),
      desiredCount: z.number(),
    }),
  )),
  /** The change set's removals, in the order the removal stage makes them. */
  removals: z._default(z.array(ResourceChangeSchema), []),
  hasRemovals: z._default(z.boolean(), false),
  pollSeconds: z.number(),
  maxRounds: z.number(),
  lockName: z.string(),
  lockHolder: z.string(),
});

export const ImagesSchema = z.array(
  z.looseObject({ name: z.string(), imageUri: z.string(), status: z.enum(['READY', 'IN_PROGRESS', 'SUCCEEDED']) }),
);

/** Result of one stage check of the ECS stages (servers, service clusters, ingress). */
export const StageStatusSchema = z.object({
  stage: StageNameSchema,
  cluster: z.string(),
  ready: z.boolean(),
  round: z.number().check(z.int()),
  /** What the stage still waits for, in words (used in the timeout cause). */
  waitingFor: z.string(),
  services: z.array(
    z.object({
      name: z.string(),
      action: z.optional(z.enum(['create', 'update', 'unchanged'])),
      taskDefinitionArn: z.optional(z.string()),
      desiredCount: z.number(),
      runningCount: z.number(),
      pendingCount: z.number(),
      rolloutState: z.optional(z.string()),
      /** Consul instances registered and passing for this service's running tasks. */
      registeredPassing: z.optional(z.number()),
    }),
  ),
  consul: z.optional(z.object({ leader: z.string(), peers: z.array(z.string()) })),
  /** Servers stage: how many Consul servers must be peers (the spec's `consul.servers.count`). */
  expectedPeers: z.optional(z.number().check(z.int())),
  /**
   * Mesh gateway stage: the WAN address its registrations must carry, the spec's `meshGateway.wan` (`address` in
   * `nlb` mode; without it, each task's own address, `private` mode).
   */
  expectedWan: z.optional(z.object({ address: z.optional(z.string()), port: z.number().check(z.int()) })),
});
