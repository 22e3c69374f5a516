/**
 * The data that flows through the rollout state machine (state-machines/rollout-service.asl.json) and that the
 * HTTP API reads back from its executions. Plain JSON, far below Step Functions' 256 KB payload limit. What a step
 * receives is parsed with its schema (schemas.ts), so the types are the schemas' (one source); the results the
 * API reads back are declared here.
 */
import type { z } from 'zod';
import type { PreparedRolloutSchema, RegisteredRevisionSchema, RolloutCheckSchema, RolloutInputSchema } from './schemas';
import type { RolloutRequestSchema } from './request';

/** What a caller asks for: a new image (or a build context to build one), optionally a new desired count. */
export type RolloutRequest = z.infer<typeof RolloutRequestSchema>;

/** The execution input: `{ rolloutId, service, request, settings }`. */
export type RolloutInput = z.infer<typeof RolloutInputSchema>;

/** The output of the Prepare step (`$.prepared`): where the service runs, what runs now, how to roll. */
export type PreparedRollout = z.infer<typeof PreparedRolloutSchema>;

/** The ECS deployment settings of the spec's `rollout` block, as UpdateService takes them. */
export type RolloutDeploymentConfiguration = PreparedRollout['deploymentConfiguration'];

/** The output of the Register step (`$.revision`). */
export type RegisteredRevision = z.infer<typeof RegisteredRevisionSchema>;

/** One round of a wait loop (`$.check` while rolling forward, `$.rollback` while rolling back). */
export type RolloutCheck = z.infer<typeof RolloutCheckSchema>;

/** The execution's output on success. */
export interface RolloutResult {
  rolloutId: string;
  mesh: string;
  service: string;
  cluster: string;
  imageUri: string;
  /** The revision that runs now (the new one). */
  liveTaskDefinitionArn: string;
  previousTaskDefinitionArn: string;
  desiredCount: number;
  unchanged: boolean;
}

/** The execution's cause on failure, as JSON. */
export interface RolloutFailure {
  service: string;
  /** The step that failed: prepare, build, register, update, stabilize, bake, rollback. */
  step: string;
  error: string;
  message: string;
  /** True when the service was returned to its previous revision. */
  rolledBack: boolean;
  /** The revision that runs after the rollout ended (the previous one after a rollback). */
  liveTaskDefinitionArn?: string;
  failedTaskDefinitionArn?: string;
  /** The ECS stopped reason of the last failed task of the service, when ECS still remembers one. */
  detail?: string;
}
