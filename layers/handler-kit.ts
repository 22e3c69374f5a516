import type { z } from 'zod';
import { InvalidInputError } from './errors';
import { formatPath } from './domain/spec/issues';

/**
 * Parses a Lambda event with its schema at the edge; a bad event becomes a named `InvalidInput` error listing
 * each path, never a zod error Step Functions could not match.
 */
export function parseEvent<S extends z.ZodType>(schema: S, event: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(event);
  if (parsed.success) return parsed.data;
  throw new InvalidInputError(`invalid ${what}`, parsed.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })));
}

/**
 * Lazily builds a handler's dependencies once per container (cold start), on first use, so importing a handler
 * module builds nothing a test cannot replace and a bad environment fails the first invocation with `ConfigError`.
 */
export function lazy<T>(make: () => T): () => T {
  let value: T | undefined;
  let made = false;
  return () => {
    if (!made) {
      value = make();
      made = true;
    }
    return value as T;
  };
}
