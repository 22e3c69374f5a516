import * as z from 'zod/mini';
import { BuildContextSchema, ImageRefSchema, RolloutSchema } from '../domain/spec/schema';

/*
 * The rollout request: what `POST /services/{service}/rollouts` accepts and the execution input carries (the steps'
 * own schemas are in schemas.ts). A zod/mini schema, as the spec's are, in a module of its own: the API function
 * bundles it, and one schema of zod's classic API in its module closure would bring 70 KiB of zod with it (issue 12's
 * bundle targets).
 */

/**
 * A build context as the spec has it (a pinned image reference below is the spec's own rule too), with its content
 * hash required: the Lambdas never see the files.
 */
const BuildSchema = z.strictObject({
  ...BuildContextSchema.shape,
  contentHash: z.string().check(z.regex(/^[a-f0-9]{64}$/, 'must be the sha256 hex digest of the context (meshctl rollout --build computes it)')),
});

export const RolloutRequestSchema = z
  .strictObject({
    image: z.optional(ImageRefSchema),
    build: z.optional(BuildSchema),
    desiredCount: z.optional(z.number().check(z.int('must be an integer'), z.minimum(0), z.maximum(1000))),
    /** Overrides the spec's `rollout.bakeSeconds` for this rollout. */
    bakeSeconds: z.optional(RolloutSchema.shape.bakeSeconds.def.innerType),
  })
  .check(z.refine((r) => (r.image === undefined) !== (r.build === undefined), { message: 'needs exactly one of "image" or "build"' }));
