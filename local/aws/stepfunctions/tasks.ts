/**
 * The Task resources the local Step Functions runs, and how it runs them: on the in-process Lambda runtime.
 *
 * - A Lambda function ARN as `Resource` (what `{"Fn::GetAtt": ["work", "Arn"]}` resolves to): the state's input
 *   is the event, the function's result is the state's result.
 * - `arn:aws:states:::lambda:invoke` (the optimised integration): `Parameters.FunctionName` names the function,
 *   `Parameters.Payload` is the event, and the result is the Invoke API's response, `{ExecutedVersion, Payload,
 *   SdkHttpMetadata, SdkResponseMetadata, StatusCode}`.
 *
 * A function's error becomes the state's error as on AWS: `Error` is the error's name (its `errorType`), `Cause`
 * the JSON `{"errorType", "errorMessage", "trace"}`; errors of the Lambda service itself are prefixed `Lambda.`
 * (`Lambda.ResourceNotFoundException`), which is what the `Retry` blocks of the ASL name.
 */
import { randomUUID } from 'node:crypto';
import { setImmediate as nextMacrotask } from 'node:timers/promises';
import { AwsServiceError } from '../protocol';
import { DataLimitExceededError, dataLimitMessage, MAX_PAYLOAD_BYTES, payloadBytes } from './limits';

export type TaskTarget =
  | { readonly kind: 'lambda'; readonly resource: string }
  | { readonly kind: 'lambda:invoke'; readonly resource: string };

/** What Step Functions needs from Lambda: a narrow view of the local Lambda runtime. */
/**
 * Authorizes a Task state's invocation with the state machine's role (lambda:InvokeFunction); throws the error the
 * Task fails with when the role may not.
 */
export type InvokeAuthorizer = (caller: { roleArn: string; executionArn: string }, functionReference: string) => void;

export interface LambdaInvoker {
  /** Synchronous invocation by name, partial or full ARN; rejects with the handler's error. */
  invokeByArn(functionArn: string, event: unknown): Promise<unknown>;
  /** Asynchronous invocation (`InvocationType: Event` in `lambda:invoke`). */
  invokeAsync?(functionArn: string, event: unknown): Promise<unknown>;
}

const LAMBDA_FUNCTION_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(?::[A-Za-z0-9_$-]+)?$/;
const LAMBDA_INVOKE = /^arn:aws[a-z-]*:states:::lambda:invoke$/;

/** The target of a Task's `Resource`, or undefined when the local cloud cannot run it. */
export function parseTaskResource(resource: unknown): TaskTarget | undefined {
  if (typeof resource !== 'string') return undefined;
  if (LAMBDA_FUNCTION_ARN.test(resource)) return { kind: 'lambda', resource };
  if (LAMBDA_INVOKE.test(resource)) return { kind: 'lambda:invoke', resource };
  return undefined;
}

/**
 * The error a failed task raises inside the execution: `name` is the ASL error name `Retry`/`Catch` match,
 * `message` the cause (aws-local-stepfunctions puts `{Error: name, Cause: message}` in a catcher's output).
 */
export class TaskError extends Error {
  constructor(
    override readonly name: string,
    cause: string,
  ) {
    super(cause);
  }
}

/** The state's error for what the invocation rejected with. */
export function toTaskError(thrown: unknown): Error {
  if (thrown instanceof DataLimitExceededError) return thrown;
  if (thrown instanceof AwsServiceError) {
    return new TaskError(`Lambda.${thrown.code}`, `${thrown.message} (Service: AWSLambda; Status Code: ${thrown.statusCode}; Error Code: ${thrown.code}; Request ID: ${randomUUID()})`);
  }
  const error = thrown instanceof Error ? thrown : new Error(String(thrown));
  const trace = (error.stack ?? '').split('\n').map((line) => line.trimEnd());
  return new TaskError(error.name, JSON.stringify({ errorType: error.name, errorMessage: error.message, trace }));
}

/** Observes one task attempt, for the execution's history. */
export interface TaskObserver {
  scheduled(input: unknown): void;
  succeeded(output: unknown): void;
  failed(error: string, cause: string): void;
}

function checkSize(payload: unknown, what = 'Lambda function result'): void {
  const bytes = payloadBytes(JSON.stringify(payload ?? null));
  if (bytes > MAX_PAYLOAD_BYTES) throw new DataLimitExceededError(dataLimitMessage(what, bytes));
}

async function invokeTarget(target: TaskTarget, input: unknown, lambda: LambdaInvoker): Promise<unknown> {
  if (target.kind === 'lambda') return lambda.invokeByArn(target.resource, input);
  const parameters = (input ?? {}) as Record<string, unknown>;
  const functionName = parameters.FunctionName;
  if (typeof functionName !== 'string') throw new TaskError('States.Runtime', 'The field "FunctionName" must be a string.');
  const requestId = randomUUID();
  const metadata = {
    SdkHttpMetadata: { HttpHeaders: { 'X-Amz-Executed-Version': '$LATEST', 'x-amzn-RequestId': requestId }, HttpStatusCode: 200 },
    SdkResponseMetadata: { RequestId: requestId },
  };
  const event = parameters.Payload ?? {};
  if (parameters.InvocationType === 'Event') {
    if (!lambda.invokeAsync) throw new TaskError('Lambda.InvalidParameterValueException', 'Asynchronous invocation is not available locally.');
    await lambda.invokeAsync(functionName, event);
    return { ...metadata, Payload: '', StatusCode: 202 };
  }
  const payload = await lambda.invokeByArn(functionName, event);
  return { ExecutedVersion: '$LATEST', Payload: payload, ...metadata, StatusCode: 200 };
}

/**
 * The local handler aws-local-stepfunctions calls instead of the Task's resource. It first yields one macrotask:
 * the engine announces the state (`StateEntered`) through an async event log, and the history must show the
 * state entered before its task is scheduled.
 */
export function buildTaskHandler(target: TaskTarget, lambda: LambdaInvoker, observe: () => TaskObserver) {
  return async (input: unknown): Promise<unknown> => {
    await nextMacrotask();
    const observer = observe();
    observer.scheduled(input);
    let result: unknown;
    try {
      // The task's input (its Parameters applied) is held to the same 256 KB as a state's output.
      checkSize(input, 'input of the task');
      result = await invokeTarget(target, input, lambda);
      checkSize(result);
    } catch (thrown) {
      const error = toTaskError(thrown);
      observer.failed(error.name, error.message);
      throw error;
    }
    observer.succeeded(result);
    return result;
  };
}
