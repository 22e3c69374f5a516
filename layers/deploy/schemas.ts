import * as z from 'zod';

/**
 * Schemas of the data the deploy state machine passes between steps, parsed at each handler's edge. The spec in a
 * plan has already been validated by the Plan step; parsing it again here is cheap and keeps each step honest.
 */
/** The stages that create or update ECS services (the others have no StageStatus). */
export const StageNameSchema = z.enum(['servers', 'mesh-gateway', 'services', 'ingress']);

const StageClustersSchema = z.object({ cluster: z.string(), services: z.array(z.string()) });

export const ImageJobSchema = z.object({
  name: z.string(),
  repository: z.string().optional(),
  tag: z.string().optional(),
  contentHash: z.string().regex(/^[a-f0-9]{64}$/).optional(),
  context: z.string().optional(),
  dockerfile: z.string().optional(),
  image: z.string().optional(),
  architecture: z.enum(['ARM64', 'X86_64']).optional(),
});

/** One entry of a change set (change-set.ts ResourceChange). */
export const ResourceChangeSchema = z.object({
  kind: z.enum(['image', 'cluster', 'service', 'task-definition', 'parameter', 'secret', 'config-entry', 'acl']),
  id: z.string(),
  action: z.enum(['create', 'update', 'replace', 'remove', 'unchanged']),
  reasons: z.array(z.string()),
  fields: z.array(z.object({ path: z.string(), before: z.unknown().optional(), after: z.unknown().optional() })).optional(),
  cluster: z.string().optional(),
  role: z.enum(['server', 'service', 'ingress-gateway', 'mesh-gateway']).optional(),
  desiredCount: z.number().optional(),
});

export const PlanSchema = z.object({
  mesh: z.string(),
  deploymentId: z.string(),
  specHash: z.string(),
  images: z.array(ImageJobSchema),
  serverCluster: StageClustersSchema,
  serviceClusters: z.array(StageClustersSchema),
  ingressCluster: StageClustersSchema.nullable(),
  hasIngress: z.boolean(),
  // Defaults: a plan made before the mesh gateway existed (an execution still running across an upgrade) has none.
  meshGatewayCluster: StageClustersSchema.nullable().default(null),
  hasMeshGateway: z.boolean().default(false),
  /** In the Plan step's result (the history, for the progress view), not in the state the later steps receive. */
  changes: z.array(
    z.object({
      cluster: z.string(),
      service: z.string(),
      role: z.enum(['server', 'service', 'ingress-gateway', 'mesh-gateway']),
      action: z.enum(['create', 'update', 'unchanged', 'remove']),
      reasons: z.array(z.string()),
      desiredCount: z.number(),
    }),
  ).optional(),
  /** The change set's removals, in the order the removal stage makes them. */
  removals: z.array(ResourceChangeSchema).default([]),
  hasRemovals: z.boolean().default(false),
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
  round: z.number().int(),
  /** What the stage still waits for, in words (used in the timeout cause). */
  waitingFor: z.string(),
  services: z.array(
    z.object({
      name: z.string(),
      action: z.enum(['create', 'update', 'unchanged']).optional(),
      taskDefinitionArn: z.string().optional(),
      desiredCount: z.number(),
      runningCount: z.number(),
      pendingCount: z.number(),
      rolloutState: z.string().optional(),
      /** Consul instances registered and passing for this service's running tasks. */
      registeredPassing: z.number().optional(),
    }),
  ),
  consul: z.object({ leader: z.string(), peers: z.array(z.string()) }).optional(),
  /** Servers stage: how many Consul servers must be peers (the spec's `consul.servers.count`). */
  expectedPeers: z.number().int().optional(),
});
