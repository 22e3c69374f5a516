/**
 * Request validation worded as AWS words it. Every AWS JSON service checks the members of a request against the
 * constraints of its model (length, range, pattern, enum, required) before the operation runs, and answers with
 * one message for all violations, in member order:
 *
 * `1 validation error detected: Value 'x…' at 'name' failed to satisfy constraint: Member must have length less than or equal to 2048`
 * `2 validation errors detected: Value null at 'name' failed to satisfy constraint: Member must not be null; Value '60' at 'maxResults' ...`
 *
 * Members are named in lower camel case; a member of the n-th structure of a list is `tags.1.member.key`
 * (1-based), and a violation by an element of a list of strings is reported on the list itself
 * (`Value '[a, b]' at 'names' failed to satisfy constraint: Member must satisfy constraint: [...]`).
 * A value of the wrong JSON type never reaches validation: the service cannot deserialize the request and answers
 * `SerializationException`.
 *
 * The services' zod schemas go through {@link parseInput}, the hand-written checks through
 * {@link violationMessage}; both word their messages here, so the wording lives in one place.
 */
import type { z } from 'zod';
import { AwsServiceError } from './protocol';

/** One member that failed one constraint. */
export interface ConstraintViolation {
  /** The member as AWS names it (`parameterFilters.1.member.key`). */
  readonly member: string;
  /** The value received; `undefined` for a missing member (shown as `null`). */
  readonly value: unknown;
  /** AWS's wording of the constraint (`Member must have length less than or equal to 2048`). */
  readonly constraint: string;
  /** A member AWS marks sensitive (an execution's input, a secret): its value is left out (`Value at 'input'`). */
  readonly sensitive?: boolean;
}

/** How AWS shows a value: `null`, `'text'`, `'60'`, `'[a, b]'`. */
export function renderValue(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (Array.isArray(value)) return `'[${value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ')}]'`;
  if (typeof value === 'object') return `'${JSON.stringify(value)}'`;
  return `'${String(value)}'`;
}

/** `N validation error(s) detected: ...; ...`. */
export function violationMessage(violations: readonly ConstraintViolation[]): string {
  const plural = violations.length === 1 ? '' : 's';
  const parts = violations.map(
    (v) => `Value ${v.sensitive ? '' : `${renderValue(v.value)} `}at '${v.member}' failed to satisfy constraint: ${v.constraint}`,
  );
  return `${violations.length} validation error${plural} detected: ${parts.join('; ')}`;
}

/** The error for violations found by hand-written checks: `ValidationException` unless the service names it otherwise. */
export function validationException(violations: readonly ConstraintViolation[], code = 'ValidationException'): AwsServiceError {
  return new AwsServiceError(code, violationMessage(violations));
}

/** AWS names members in lower camel case (`MaxResults` → `maxResults`). */
function memberName(key: string): string {
  return key.charAt(0).toLowerCase() + key.slice(1);
}

/** A zod issue, as much of it as the wording needs (zod 4's issue union, read structurally). */
interface Issue {
  readonly code: string;
  readonly path: readonly PropertyKey[];
  readonly message: string;
  readonly input?: unknown;
  readonly origin?: string;
  readonly maximum?: number | bigint;
  readonly minimum?: number | bigint;
  readonly values?: readonly unknown[];
  readonly pattern?: string;
  readonly expected?: string;
}

/** The constraint an issue violates, in AWS's words. A schema's own message starting `Member must` is kept. */
function constraintOf(issue: Issue): string {
  if (issue.message.startsWith('Member must')) return issue.message;
  const measured = issue.origin === 'number' || issue.origin === 'int' || issue.origin === 'bigint' ? 'value' : 'length';
  switch (issue.code) {
    case 'too_big':
      return `Member must have ${measured} less than or equal to ${String(issue.maximum)}`;
    case 'too_small':
      return `Member must have ${measured} greater than or equal to ${String(issue.minimum)}`;
    case 'invalid_value':
      return `Member must satisfy enum value set: [${(issue.values ?? []).map(String).join(', ')}]`;
    case 'invalid_format':
      return `Member must satisfy regular expression pattern: ${(issue.pattern ?? '').replace(/^\/\^?|\$?\/[a-z]*$/g, '')}`;
    case 'invalid_type':
      return 'Member must not be null';
    default:
      return issue.message;
  }
}

/** Reads the value at `path` of the request (the list itself for an element of a list of scalars). */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** Turns a zod issue into the violation AWS reports (see the module comment for the member naming). */
function violationOf(issue: Issue, input: unknown): ConstraintViolation {
  const path = [...issue.path];
  // An element of a list of scalars: AWS reports the list (`Member must satisfy constraint: [...]`).
  if (typeof path[path.length - 1] === 'number') {
    const listPath = path.slice(0, -1);
    return {
      member: memberPath(listPath),
      value: valueAt(input, listPath),
      constraint: `Member must satisfy constraint: [${constraintOf(issue)}]`,
    };
  }
  return { member: memberPath(path), value: issue.code === 'invalid_type' ? undefined : valueAt(input, path), constraint: constraintOf(issue) };
}

