/**
 * The functions of `serverless.yml`, invoked in this process.
 *
 * Each function gets a sandbox: its handler module, loaded on the first invocation (the cold start), its own
 * environment (see `environment.ts`), its log stream. An invocation receives a JSON copy of the event (Lambda
 * serialises payloads, so a handler cannot mutate its caller's object) and a Node.js context object, runs under
 * the function's timeout, and resolves with a JSON copy of the result or rejects with the handler's own error,
 * unchanged, so its `name` reaches Step Functions' `Retry`/`Catch` and the HTTP API's error mapping.
 *
 * Not emulated: concurrency limits and throttling, versions and aliases (every qualifier runs `$LATEST`), layers,
 * and stopping a handler that timed out (its code keeps running in this process; its result is discarded).
 * Functions whose handlers live in the same file share one loaded module (Node's module cache): its top-level
 * code runs once, with the environment of the first of them invoked, and its module-level state is shared.
 */
import { randomUUID } from 'node:crypto';
import type { FunctionConfig } from '../../serverless/model';
import { functionArn, parseFunctionReference } from './arns';
import { AsyncInvocations, type AsyncFailureRecord } from './async-invocations';
import { buildLambdaContext, newLogStreamName, type LambdaContext } from './context';
import { runWithEnvironment, type SandboxEnvironment } from './environment';
import { asError, functionNotFound, LambdaServiceError, LambdaTimeoutError, ResponseSizeTooLargeError } from './errors';
import { loadHandler, type LambdaHandler } from './handler-loader';
import { installLogCapture, platformLine, runWithLogSink, type LogSink } from './log-capture';

/** The function settings the runtime needs (a `FunctionConfig` from `loadServerlessConfig` has them all). */
export type LambdaFunction = Pick<
  FunctionConfig,
  'key' | 'name' | 'handler' | 'handlerModule' | 'handlerExport' | 'environment' | 'timeout' | 'memorySize'
> &
  Partial<Pick<FunctionConfig, 'maximumRetryAttempts' | 'maximumEventAge'>>;

/** "Invocation payload (request and response): 6 MB each for synchronous" (Lambda quotas). */
export const MAX_SYNC_PAYLOAD_BYTES = 6 * 1024 * 1024;
/** Asynchronous invocations (Event) accept up to 1 MB (Lambda quotas). */
export const MAX_ASYNC_PAYLOAD_BYTES = 1024 * 1024;

export interface LambdaRuntimeOptions {
  /** The region in the functions' ARNs and `AWS_REGION`. */
  readonly region: string;
  /** `LAMBDA_TASK_ROOT`: the application directory. */
  readonly taskRoot?: string;
  /** Waits before the retries of a failed asynchronous invocation; tests shorten them. */
  readonly asyncRetryDelaysMs?: readonly number[];
  /** Called with each on-failure record of an asynchronous invocation (they are also kept: `asyncFailures()`). */
  readonly onAsyncFailure?: (record: AsyncFailureRecord) => void;
  /** Where the runtime reports asynchronous failures (names and messages only, never payloads). */
  readonly logger?: (message: string) => void;
  /**
   * Receives each line a function writes to stdout or stderr, with its log group (`/aws/lambda/<name>`) and stream,
   * as Lambda ships them to CloudWatch Logs (the local cloud hands them to its CloudWatch Logs service).
   */
  readonly onLogLine?: (line: { logGroupName: string; logStreamName: string; timestamp: number; message: string }) => void;
  /** Whether the functions' output also goes to this process's stdout/stderr (all, or the writes a test picks). Default true. */
  readonly echoLogs?: boolean | ((line: string) => boolean);
}

interface Sandbox {
  readonly fn: LambdaFunction;
  readonly arn: string;
  readonly env: SandboxEnvironment;
  readonly logStreamName: string;
  handler?: LambdaHandler;
}

interface Pending {
  reject(error: Error): void;
}

/**
 * @example
 * const runtime = new LambdaRuntime(config.functions, { region: config.region, taskRoot: config.appDir });
 * const result = await runtime.invoke('work', { op: 'sum', values: [1, 2] });
 * await runtime.invokeByArn('arn:aws:lambda:us-east-1:000000000000:function:app-dev-work', event);
 */
export class LambdaRuntime {
  private readonly sandboxes = new Map<string, Sandbox>();
  private readonly pending = new Set<Pending>();
  private readonly asyncInvocations: AsyncInvocations;
  private closed = false;

