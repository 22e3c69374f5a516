import * as z from 'zod';
import type { ImageProgress, ServiceProgress, StageProgress } from '../executions/progress';

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

/** The kinds of the mesh's long operations (layers/executions/operations.ts). */
export const OperationKindSchema = z.enum(['deployment', 'rollout', 'rotation', 'teardown']);

/** One item of `GET /operations`: an operation that runs now, and the id `POST /operations/{id}/cancel` takes. */
export const OperationItemSchema = z.looseObject({
  kind: OperationKindSchema,
  id: z.string(),
  status: ApiStatusSchema,
  mesh: z.string(),
  execution: z.string(),
  startedAt: z.string().optional(),
  /** A rollout's service. */
  service: z.string().optional(),
  /** A rotation's secret. */
  secret: z.string().optional(),
});
export type OperationItem = z.infer<typeof OperationItemSchema>;

export const OperationListSchema = z.looseObject({ items: z.array(OperationItemSchema) });
export type OperationList = z.infer<typeof OperationListSchema>;

/**
 * 202 of `POST /operations/{id}/cancel` (and of `POST /deployments/{id}/cancel`): the operation is ABORTED, the locks
 * it held are released (their SSM names), and `note` says what it leaves behind.
 */
export const CancelledOperationSchema = OperationItemSchema.extend({
  released: z.array(z.string()),
  note: z.string(),
});
export type CancelledOperation = z.infer<typeof CancelledOperationSchema>;

/** `POST /rotations`'s answer: the rotation's id and the steps it takes, in order. */
export const RotationStartedSchema = z.looseObject({
  id: z.string(),
  status: ApiStatusSchema,
  mesh: z.string(),
  secret: z.string(),
  steps: z.array(z.string()),
});
export type RotationStarted = z.infer<typeof RotationStartedSchema>;

/** `GET /rotations/{id}` (layers/api/rotations.ts). */
export const RotationViewSchema = z.looseObject({
  id: z.string(),
  status: ApiStatusSchema,
  secret: z.string().optional(),
  steps: z.array(z.object({ name: z.string(), state: z.string() })),
  parameter: z.string().optional(),
  previousVersion: z.number().optional(),
  version: z.number().optional(),
  check: z.looseObject({ waitingFor: z.string(), replaced: z.record(z.string(), z.number()) }).optional(),
  result: z
    .looseObject({
      replaced: z.record(z.string(), z.number()),
      removed: z.string(),
      previousVersion: z.number(),
      version: z.number(),
      /** The CA's key (`ca` only). */
      keyParameter: z.string().optional(),
      previousKeyVersion: z.number().optional(),
      keyVersion: z.number().optional(),
    })
    .optional(),
  error: z.string().optional(),
  cause: z.string().optional(),
});
export type RotationView = z.infer<typeof RotationViewSchema>;

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
  /** The peering stage's peers: what it did for each and a dialer peering's state. */
  peerings: z.array(z.looseObject({ name: z.string(), role: z.string(), action: z.string().optional(), state: z.string().optional() })).optional(),
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
      kind: z.enum(['image', 'cluster', 'service', 'task-definition', 'parameter', 'secret', 'config-entry', 'acl', 'peering']),
      id: z.string(),
      action: z.enum(['create', 'update', 'replace', 'remove', 'unchanged']),
      reasons: z.array(z.string()),
      fields: z.array(z.looseObject({ path: z.string(), before: z.unknown().optional(), after: z.unknown().optional() })).optional(),
      cluster: z.string().optional(),
      role: z.enum(['server', 'service', 'ingress-gateway', 'mesh-gateway']).optional(),
      desiredCount: z.number().optional(),
    }),
  ),
  refused: z.array(z.string()),
  noChange: z.boolean(),
});

/** GET /mesh/destroys/{id}: a teardown's progress, and what it removed and kept once it has ended. */
export const DestroyViewSchema = z.looseObject({
  id: z.string(),
  mesh: z.string(),
  purge: z.boolean(),
  status: ApiStatusSchema,
  executionStatus: z.string(),
  execution: z.string(),
  startedAt: z.string().optional(),
  stoppedAt: z.string().optional(),
  stages: z.array(
    z.looseObject({
      name: z.string(),
      state: z.string(),
      deleted: z.array(z.string()).optional(),
      remaining: z.array(z.looseObject({ id: z.string(), tasks: z.number() })).optional(),
      round: z.number().optional(),
    }),
  ),
  summary: z
    .looseObject({
      mesh: z.string(),
      nothingToDo: z.boolean(),
      removed: z.looseObject({
        services: z.array(z.string()),
        clusters: z.array(z.string()),
        taskDefinitions: z.number(),
        registrations: z.number(),
        configEntries: z.array(z.string()),
        kv: z.number(),
        parameters: z.number(),
        repositories: z.array(z.string()),
        /** The cluster peerings deleted: the deployed spec's peers and every peering marked as the mesh's. */
        peerings: z.array(z.string()).optional(),
      }),
      kept: z.looseObject({ parameters: z.array(z.string()), repositories: z.array(z.string()) }),
      consulSkipped: z.string().optional(),
    })
    .optional(),
  failure: z.looseObject({ stage: z.string().optional(), error: z.string().optional(), message: z.string().optional() }).optional(),
});
export type DestroyView = z.infer<typeof DestroyViewSchema>;
