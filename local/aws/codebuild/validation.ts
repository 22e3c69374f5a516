/** Input validation for the CodeBuild operations: CodeBuild answers bad input with `InvalidInputException`. */
import { AwsServiceError } from '../protocol';
import { inputParser } from '../validation';

export function invalidInput(message: string): AwsServiceError {
  return new AwsServiceError('InvalidInputException', message);
}

/** Parse an operation's input with its schema; violations are worded as AWS words them (`../validation`). */
export const parseInput = inputParser({ wording: 'validation-errors', code: 'InvalidInputException' });