/** `['ParameterFilters', 0, 'Key']` → `parameterFilters.1.member.key`. */
function memberPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return 'input';
  return path.map((key) => (typeof key === 'number' ? `${key + 1}.member` : memberName(String(key)))).join('.');
}

/** The JSON type of a received value, as the deserializer names it. */
function jsonType(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  return typeof value;
}

/**
 * The `SerializationException` AWS answers for a member of the wrong JSON type (it fails before validation).
 * Worded from the issue's expected type, not its message: a schema's message words a constraint, not a type.
 */
function serializationError(issue: Issue): AwsServiceError {
  return new AwsServiceError('SerializationException', `Cannot deserialize '${memberPath(issue.path)}': expected ${issue.expected ?? 'another type'}, received ${jsonType(issue.input)}`);
}

/**
 * How a service answers a request its model refuses. Most AWS JSON services list every violation
 * (`N validation errors detected: ...`) under `ValidationException`, CodeBuild under `InvalidInputException`; ECR
 * answers the first one alone, `InvalidParameterException: Invalid parameter at '<member>' failed to satisfy
 * constraint: '<rule>'`, with the rule as the schema words it (`must have length between 2 and 256`). ECS checks
 * its requests in the service, not against its model: it answers the first problem alone in its own words
 * (`InvalidParameterException: Tasks cannot be empty.`), which its schemas carry as their messages
 * (`service-message`). A member of the wrong JSON type is a `SerializationException` in every style but ECR's.
 *
 * `sensitive` names the members (as AWS names them: `input`, `cause`) whose value the message leaves out
 * (`Value at 'input' failed to satisfy constraint: ...`), as the service does for members its model marks sensitive.
 */
export type InputErrorStyle =
  | { readonly wording: 'validation-errors'; readonly code: string; readonly sensitive?: ReadonlySet<string> }
  | { readonly wording: 'invalid-parameter' }
  | { readonly wording: 'service-message'; readonly code: string };

/** The common answer: `ValidationException: N validation error(s) detected: ...`. */
export const VALIDATION_ERRORS: InputErrorStyle = { wording: 'validation-errors', code: 'ValidationException' };

/**
 * The request without its `null` members: the AWS JSON protocols read a member sent as `null` as a member not
 * sent (Smithy's awsJson1_0/1_1: "null values ... are treated as if the member was not set"), so an optional one
 * is simply absent and a required one is missing (`Value null at 'name' ... Member must not be null`).
 * Elements of lists are kept as they are.
 */
function withoutNullMembers(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNullMembers);
  if (value === null || typeof value !== 'object') return value;
  const copy: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) if (member !== null) copy[key] = withoutNullMembers(member);
  return copy;
}

/**
 * Parses an operation's input with its schema: the one request validation of every provider that validates with a
 * schema. A member of the wrong type is a `SerializationException` (the service cannot deserialize the request);
 * constraint violations are one error worded as the service words them (`style`).
 *
 * @example parseInput(schemas.getParameterInput, input) // throws ValidationException: 1 validation error detected: ...
 */
export function parseInput<T>(schema: z.ZodType<T>, input: unknown, style: InputErrorStyle = VALIDATION_ERRORS): T {
  input = withoutNullMembers(input);
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success) return result.data;
  const issues = result.error.issues as readonly Issue[];
  if (style.wording === 'invalid-parameter') {
    const issue = issues[0];
    throw new AwsServiceError('InvalidParameterException', `Invalid parameter at '${issue.path.map(String).join('.') || 'input'}' failed to satisfy constraint: '${issue.message}'`);
  }
  const wrongType = issues.find((issue) => issue.code === 'invalid_type' && issue.input !== undefined && issue.input !== null);
  if (wrongType) throw serializationError(wrongType);
  if (style.wording === 'service-message') throw new AwsServiceError(style.code, issues[0].message);
  const seen = new Set<string>();
  const violations = issues
    .map((issue) => violationOf(issue, input))
    .map((violation) => (style.sensitive?.has(violation.member) ? { ...violation, sensitive: true } : violation))
    .filter((violation) => {
      const key = `${violation.member}\u0000${violation.constraint}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  throw new AwsServiceError(style.code, violationMessage(violations));
}

/** {@link parseInput} bound to a service's style, for its provider: `const parseInput = inputParser(ECR_STYLE)`. */
export function inputParser(style: InputErrorStyle): <T>(schema: z.ZodType<T>, input: unknown) => T {
  return (schema, input) => parseInput(schema, input, style);
}
