/**
 * Input validation for the ECR operations. ECR reports constraint violations as
 * `InvalidParameterException: Invalid parameter at '<member>' failed to satisfy constraint: '<rule>'`.
 */
import { AwsServiceError } from '../protocol';
import { inputParser } from '../validation';

export function invalidParameter(member: string, rule: string): AwsServiceError {
  return new AwsServiceError(
    'InvalidParameterException',
    `Invalid parameter at '${member}' failed to satisfy constraint: '${rule}'`,
  );
}

/** Parse an operation's input with its schema or throw ECR's `InvalidParameterException` for the first problem. */
export const parseInput = inputParser({ wording: 'invalid-parameter' });