  constructor(
    functions: readonly LambdaFunction[],
    private readonly options: LambdaRuntimeOptions,
  ) {
    installLogCapture();
    for (const fn of functions) {
      const arn = functionArn(options.region, fn.name);
      const env: SandboxEnvironment = {
        ...fn.environment,
        // The variables the Lambda runtime itself defines; a function cannot override them.
        AWS_REGION: options.region,
        AWS_DEFAULT_REGION: options.region,
        AWS_LAMBDA_FUNCTION_NAME: fn.name,
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
        AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
        AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
        _HANDLER: fn.handler,
        ...(options.taskRoot ? { LAMBDA_TASK_ROOT: options.taskRoot } : {}),
      };
      const logStreamName = newLogStreamName();
      env.AWS_LAMBDA_LOG_STREAM_NAME = logStreamName;
      this.sandboxes.set(fn.name, { fn, arn, env, logStreamName });
    }
    this.asyncInvocations = new AsyncInvocations(async (target, payload) => this.run(this.requireSandbox(target.name), payload), {
      retryDelaysMs: options.asyncRetryDelaysMs,
      onFailure: options.onAsyncFailure,
      logger: options.logger,
    });
  }

  /** The functions this runtime serves. */
  functions(): LambdaFunction[] {
    return [...this.sandboxes.values()].map((sandbox) => sandbox.fn);
  }

  /** The function a key (`work`), name, partial or full ARN designates. */
  find(reference: string): LambdaFunction | undefined {
    return this.sandboxFor(reference)?.fn;
  }

  /** `arn:aws:lambda:<region>:000000000000:function:<name>` of a function of this runtime. */
  arnOf(reference: string): string | undefined {
    return this.sandboxFor(reference)?.arn;
  }

  /**
   * Synchronous invocation (`RequestResponse`): resolves with the handler's result (a JSON copy), rejects with
   * the handler's error unchanged, `Sandbox.Timedout` after the timeout, or a `LambdaServiceError`
   * (`ResourceNotFoundException`, `RequestTooLargeException`) when the call never reached the handler.
   */
  async invoke(reference: string, event: unknown): Promise<unknown> {
    const sandbox = this.requireSandbox(reference);
    const payload = serialize(event);
    if (Buffer.byteLength(payload) > MAX_SYNC_PAYLOAD_BYTES) {
      throw new LambdaServiceError(
        'RequestTooLargeException',
        `Request must be smaller than ${MAX_SYNC_PAYLOAD_BYTES} bytes for the InvokeFunction operation`,
        413,
      );
    }
    return this.run(sandbox, payload);
  }

  /** The same as `invoke`, named for callers that hold an ARN (EventBridge targets, Step Functions tasks). */
  invokeByArn(arn: string, event: unknown): Promise<unknown> {
    return this.invoke(arn, event);
  }

  /**
   * Asynchronous invocation (`Event`): queued at once and run in the background, with Lambda's retries and
   * on-failure records (see `async-invocations.ts`). Resolves with the request id.
   */
  async invokeAsync(reference: string, event: unknown): Promise<{ requestId: string }> {
    const sandbox = this.requireSandbox(reference);
    const payload = serialize(event);
    if (Buffer.byteLength(payload) > MAX_ASYNC_PAYLOAD_BYTES) {
      throw new LambdaServiceError('RequestTooLargeException', `Request must be smaller than ${MAX_ASYNC_PAYLOAD_BYTES} bytes for the InvokeFunction operation`, 413);
    }
    const { fn, arn } = sandbox;
    const requestId = this.asyncInvocations.enqueue({ name: fn.name, arn, maximumRetryAttempts: fn.maximumRetryAttempts, maximumEventAge: fn.maximumEventAge }, payload);
    return { requestId };
  }

  /** On-failure records of asynchronous invocations, oldest first. */
  asyncFailures(): AsyncFailureRecord[] {
    return this.asyncInvocations.failures();
  }

  /** Resolves when no asynchronous invocation is running or waiting for a retry. */
  idle(): Promise<void> {
    return this.asyncInvocations.idle();
  }

  /** Stops retries and fails the invocations still waiting for their handler (the handlers are not killed). */
  async close(): Promise<void> {
    this.closed = true;
    const shutdown = new LambdaServiceError('ServiceException', 'The local Lambda runtime was shut down during the invocation.', 500);
    for (const pending of this.pending) pending.reject(shutdown);
    await this.asyncInvocations.close();
  }

