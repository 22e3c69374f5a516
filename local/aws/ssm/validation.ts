/**
 * Input validation for the SSM operations, answered the way AWS's request validation answers:
 * `ValidationException: N validation error(s) detected: Value at 'x' failed to satisfy constraint: ...`.
 */
import type { z } from 'zod';
import { AwsServiceError } from '../protocol';

/** Parse an operation's input with its schema or throw the AWS-style `ValidationException`. */
export function parseInput<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map(
    (issue) => `Value at '${issue.path.join('.') || 'input'}' failed to satisfy constraint: ${issue.message}`,
  );
  const plural = problems.length === 1 ? '' : 's';
  throw new AwsServiceError(
    'ValidationException',
    `${problems.length} validation error${plural} detected: ${problems.join('; ')}`,
  );
}

/** The plain `ValidationException` AWS answers for rule violations found after request validation. */
export function validationError(message: string): AwsServiceError {
  return new AwsServiceError('ValidationException', message);
}
