import * as z from 'zod';
import { RotationIdSchema, RotationRequestSchema } from './request';

/**
 * Schemas of a rotation: the request (`POST /rotations`, the execution input, in request.ts) and the data its steps
 * pass each other, parsed at each handler's edge. No schema carries a secret's value: only names, versions and
 * AccessorIDs.
 */

export const RotationSettingsSchema = z.object({
  pollSeconds: z.number().int().min(0).max(300),
  maxRounds: z.number().int().min(1).max(1000),
});

export const RotationInputSchema = z.object({
  rotationId: RotationIdSchema,
  request: RotationRequestSchema,
  settings: RotationSettingsSchema,
});
export type RotationInput = z.infer<typeof RotationInputSchema>;

const TargetSchema = z.object({ cluster: z.string(), service: z.string(), role: z.enum(['server', 'service', 'ingress-gateway', 'mesh-gateway']) });

/** A stage of a CA rotation (layers/rotate/plan.ts). */
const CaStageSchema = z.object({ write: z.enum(['trust', 'reissue', 'drop']).optional(), targets: z.array(TargetSchema), step: z.string() });

export const PreparedRotationSchema = z.object({
  rotationId: z.string(),
  mesh: z.string(),
  secret: z.string(),
  kind: z.enum(['gossip-key', 'acl-token', 'ca']),
  parameter: z.string(),
  /** `ca` only: the CA key's parameter. */
  keyParameter: z.string().optional(),
  /** `ca` only: the stages, in order. */
  stages: z.array(CaStageSchema).optional(),
  /** Where the new value waits between the step that makes it and the step that stores it (no task reads it). */
  stagingParameter: z.string(),
  role: z.string().optional(),
  targets: z.array(TargetSchema),
  steps: z.array(z.string()),
  lockName: z.string(),
  lockHolder: z.string(),
  pollSeconds: z.number().int(),
  maxRounds: z.number().int(),
});
export type PreparedRotation = z.infer<typeof PreparedRotationSchema>;

/** The new secret live in Consul: the parameter's version it replaces and, for a token, both AccessorIDs. */
export const ActivatedSecretSchema = z.object({
  previousVersion: z.number().int(),
  previousAccessorId: z.string().optional(),
  accessorId: z.string().optional(),
});
export type ActivatedSecret = z.infer<typeof ActivatedSecretSchema>;

/** The new secret stored: the SSM versions (never values) and when the new one was written. */
export const StoredSecretSchema = ActivatedSecretSchema.extend({
  version: z.number().int(),
  /** When the new version was written (ms): every task that uses the secret must have started after it. */
  writtenAt: z.number(),
  /** CA stages only: the stage just started (0-based), how many there are, whether it is the last. */
  stage: z.number().int().optional(),
  stages: z.number().int().optional(),
  last: z.boolean().optional(),
  /** CA stages only: the services this stage replaces (the check waits for them, not for every target). */
  targets: z.array(TargetSchema).optional(),
  /** CA stages only: the CA key's versions (the certificate's are previousVersion/version). */
  previousKeyVersion: z.number().int().optional(),
  keyVersion: z.number().int().optional(),
  /** CA stages only: tasks replaced by the stages before this one, per `cluster/service`. */
  replaced: z.record(z.string(), z.number().int()).optional(),
  /** CA's last stage: what it dropped from the bundle. */
  removed: z.string().optional(),
});
export type StoredSecret = z.infer<typeof StoredSecretSchema>;

export const RotationCheckSchema = z.object({
  ready: z.boolean(),
  round: z.number().int(),
  waitingFor: z.string(),
  /** Tasks started after the new version, per `cluster/service`. */
  replaced: z.record(z.string(), z.number().int()),
});
export type RotationCheck = z.infer<typeof RotationCheckSchema>;

export const RotationResultSchema = z.object({
  rotationId: z.string(),
  mesh: z.string(),
  secret: z.string(),
  parameter: z.string(),
  previousVersion: z.number().int(),
  version: z.number().int(),
  /** `ca` only: the CA key's parameter and versions. */
  keyParameter: z.string().optional(),
  previousKeyVersion: z.number().int().optional(),
  keyVersion: z.number().int().optional(),
  replaced: z.record(z.string(), z.number().int()),
  removed: z.string(),
});
export type RotationResult = z.infer<typeof RotationResultSchema>;

export const CaughtErrorSchema = z.object({ Error: z.string().optional(), Cause: z.string().optional() });