  private sandboxFor(reference: string): Sandbox | undefined {
    const byKey = [...this.sandboxes.values()].find((sandbox) => sandbox.fn.key === reference);
    if (byKey) return byKey;
    const parsed = parseFunctionReference(reference);
    if (!parsed || (parsed.region && parsed.region !== this.options.region)) return undefined;
    return this.sandboxes.get(parsed.name);
  }

  private requireSandbox(reference: string): Sandbox {
    if (this.closed) throw new LambdaServiceError('ServiceException', 'The local Lambda runtime is shut down.', 500);
    const sandbox = this.sandboxFor(reference);
    if (!sandbox) {
      const parsed = parseFunctionReference(reference);
      throw functionNotFound(reference.startsWith('arn:') ? reference : functionArn(this.options.region, parsed?.name ?? reference));
    }
    return sandbox;
  }

  /** The sandbox's output, to its log group and stream (and the terminal unless `echoLogs` is false). */
  private logSink(sandbox: Sandbox): LogSink {
    const { onLogLine, echoLogs } = this.options;
    const logGroupName = `/aws/lambda/${sandbox.fn.name}`;
    return {
      echo: echoLogs ?? true,
      line: (message, timestamp) => onLogLine?.({ logGroupName, logStreamName: sandbox.logStreamName, timestamp, message }),
    };
  }

  private run(sandbox: Sandbox, payload: string): Promise<unknown> {
    const { fn } = sandbox;
    const requestId = randomUUID();
    const deadline = Date.now() + fn.timeout * 1000;
    let timer: NodeJS.Timeout | undefined;
    let entry: Pending | undefined;
    const sink = this.logSink(sandbox);
    platformLine(sink, `START RequestId: ${requestId} Version: $LATEST`);
    const started = Date.now();
    let flush = () => undefined as void;
    const outcome = new Promise<unknown>((resolve, reject) => {
      entry = { reject };
      this.pending.add(entry);
      timer = setTimeout(() => reject(new LambdaTimeoutError(requestId, fn.timeout)), fn.timeout * 1000);
      ({ flush } = runWithLogSink(sink, () => runWithEnvironment(sandbox.env, () => {
        try {
          // The first invocation loads the module: its top-level code runs with the function's environment.
          sandbox.handler ??= loadHandler(fn.handlerModule, fn.handlerExport, fn.handler);
          const context = buildLambdaContext({
            functionName: fn.name,
            invokedFunctionArn: sandbox.arn,
            memorySize: fn.memorySize,
            requestId,
            logStreamName: sandbox.logStreamName,
            deadline,
          });
          callHandler(sandbox.handler, JSON.parse(payload), context).then(resolve, (error: unknown) => reject(asError(error)));
        } catch (error) {
          reject(asError(error));
        }
      })));
    });
    return outcome
      .finally(() => {
        clearTimeout(timer);
        if (entry) this.pending.delete(entry);
        flush();
        platformLine(sink, `END RequestId: ${requestId}`);
        platformLine(sink, `REPORT RequestId: ${requestId}\tDuration: ${(Date.now() - started).toFixed(2)} ms\tMemory Size: ${fn.memorySize} MB`);
      })
      .then((result) => {
        const text = serialize(result);
        if (Buffer.byteLength(text) > MAX_SYNC_PAYLOAD_BYTES) {
          throw new ResponseSizeTooLargeError(`Response payload size exceeded maximum allowed payload size (${MAX_SYNC_PAYLOAD_BYTES} bytes).`);
        }
        return JSON.parse(text) as unknown;
      });
  }
}

/** Lambda payloads are JSON; `undefined` (a handler returning nothing) becomes `null`. */
function serialize(value: unknown): string {
  return JSON.stringify(value === undefined ? null : value) ?? 'null';
}

/** Calls an async or callback-style handler; whichever the handler uses settles the invocation. */
function callHandler(handler: LambdaHandler, event: unknown, context: LambdaContext): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const callback = (error?: unknown, result?: unknown) => (error ? reject(error) : resolve(result));
    const returned = handler(event, context, callback);
    if (returned !== null && typeof returned === 'object' && typeof (returned as PromiseLike<unknown>).then === 'function') {
      (returned as PromiseLike<unknown>).then(resolve, reject);
    } else if (handler.length < 3) {
      resolve(returned);
    }
  });
}
