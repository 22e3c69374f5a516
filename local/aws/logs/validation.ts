/**
 * Input validation for the CloudWatch Logs operations: every violation of the model in one error, under
 * `InvalidParameterException` (CloudWatch Logs' name for a refused request), worded by `../validation`.
 */
import { inputParser } from '../validation';

/** Parse an operation's input with its schema or throw CloudWatch Logs' `InvalidParameterException`. */
export const parseInput = inputParser({ wording: 'validation-errors', code: 'InvalidParameterException' });
