import * as z from 'zod';
import { DNS_LABEL } from '../domain/spec/names';

/**
 * Schemas of the query strings of the HTTP API (the bodies have theirs: the mesh spec, and the rollout request in
 * layers/rollout/schemas.ts). Query values arrive as strings; numbers are coerced. Unknown parameters are refused,
 * as unknown keys are everywhere else.
 */

/** An integer query parameter: digits only (so "1e3", " 5" or "0x10" are refused rather than guessed). */
const intParam = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,6}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

/** `?pollSeconds=&maxRounds=` of the start routes: how the state machine's wait loops poll. */
export const StartQuerySchema = z.strictObject({
  pollSeconds: intParam(0, 300).optional(),
  maxRounds: intParam(1, 1000).optional(),
});

/** `GET /deployments?limit=&nextToken=&mesh=&status=` */
export const ListQuerySchema = z.strictObject({
  limit: intParam(1, 100).default(20),
  nextToken: z.string().min(1).max(4096).optional(),
  mesh: z.string().regex(DNS_LABEL, 'must be a mesh name').optional(),
  status: z.enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'ABORTED']).optional(),
});

/** The routes that read no query string refuse one, as unknown fields are refused everywhere. */
export const NoQuerySchema = z.strictObject({});

/** Path parameters that name a service: a DNS label, as in the spec. Anything else names no service (404). */
export function isServiceName(value: string): boolean {
  return DNS_LABEL.test(value);
}
