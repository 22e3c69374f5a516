import { safeParse, type $ZodType, type output } from 'zod/v4/core';
import { InvalidInputError } from './errors';
import { formatPath } from './domain/spec/issues';

/**
 * Parses a Lambda event with its schema at the edge; a bad event becomes a named `InvalidInput` error listing
 * each path, never a zod error Step Functions could not match.
 */
export function parseEvent<S extends $ZodType>(schema: S, event: unknown, what: string): output<S> {
  // zod's core parse: the same for a full zod schema and a zod/mini one (the lean functions' schemas are the latter).
  const parsed = safeParse(schema, event);
  if (parsed.success) return parsed.data;
  throw new InvalidInputError(`invalid ${what}`, parsed.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })));
}

/**
 * Lazily builds a handler's dependencies once per container (cold start), on first use, so importing a handler
 * module builds nothing a test cannot replace and a bad environment fails the first invocation with `ConfigError`.
 *
 * A Lambda container runs one function in one region, so its `AWS_LAMBDA_FUNCTION_NAME` and `AWS_REGION` never
 * change: on Lambda this builds exactly once. The value is kept per (region, function) all the same, so a process
 * that hosts several functions or regions sharing one loaded module (the local cloud runs the orchestrator of two
 * regions in one process) gives each its own clients, Consul address and mesh, as separate containers would, instead
 * of the first one's to all.
 */
export function lazy<T>(make: () => T): () => T {
  const made = new Map<string, T>();
  return () => {
    const container = `${process.env.AWS_REGION ?? ''}\u0000${process.env.AWS_LAMBDA_FUNCTION_NAME ?? ''}`;
    if (!made.has(container)) made.set(container, make());
    return made.get(container) as T;
  };
}
