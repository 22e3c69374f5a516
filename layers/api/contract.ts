import { z } from 'zod';
import type { ImageProgress, ServiceProgress, StageProgress } from '../deployments/progress';

/**
 * The answers of the HTTP API (DESIGN.md section 4), as zod schemas: the routes build these shapes, and
 * `meshctl`'s HTTP backend parses what it receives with them (validation at the client's edge too). Dates are
 * ISO 8601 strings. Schemas are loose: a newer API may add members, and an older client keeps working.
 */

/** Statuses of deployments and rollouts as the API reports them (Step Functions' own are folded into these). */
export const ApiStatusSchema = z.enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'ROLLED_BACK', 'ABORTED']);
export type ApiStatus = z.infer<typeof ApiStatusSchema>;

export const ErrorBodySchema = z.looseObject({
  error: z.looseObject({
    code: z.string(),
    message: z.string(),
    details: z.array(z.looseObject({ path: z.string(), message: z.string() })).optional(),
  }),
});

/** 202 of POST /deployments and POST /services/{service}/rollouts. */
export const StartedSchema = z.looseObject({
  id: z.string(),
  status: ApiStatusSchema,
  execution: z.string(),
  mesh: z.string().optional(),
  service: z.string().optional(),
  /** True when an identical deployment was already running and the request joined it. */
  attached: z.boolean().optional(),
});
export type Started = z.infer<typeof StartedSchema>;

export const DeploymentItemSchema = z.looseObject({
  id: z.string(),
  mesh: z.string().optional(),
  status: ApiStatusSchema,
  execution: z.string(),
  specHash: z.string().optional(),
  startedAt: z.string().optional(),
  stoppedAt: z.string().optional(),
});
export type DeploymentItem = z.infer<typeof DeploymentItemSchema>;

export const DeploymentListSchema = z.looseObject({
  items: z.array(DeploymentItemSchema),
  nextToken: z.string().optional(),
});
export type DeploymentList = z.infer<typeof DeploymentListSchema>;

const StageSchema = z.looseObject({ name: z.string(), state: z.string() });

/** GET /deployments/{id}: status, per-stage progress, the summary when it succeeded, the cause when it failed. */
export const DeploymentViewSchema = DeploymentItemSchema.extend({
  /** The execution's own status (TIMED_OUT, PENDING_REDRIVE... are folded into `status`). */
  executionStatus: z.string(),
  stages: z.array(StageSchema),
  services: z.array(z.looseObject({ stage: z.string(), cluster: z.string(), name: z.string(), desiredCount: z.number() })),
  images: z.array(z.looseObject({ name: z.string(), status: z.string() })),
  consul: z.looseObject({ leader: z.string(), peers: z.array(z.string()) }).optional(),
  summary: z.unknown().optional(),
  failure: z.looseObject({ stage: z.string().optional(), error: z.string().optional(), message: z.string().optional() }).optional(),
  /** The execution's raw error and cause, when it ended without succeeding. */
  error: z.string().optional(),
  cause: z.string().optional(),
});
/** The schema checks the least the CLI relies on; the API sends the progress types whole. */
export type DeploymentView = Omit<z.infer<typeof DeploymentViewSchema>, 'stages' | 'services' | 'images'> & {
  stages: StageProgress[];
  services: ServiceProgress[];
  images: ImageProgress[];
};

/** GET /services/{service}/rollouts/{id}. */
export const RolloutViewSchema = z.looseObject({
  id: z.string(),
  service: z.string(),
  status: ApiStatusSchema,
  execution: z.string(),
  executionStatus: z.string(),
  startedAt: z.string().optional(),
  stoppedAt: z.string().optional(),
  request: z.looseObject({}),
  steps: z.array(z.looseObject({ name: z.string(), state: z.string() })),
  cluster: z.string().optional(),
  previousTaskDefinitionArn: z.string().optional(),
  newTaskDefinitionArn: z.string().optional(),
  /** The revision the service runs as far as the rollout knows: the previous one until the new one is live. */
  liveTaskDefinitionArn: z.string().optional(),
  check: z
    .looseObject({ phase: z.string(), round: z.number(), waitingFor: z.string(), desiredCount: z.number(), runningCount: z.number(), registeredPassing: z.number().optional(), bakeRound: z.number() })
    .optional(),
  bakeRounds: z.number().optional(),
  rollback: z.looseObject({ round: z.number(), waitingFor: z.string(), desiredCount: z.number(), runningCount: z.number() }).optional(),
  build: z.looseObject({ status: z.string(), phase: z.string().optional(), imageUri: z.string().optional() }).optional(),
  lastTaskError: z.looseObject({ error: z.string(), cause: z.string().optional() }).optional(),
  failure: z.looseObject({ step: z.string(), error: z.string(), message: z.string(), rolledBack: z.boolean() }).optional(),
  error: z.string().optional(),
  cause: z.string().optional(),
});
export type RolloutView = z.infer<typeof RolloutViewSchema>;

/** 200 of POST /plans: the change set (layers/deploy/change-set.ts) a deployment of the spec would make now. */
export const ChangeSetSchema = z.looseObject({
  mesh: z.string(),
  specHash: z.string(),
  changes: z.array(
    z.looseObject({
      kind: z.enum(['image', 'cluster', 'service', 'task-definition', 'parameter', 'secret', 'config-entry', 'acl']),
      id: z.string(),
      action: z.enum(['create', 'update', 'replace', 'remove', 'unchanged']),
      reasons: z.array(z.string()),
      fields: z.array(z.looseObject({ path: z.string(), before: z.unknown().optional(), after: z.unknown().optional() })).optional(),
      cluster: z.string().optional(),
      role: z.enum(['server', 'service', 'ingress-gateway']).optional(),
      desiredCount: z.number().optional(),
    }),
  ),
  refused: z.array(z.string()),
  noChange: z.boolean(),
});
