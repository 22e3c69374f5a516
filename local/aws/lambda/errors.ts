/**
 * Errors of the Lambda service itself (as opposed to errors a handler throws, which pass through unchanged so
 * their `name` is what a Step Functions `Retry`/`Catch` matches).
 */
import { AwsServiceError } from '../protocol';

/** An error the Lambda API answers with (`ResourceNotFoundException`, `RequestTooLargeException`, ...). */
export class LambdaServiceError extends AwsServiceError {}

export function functionNotFound(arn: string): LambdaServiceError {
  return new LambdaServiceError('ResourceNotFoundException', `Function not found: ${arn}`, 404);
}

/**
 * The function ran longer than its timeout. Lambda reports `errorType: "Sandbox.Timedout"` and the message
 * `RequestId: <id> Error: Task timed out after 3.00 seconds`; Step Functions surfaces it as the error
 * `Sandbox.Timedout`, which `Retry`/`Catch` can match.
 */
export class LambdaTimeoutError extends Error {
  override readonly name = 'Sandbox.Timedout';
  constructor(requestId: string, timeoutSeconds: number) {
    super(`RequestId: ${requestId} Error: Task timed out after ${timeoutSeconds.toFixed(2)} seconds`);
  }
}

/** Module or export missing: Lambda's `Runtime.ImportModuleError` / `Runtime.HandlerNotFound`. */
export class LambdaRuntimeError extends Error {
  constructor(
    override readonly name: 'Runtime.ImportModuleError' | 'Runtime.HandlerNotFound' | 'Runtime.MalformedHandlerName',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The function returned more than the 6 MB a synchronous invocation may carry. */
export class ResponseSizeTooLargeError extends Error {
  override readonly name = 'Function.ResponseSizeTooLarge';
}

/** What a handler rejected with, as an Error; a thrown string or object becomes an `Error` carrying its text. */
export function asError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  const error = new Error(typeof thrown === 'string' ? thrown : JSON.stringify(thrown));
  return error;
}
