/** The in-process Lambda runtime of the local cloud. */
export { LambdaRuntime, MAX_SYNC_PAYLOAD_BYTES, MAX_ASYNC_PAYLOAD_BYTES } from './runtime';
export type { LambdaFunction, LambdaRuntimeOptions } from './runtime';
export { DEFAULT_ASYNC_RETRY_DELAYS_MS, type AsyncFailureRecord } from './async-invocations';
export type { LambdaContext } from './context';
export type { LambdaHandler } from './handler-loader';
export { functionArn, parseFunctionReference } from './arns';
export { LambdaServiceError, LambdaTimeoutError, LambdaRuntimeError, ResponseSizeTooLargeError } from './errors';
export { RegionalLambdas } from './regions';
