/**
 * Input validation for the EventBridge operations: every violation of the model in one `ValidationException`
 * (`1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null`,
 * worded by `../validation`).
 */
import { AwsServiceError } from '../protocol';
import { inputParser, VALIDATION_ERRORS } from '../validation';

/** Parse an operation's input with its schema or throw the AWS-style `ValidationException`. */
export const parseInput = inputParser(VALIDATION_ERRORS);

/** The plain `ValidationException` EventBridge answers for its own rules, checked after the model's. */
export function validationError(message: string): AwsServiceError {
  return new AwsServiceError('ValidationException', message, 400);
}
