import { HttpError, MethodNotAllowedError, NotFoundError as RouteNotFoundError, RequestValidationError, RouteMatchingError } from '@aws-lambda-powertools/event-handler/http';
import type { SpecIssue } from '../domain/spec/issues';
import { formatPath } from '../domain/spec/issues';
import type { ErrorName } from '../errors';

/**
 * The one place errors become HTTP answers (as Powertools' HttpError and Middy's http-error-handler do): the
 * errors callers can act on map to their 4xx with `{ error: { code, message, details? } }`; a dependency that is
 * down is 503; anything else is a 500 whose body says nothing and whose details go to the log in full.
 */
export interface ErrorBody {
  error: { code: string; message: string; details?: SpecIssue[] };
}

export interface MappedError {
  statusCode: number;
  body: ErrorBody;
  /** True for the 5xx answers: the error is logged in full (never for bad input). */
  unexpected: boolean;
}

/** Error names of layers/errors.ts (and Step Functions' ExecutionAlreadyExists) → status: a name that is not one fails to compile. */
const CLIENT_ERRORS: Partial<Record<ErrorName | 'ExecutionAlreadyExists', number>> = {
  InvalidInput: 400,
  SpecInvalid: 400,
  RotationNotSupported: 400,
  Unauthorized: 401,
  NotFound: 404,
  ConcurrentOperation: 409,
  AlreadyEnded: 409,
  // StartExecution of a name already used with another input (two identical requests racing): a conflict.
  ExecutionAlreadyExists: 409,
  PayloadTooLarge: 413,
  UnsupportedMediaType: 415,
};

/** A dependency that is down or throttling after the SDK's own retries: try again later. */
const UNAVAILABLE = new Set(['ConsulUnavailable', 'ThrottlingException', 'ServiceUnavailable', 'TooManyRequestsException']);

export function mapError(error: unknown): MappedError {
  if (!(error instanceof Error)) return internal();
  if (error instanceof RequestValidationError) {
    const issues = (error.details as { issues?: Array<{ path?: ReadonlyArray<PropertyKey>; message: string }> } | undefined)?.issues ?? [];
    const details = issues.length > 0 ? issues.map((i) => ({ path: formatPath(i.path ?? []), message: i.message })) : [{ path: 'body', message: 'is not valid JSON' }];
    return client(400, 'InvalidInput', 'the request is invalid', details);
  }
  if (error instanceof RouteNotFoundError) return client(404, 'NotFound', 'no such route');
  // A path the router cannot match to a resource (e.g. a parameter that is only blanks, `/deployments/%20`:
  // ParameterValidationError) names nothing.
  if (error instanceof RouteMatchingError) return client(404, 'NotFound', 'no such resource: the path does not name one');
  // The router decodes path parameters with decodeURIComponent: a malformed %-escape is the caller's.
  if (error instanceof URIError) return client(400, 'InvalidInput', 'the path has a malformed percent-encoding');
  if (error instanceof MethodNotAllowedError) return client(405, 'MethodNotAllowed', 'method not allowed on this route');
  const status = CLIENT_ERRORS[error.name as ErrorName];
  // SpecInvalid's message lists every issue on its own line; the answer lists them in `details`.
  if (status !== undefined) return client(status, error.name, error.message.split('\n')[0], issuesOf(error));
  if (error instanceof HttpError && error.statusCode < 500) return client(error.statusCode, error.name, error.message);
  if (UNAVAILABLE.has(error.name)) {
    return { statusCode: 503, body: { error: { code: 'ServiceUnavailable', message: 'a service the API depends on is unavailable; try again shortly' } }, unexpected: true };
  }
  return internal();
}

function client(statusCode: number, code: string, message: string, details?: SpecIssue[]): MappedError {
  return { statusCode, body: { error: { code, message, ...(details && details.length > 0 ? { details } : {}) } }, unexpected: false };
}

function internal(): MappedError {
  return { statusCode: 500, body: { error: { code: 'InternalError', message: 'internal error' } }, unexpected: true };
}

/** SpecInvalid and InvalidInput carry their issues, each naming a path. */
function issuesOf(error: Error): SpecIssue[] | undefined {
  const issues = (error as { issues?: unknown }).issues;
  return Array.isArray(issues) ? (issues as SpecIssue[]) : undefined;
}
