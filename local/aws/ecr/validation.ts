/**
 * Input validation for the ECR operations. ECR reports constraint violations as
 * `InvalidParameterException: Invalid parameter at '<member>' failed to satisfy constraint: '<rule>'`.
 */
import type { z } from 'zod';
import { AwsServiceError } from '../protocol';

export function invalidParameter(member: string, rule: string): AwsServiceError {
  return new AwsServiceError(
    'InvalidParameterException',
    `Invalid parameter at '${member}' failed to satisfy constraint: '${rule}'`,
  );
}

/** Parse an operation's input with its schema or throw ECR's `InvalidParameterException` for the first problem. */
export function parseInput<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw invalidParameter(issue.path.join('.') || 'input', issue.message);
}
