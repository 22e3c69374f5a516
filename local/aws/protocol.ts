/**
 * The contract between the local AWS endpoint (`local/aws/server.ts`) and the emulated services.
 *
 * Organised like LocalStack: each service is a provider with one method per API operation and a store.
 * The server dispatches `X-Amz-Target: <targetPrefix>.<Operation>` to `operations[Operation]`.
 */

/** An AWS error as the JSON protocols send it: HTTP status plus `{"__type": code, "message": ...}`. */
export class AwsServiceError extends Error {
  override readonly name: string;
  constructor(
    readonly code: string,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
    this.name = code;
  }
}

/** What every operation knows about the call that reached it. */
export interface RequestContext {
  readonly region: string;
  readonly accountId: string;
  readonly requestId: string;
}

export type OperationInput = Record<string, unknown>;
export type OperationHandler = (input: OperationInput, ctx: RequestContext) => unknown | Promise<unknown>;

export interface ServiceProvider {
  /** e.g. `AmazonEC2ContainerServiceV20141113`, `AWSStepFunctions`. */
  readonly targetPrefix: string;
  /** JSON 1.0 for Step Functions, 1.1 for the others. */
  readonly jsonVersion: '1.0' | '1.1';
  /** The SigV4 service name the SDK signs with (`ecs`, `ssm`, `states`, `events`, `codebuild`, `ecr`). */
  readonly signingName: string;
  /** Operation name → handler. Unknown names are answered by the server with `UnknownOperationException`. */
  readonly operations: Record<string, OperationHandler>;
}

/** The account every local resource belongs to. */
export const LOCAL_ACCOUNT_ID = '000000000000';

/** AWS JSON protocols carry timestamps as epoch seconds (fractional allowed). */
export function toEpochSeconds(date: Date | number): number {
  const ms = typeof date === 'number' ? date : date.getTime();
  return ms / 1000;
}

/** Shorthand for the common 400 `InvalidParameterException`-style errors. */
export function invalidParameter(message: string, code = 'InvalidParameterException'): AwsServiceError {
  return new AwsServiceError(code, message, 400);
}

/** A request to a REST-protocol service (S3): what the endpoint received, body read and signature verified. */
export interface RestRequest {
  readonly method: string;
  /** The path as received, still percent-encoded (`/bucket/some%20key`). */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

/** What a REST-protocol service answers. */
export interface RestResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string | number>>;
  readonly body?: Buffer | string;
}

/**
 * A service of the REST protocols (S3): requests are not `POST /` with `X-Amz-Target` but a method on a path,
 * signed for `signingName`. The endpoint reads the body, verifies SigV4 and hands the request over; errors,
 * including signature failures, are rendered by the provider in its own protocol's shape.
 */
export interface RestServiceProvider {
  readonly signingName: string;
  /** Largest request body accepted. */
  readonly maxBodyBytes: number;
  /** The operation a request calls (`PutObject`, ...), for call counts and fault targets (`S3.PutObject`). */
  operationOf(request: Pick<RestRequest, 'method' | 'path' | 'query'>): string;
  handle(request: RestRequest, ctx: RequestContext): RestResponse | Promise<RestResponse>;
  /** The error reply for anything `handle` or the endpoint threw (an `AwsServiceError` from SigV4 included). */
  errorResponse(error: unknown, request: Pick<RestRequest, 'method' | 'path'>, requestId: string): RestResponse;
}
