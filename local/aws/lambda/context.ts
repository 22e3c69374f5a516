/**
 * The context object the Node.js Lambda runtime passes as the handler's second argument.
 * (Lambda Developer Guide, "Using the Lambda context object to retrieve Node.js function information".)
 */
import { randomBytes } from 'node:crypto';

export interface LambdaContext {
  callbackWaitsForEmptyEventLoop: boolean;
  readonly functionName: string;
  readonly functionVersion: string;
  readonly invokedFunctionArn: string;
  /** A string in the Node.js runtime (`'1024'`). */
  readonly memoryLimitInMB: string;
  readonly awsRequestId: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
  getRemainingTimeInMillis(): number;
}

export interface ContextInput {
  readonly functionName: string;
  readonly invokedFunctionArn: string;
  readonly memorySize: number;
  readonly requestId: string;
  readonly logStreamName: string;
  /** Epoch ms at which the invocation times out. */
  readonly deadline: number;
}

export function buildLambdaContext(input: ContextInput): LambdaContext {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: input.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: input.invokedFunctionArn,
    memoryLimitInMB: String(input.memorySize),
    awsRequestId: input.requestId,
    logGroupName: `/aws/lambda/${input.functionName}`,
    logStreamName: input.logStreamName,
    getRemainingTimeInMillis: () => Math.max(0, input.deadline - Date.now()),
  };
}

/** One stream per sandbox, named as Lambda names them: `2024/05/01/[$LATEST]<32 hex digits>`. */
export function newLogStreamName(now = new Date()): string {
  const day = now.toISOString().slice(0, 10).replace(/-/g, '/');
  return `${day}/[$LATEST]${randomBytes(16).toString('hex')}`;
}
