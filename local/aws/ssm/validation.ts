/**
 * Input validation for the SSM operations, answered the way AWS's request validation answers
 * (`ValidationException: N validation error(s) detected: Value '...' at 'name' failed to satisfy constraint: ...`,
 * worded by `../validation`).
 */
import { AwsServiceError } from '../protocol';
import { inputParser, VALIDATION_ERRORS } from '../validation';

/** Parse an operation's input with its schema or throw the AWS-style `ValidationException`. */
export const parseInput = inputParser(VALIDATION_ERRORS);

/** The plain `ValidationException` AWS answers for rule violations found after request validation. */
export function validationError(message: string): AwsServiceError {
  return new AwsServiceError('ValidationException', message);
}
