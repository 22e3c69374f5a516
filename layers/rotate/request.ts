import * as z from 'zod/mini';

/*
 * The rotation request (`POST /rotations`, the execution input) and the rotation id (the steps' own schemas are in
 * schemas.ts). zod/mini schemas, in a module of their own: the API function bundles them, and one schema of zod's
 * classic API in its module closure would bring 70 KiB of zod with it (issue 12's bundle targets).
 */

/** `gossip-key`, `ca`, `acl-token/<role>` (layers/rotate/plan.ts decides which are supported). */
export const SecretNameSchema = z
  .string()
  .check(
    z.minLength(1),
    z.maxLength(200),
    z.regex(/^[a-z0-9][a-z0-9/_-]*$/, 'must name a secret: gossip-key, ca or acl-token/<role> (e.g. acl-token/dataplane/users)'),
  );

export const RotationRequestSchema = z.strictObject({ secret: SecretNameSchema });

export const RotationIdSchema = z.string().check(z.regex(/^s-\d{14}-[0-9a-z]{6}$/, 'must be a rotation id'));
