/**
 * Reading request members at the edge, with AWS's validation wording
 * (`1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null`).
 */
import { AwsServiceError, type OperationInput } from '../protocol';
import { violationMessage } from '../validation';

/** AWS's `ValidationException` (400). */
export function validationError(message: string): AwsServiceError {
  return new AwsServiceError('ValidationException', message, 400);
}

/** AWS names members in these messages in lower camel case (`eventBusName`). */
function memberName(key: string): string {
  return key.charAt(0).toLowerCase() + key.slice(1);
}

function constraintError(key: string, value: unknown, constraint: string): AwsServiceError {
  return validationError(violationMessage([{ member: memberName(key), value, constraint }]));
}

/** A string member, or undefined when absent; another type is a validation error. */
export function optionalString(input: OperationInput, key: string): string | undefined {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw constraintError(key, value, 'Member must be a string');
  return value;
}

/** A string member that must be present. */
export function requireString(input: OperationInput, key: string): string {
  const value = optionalString(input, key);
  if (value === undefined) throw constraintError(key, undefined, 'Member must not be null');
  return value;
}

/** Rule names and target ids: `[\.\-_A-Za-z0-9]+`, 1 to 64 characters. */
export function requireName(input: OperationInput, key: string): string {
  const value = requireString(input, key);
  if (!/^[.\-_A-Za-z0-9]{1,64}$/.test(value)) {
    throw constraintError(key, value, 'Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+');
  }
  return value;
}

/** A list member that must be present, with a length in `[min, max]`. */
export function requireList(input: OperationInput, key: string, min: number, max: number): unknown[] {
  const value = input[key];
  if (value === undefined || value === null) throw constraintError(key, undefined, 'Member must not be null');
  if (!Array.isArray(value)) throw constraintError(key, value, 'Member must be a list');
  if (value.length < min) throw constraintError(key, value, `Member must have length greater than or equal to ${min}`);
  if (value.length > max) throw constraintError(key, value, `Member must have length less than or equal to ${max}`);
  return value;
}

/** A page size (`Limit`) in `[1, max]`; `max` when absent. */
export function optionalLimit(input: OperationInput, key: string, max = 100): number {
  const value = input[key];
  if (value === undefined || value === null) return max;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw constraintError(key, value, `Member must have value between 1 and ${max}`);
  }
  return value;
}

/** Opaque pagination tokens: the offset of the next item. */
export function encodeNextToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString('base64url');
}

/** The offset a token points at (0 without a token); an unreadable token is a validation error. */
export function decodeNextToken(token: string | undefined): number {
  if (token === undefined) return 0;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    const offset = typeof parsed === 'object' && parsed !== null ? (parsed as { offset?: unknown }).offset : undefined;
    if (typeof offset === 'number' && Number.isInteger(offset) && offset >= 0) return offset;
  } catch {
    // fall through: AWS answers any unreadable token the same way
  }
  throw validationError('The NextToken provided is invalid.');
}

/** One page of `items` from a token, with the token of the next page if any. */
export function paginate<T>(items: readonly T[], input: OperationInput): { page: T[]; nextToken?: string } {
  const offset = decodeNextToken(optionalString(input, 'NextToken'));
  const limit = optionalLimit(input, 'Limit');
  const page = items.slice(offset, offset + limit);
  const next = offset + limit;
  return next < items.length ? { page, nextToken: encodeNextToken(next) } : { page };
}
