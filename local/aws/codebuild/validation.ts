/** Input validation for the CodeBuild operations: CodeBuild answers bad input with `InvalidInputException`. */
import type { z } from 'zod';
import { AwsServiceError } from '../protocol';

export function invalidInput(message: string): AwsServiceError {
  return new AwsServiceError('InvalidInputException', message);
}

export function parseInput<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map(
    (issue) => `Value at '${issue.path.join('.') || 'input'}' failed to satisfy constraint: ${issue.message}`,
  );
  const plural = problems.length === 1 ? '' : 's';
  throw invalidInput(`${problems.length} validation error${plural} detected: ${problems.join('; ')}`);
}
