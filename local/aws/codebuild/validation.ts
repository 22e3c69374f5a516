/** Input validation for the CodeBuild operations: CodeBuild answers bad input with `InvalidInputException`. */
import type { z } from 'zod';
import { AwsServiceError } from '../protocol';
import { parseRequest } from '../validation';

export function invalidInput(message: string): AwsServiceError {
  return new AwsServiceError('InvalidInputException', message);
}

/** Parse an operation's input with its schema; violations are worded as AWS words them (`../validation`). */
export function parseInput<T>(schema: z.ZodType<T>, input: unknown): T {
  return parseRequest(schema, input, 'InvalidInputException');
}
