/** Schema pieces the saved-state formats share. */
import { z } from 'zod';

/** A `[key, value]` pair of string tags. */
export const stringPair = z.tuple([z.string(), z.string()]);

/** Epoch milliseconds, counts and indexes. */
export const count = z.number().int().nonnegative();
export const epochMs = z.number().nonnegative();

/** A plain JSON object whose members are not inspected (echoed-back request members, bodies). */
export const jsonObject = z.record(z.string(), z.unknown());

/** Keyed by region name. */
export function byRegion<T extends z.ZodType>(schema: T) {
  return z.record(z.string().min(1), schema);
}
