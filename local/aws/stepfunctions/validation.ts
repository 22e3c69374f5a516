/**
 * Input validation for the Step Functions operations: every violation of the model in one `ValidationException`
 * (`1 validation error detected: Value null at 'executionArn' failed to satisfy constraint: Member must not be null`,
 * worded by `../validation`), the values of the members the model marks sensitive left out.
 */
import { AwsServiceError } from '../protocol';
import { inputParser } from '../validation';

/** The members Step Functions' model marks sensitive (`SensitiveData`, `SensitiveError`, `SensitiveCause`, ...). */
const SENSITIVE = new Set(['definition', 'input', 'error', 'cause', 'versionDescription']);

/** Parse an operation's input with its schema or throw the AWS-style `ValidationException`. */
export const parseInput = inputParser({ wording: 'validation-errors', code: 'ValidationException', sensitive: SENSITIVE });

/** IAM role ARNs (`roleArn` of CreateStateMachine): anything else is `InvalidArn`. */
export function validateRoleArn(value: string): string {
  if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/.test(value)) {
    throw new AwsServiceError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${value}'`);
  }
  return value;
}
