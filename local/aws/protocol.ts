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
