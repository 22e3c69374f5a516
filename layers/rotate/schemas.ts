import * as z from 'zod';

/**
 * Schemas of a rotation: the request (`POST /rotations`, the execution input) and the data its steps pass each
 * other, parsed at each handler's edge. No schema carries a secret's value: only names, versions and AccessorIDs.
 */

/** `gossip-key`, `ca`, `acl-token/<role>` (layers/rotate/plan.ts decides which are supported). */
export const SecretNameSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[a-z0-9][a-z0-9/_-]*$/, 'must name a secret: gossip-key, ca or acl-token/<role> (e.g. acl-token/dataplane/users)');

export const RotationRequestSchema = z.strictObject({ secret: SecretNameSchema });

export const RotationSettingsSchema = z.object({
  pollSeconds: z.number().int().min(0).max(300),
  maxRounds: z.number().int().min(1).max(1000),
});

export const RotationIdSchema = z.string().regex(/^s-\d{14}-[0-9a-z]{6}$/, 'must be a rotation id');

export const RotationInputSchema = z.object({
  rotationId: RotationIdSchema,
  request: RotationRequestSchema,
  settings: RotationSettingsSchema,
});
export type RotationInput = z.infer<typeof RotationInputSchema>;

const TargetSchema = z.object({ cluster: z.string(), service: z.string(), role: z.enum(['server', 'service', 'ingress-gateway']) });

export const PreparedRotationSchema = z.object({
  rotationId: z.string(),
  mesh: z.string(),
  secret: z.string(),
  kind: z.enum(['gossip-key', 'acl-token']),
  parameter: z.string(),
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
  replaced: z.record(z.string(), z.number().int()),
  removed: z.string(),
});
export type RotationResult = z.infer<typeof RotationResultSchema>;

export const CaughtErrorSchema = z.object({ Error: z.string().optional(), Cause: z.string().optional() });
