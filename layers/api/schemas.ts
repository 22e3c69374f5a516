import * as z from 'zod/mini';
import { DNS_LABEL } from '../domain/spec/names';

/**
 * Schemas of the query strings of the HTTP API (the bodies have theirs: the mesh spec, and the rollout request in
 * layers/rollout/schemas.ts). Query values arrive as strings; numbers are coerced. Unknown parameters are refused,
 * as unknown keys are everywhere else. zod/mini schemas, as every schema the API function bundles: one schema of
 * zod's classic API anywhere in its module closure brings 70 KiB of zod with it (issue 12's bundle targets).
 */

/** An integer query parameter: digits only (so "1e3", " 5" or "0x10" are refused rather than guessed). */
const intParam = (min: number, max: number) =>
  z.pipe(
    z.pipe(z.string().check(z.regex(/^\d{1,6}$/, 'must be a whole number')), z.transform(Number)),
    z.number().check(z.minimum(min, `must be at least ${min}`), z.maximum(max, `must be at most ${max}`)),
  );

/** `?pollSeconds=&maxRounds=` of the start routes: how the state machine's wait loops poll. */
export const StartQuerySchema = z.strictObject({
  pollSeconds: z.optional(intParam(0, 300)),
  maxRounds: z.optional(intParam(1, 1000)),
});

/** `GET /deployments?limit=&nextToken=&mesh=&status=` */
export const ListQuerySchema = z.strictObject({
  limit: z._default(intParam(1, 100), 20),
  nextToken: z.optional(z.string().check(z.minLength(1), z.maxLength(4096))),
  mesh: z.optional(z.string().check(z.regex(DNS_LABEL, 'must be a mesh name'))),
  status: z.optional(z.enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'ABORTED'])),
});

/** The routes that read no query string refuse one, as unknown fields are refused everywhere. */
export const NoQuerySchema = z.strictObject({});

/** Path parameters that name a service: a DNS label, as in the spec. Anything else names no service (404). */
export function isServiceName(value: string): boolean {
  return DNS_LABEL.test(value);
}
