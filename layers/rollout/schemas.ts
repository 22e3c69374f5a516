import * as z from 'zod';
import { ImageJobSchema } from '../deploy/schemas';
import { RolloutRequestSchema } from './request';

/**
 * Schemas of a rollout: the request (what `POST /services/{service}/rollouts` accepts and the execution input
 * carries, in request.ts) and the data its steps pass each other, parsed at each handler's edge.
 */

export const RolloutSettingsSchema = z.object({
  pollSeconds: z.number().int().min(0).max(300),
  maxRounds: z.number().int().min(1).max(1000),
});

export const RolloutInputSchema = z.object({
  rolloutId: z.string().regex(/^r-\d{14}-[0-9a-z]{6}$/, 'must be a rollout id'),
  service: z.string().min(1),
  request: RolloutRequestSchema,
  settings: RolloutSettingsSchema,
});

export const PreparedRolloutSchema = z.object({
  mesh: z.string(),
  rolloutId: z.string(),
  service: z.string(),
  cluster: z.string(),
  /** The service's app container in its task definition. */
  container: z.string(),
  /** The revision running before the rollout: what a rollback returns to. */
  previousTaskDefinitionArn: z.string(),
  previousDesiredCount: z.number().int(),
  desiredCount: z.number().int(),
  /** The image to run, when given; otherwise `build` says what to build. */
  image: z.string().optional(),
  build: z.optional(ImageJobSchema),
  deploymentConfiguration: z.object({
    minimumHealthyPercent: z.number(),
    maximumPercent: z.number(),
    deploymentCircuitBreaker: z.object({ enable: z.boolean(), rollback: z.boolean() }),
  }),
  pollSeconds: z.number().int(),
  maxRounds: z.number().int(),
  bakeSeconds: z.number().int(),
  /** The bake is `bakeRounds` checks, `bakeIntervalSeconds` apart (≈ bakeSeconds in all). */
  bakeRounds: z.number().int(),
  bakeIntervalSeconds: z.number().int(),
  /** The service's rollout lock in SSM and its holder (the execution id). */
  lockName: z.string(),
  lockHolder: z.string(),
});

export const RegisteredRevisionSchema = z.object({
  taskDefinitionArn: z.string(),
  imageUri: z.string(),
  /** False when the family's latest ACTIVE revision already was the wanted one (nothing registered). */
  created: z.boolean(),
  /** True when the wanted revision is the one already running (and the desired count unchanged). */
  unchanged: z.boolean(),
});

export const RolloutCheckSchema = z.object({
  phase: z.enum(['stabilize', 'bake', 'rollback']),
  /** The revision the service must run. */
  taskDefinitionArn: z.string(),
  ready: z.boolean(),
  round: z.number().int(),
  waitingFor: z.string(),
  desiredCount: z.number().int(),
  runningCount: z.number().int(),
  pendingCount: z.number().int(),
  /** Running tasks of the wanted revision that Consul has registered and passing. */
  registeredPassing: z.number().int().optional(),
  rolloutState: z.string().optional(),
  /** Epoch ms of the first round that found the new revision stable and passing: the bake starts there. */
  readyAt: z.number().optional(),
  bakeRound: z.number().int(),
});

/** `$.error` as a Catch records it. */
export const CaughtErrorSchema = z.object({ Error: z.string().optional(), Cause: z.string().optional() });
