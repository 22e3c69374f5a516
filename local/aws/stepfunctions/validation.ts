/** Request members as the Step Functions API checks them: missing required members are `ValidationException`s. */
import { AwsServiceError, type OperationInput } from '../protocol';
import { validationException } from '../validation';

export function requireMember(input: OperationInput, member: string): unknown {
  const value = input[member];
  if (value === undefined || value === null) {
    throw validationException([{ member, value: undefined, constraint: 'Member must not be null' }]);
  }
  return value;
}

export function optionalString(input: OperationInput, member: string, maxLength?: number): string | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new AwsServiceError('ValidationException', `Value at '${member}' must be a string`);
  if (maxLength !== undefined && value.length > maxLength) {
    throw validationException([{ member, value, constraint: `Member must have length less than or equal to ${maxLength}`, sensitive: true }]);
  }
  return value;
}

/** IAM role ARNs (`roleArn` of CreateStateMachine): anything else is `InvalidArn`. */
export function validateRoleArn(value: unknown): string {
  if (typeof value !== 'string' || !/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/.test(value)) {
    throw new AwsServiceError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${String(value)}'`);
  }
  return value;
}
