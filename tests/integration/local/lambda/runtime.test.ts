/**
 * The in-process Lambda runtime runs the fixture app's handlers as Lambda would: with their declared
 * environment (isolated per function, even concurrently), a real context object, the function's timeout, and
 * the handler's errors unchanged.
 */
import { LambdaRuntime, LambdaServiceError } from '../../../../local/aws/lambda';
import type { ServerlessConfig } from '../../../../local/serverless/model';
import { loadFixtureConfig } from '../../../fixtures/serverless-app/load';

interface ContextResult {
  env: Record<string, string | null>;
  context: Record<string, unknown>;
  remainingMs: number;
  event: unknown;
}

let config: ServerlessConfig;
let runtime: LambdaRuntime;

beforeAll(async () => {
  config = await loadFixtureConfig();
  runtime = new LambdaRuntime(config.functions, { region: config.region, taskRoot: config.appDir, asyncRetryDelaysMs: [5, 5] });
});

afterAll(() => runtime.close());

describe('LambdaRuntime', () => {
  it('gives the handler the provider environment merged with the function environment', async () => {
    const result = (await runtime.invoke('context', {})) as ContextResult;

    expect(result.env).toMatchObject({
      GREETING: 'bonjour',
      FUNCTION_ONLY: 'only-here',
      APP_STAGE: 'test',
      SHARED_SETTING: 'shared-default',
      PIPELINE_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:000000000000:stateMachine:fixture-pipeline-test',
      AWS_LAMBDA_FUNCTION_NAME: 'fixture-context-fn',
      AWS_REGION: 'us-east-1',
    });
    expect(process.env.FUNCTION_ONLY).toBeUndefined();
  });

  it('passes a Node.js context object describing the function and the invocation', async () => {
    const result = (await runtime.invoke('context', { hello: 'world' })) as ContextResult;

    expect(result.event).toEqual({ hello: 'world' });
    expect(result.context).toMatchObject({
      callbackWaitsForEmptyEventLoop: true,
      functionName: 'fixture-context-fn',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:fixture-context-fn',
      memoryLimitInMB: '256',
      logGroupName: '/aws/lambda/fixture-context-fn',
    });
    expect(result.context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.context.logStreamName).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(result.remainingMs).toBeGreaterThan(2_000);
    expect(result.remainingMs).toBeLessThanOrEqual(3_000);
  });

  it('keeps two functions environments apart while both run concurrently', async () => {
    const [custom, defaults] = (await Promise.all([
      runtime.invoke('context', { delayMs: 40 }),
      runtime.invoke('contextDefault', { delayMs: 20 }),
    ])) as ContextResult[];

    expect(custom.env.GREETING).toBe('bonjour');
    expect(custom.env.FUNCTION_ONLY).toBe('only-here');
    expect(defaults.env.GREETING).toBe('hello');
    expect(defaults.env.FUNCTION_ONLY).toBeNull();
  });

  it('keeps a variable a handler sets for that function only, like a warm sandbox', async () => {
    await runtime.invoke('context', { setVariable: 'from-handler' });

    const same = (await runtime.invoke('context', {})) as ContextResult;
    const other = (await runtime.invoke('contextDefault', {})) as ContextResult;

    expect(same.env.FIXTURE_SET_BY_HANDLER).toBe('from-handler');
    expect(other.env.FIXTURE_SET_BY_HANDLER).toBeNull();
    expect(process.env.FIXTURE_SET_BY_HANDLER).toBeUndefined();
  });

  it('accepts the function key, its name or its ARN', async () => {
    const arn = 'arn:aws:lambda:us-east-1:000000000000:function:fixture-app-test-work';

    await expect(runtime.invoke('work', { op: 'double', value: 2 })).resolves.toBe(4);
    await expect(runtime.invoke('fixture-app-test-work', { op: 'double', value: 3 })).resolves.toBe(6);
    await expect(runtime.invokeByArn(arn, { op: 'double', value: 4 })).resolves.toBe(8);
    await expect(runtime.invokeByArn(`${arn}:$LATEST`, { op: 'double', value: 5 })).resolves.toBe(10);
  });

  it('rejects an unknown function with ResourceNotFoundException', async () => {
    const call = runtime.invokeByArn('arn:aws:lambda:us-east-1:000000000000:function:nope', {});

    await expect(call).rejects.toBeInstanceOf(LambdaServiceError);
    await expect(call).rejects.toMatchObject({ code: 'ResourceNotFoundException', statusCode: 404 });
  });

  it('rethrows the handler error with its name and message unchanged', async () => {
    const call = runtime.invoke('flaky', { key: 'lambda-error', buildFails: true });

    await expect(call).rejects.toMatchObject({ name: 'BuildFailed', message: 'the image build for lambda-error failed in phase BUILD' });
  });

  it('reports a missing handler module or export as the Node.js runtime does', async () => {
    const work = config.functions.find((fn) => fn.key === 'work')!;
    const broken = new LambdaRuntime(
      [
        { ...work, key: 'noModule', name: 'no-module', handler: 'functions/steps/missing.handler', handlerModule: `${config.appDir}/functions/steps/missing` },
        { ...work, key: 'noExport', name: 'no-export', handler: 'functions/steps/work.nope', handlerExport: 'nope' },
      ],
      { region: config.region },
    );

    await expect(broken.invoke('noModule', {})).rejects.toMatchObject({ name: 'Runtime.ImportModuleError' });
    await expect(broken.invoke('noExport', {})).rejects.toMatchObject({ name: 'Runtime.HandlerNotFound', message: 'functions/steps/work.nope is undefined or not exported' });
    await broken.close();
  });

  it('fails an invocation that outlives the timeout with Sandbox.Timedout', async () => {
    const started = Date.now();
    const call = runtime.invoke('slow', { ms: 1_500 });

    await expect(call).rejects.toMatchObject({ name: 'Sandbox.Timedout' });
    await expect(call).rejects.toThrow(/^RequestId: [0-9a-f-]{36} Error: Task timed out after 1\.00 seconds$/);
    expect(Date.now() - started).toBeLessThan(1_450);
  });

  it('refuses a request payload over 6 MB with RequestTooLargeException', async () => {
    const call = runtime.invoke('work', { op: 'double', value: 'x'.repeat(6 * 1024 * 1024) });

    await expect(call).rejects.toMatchObject({ code: 'RequestTooLargeException', statusCode: 413 });
  });

  it('retries a failing asynchronous invocation twice, then records the on-failure record', async () => {
    const { requestId } = await runtime.invokeAsync('flaky', { key: 'async-failure', buildFails: true });
    await runtime.idle();

    const record = runtime.asyncFailures().find((r) => r.requestContext.requestId === requestId);
    expect(record).toMatchObject({
      requestContext: { condition: 'RetriesExhausted', approximateInvokeCount: 3, functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:fixture-app-test-flaky:$LATEST' },
      requestPayload: { key: 'async-failure', buildFails: true },
      responsePayload: { errorType: 'BuildFailed' },
    });
  });

  it('records nothing when an asynchronous invocation succeeds on a retry', async () => {
    const { requestId } = await runtime.invokeAsync('flaky', { key: 'async-retry', failTimes: 1 });
    await runtime.idle();

    expect(runtime.asyncFailures().some((r) => r.requestContext.requestId === requestId)).toBe(false);
  });
});

describe('LambdaRuntime: function output to CloudWatch Logs', () => {
  it("sends each line an invocation writes to its own function's log group and stream, even when invocations interleave", async () => {
    const lines: Array<{ logGroupName: string; logStreamName: string; message: string }> = [];
    const logged = new LambdaRuntime(config.functions, { region: config.region, taskRoot: config.appDir, echoLogs: false, onLogLine: (line) => lines.push(line) });
    try {
      await Promise.all([
        logged.invoke('context', { delayMs: 30, log: ['{"fn":"context","n":1}', '{"fn":"context","n":2}'] }),
        logged.invoke('contextDefault', { delayMs: 10, log: ['{"fn":"default","n":1}', '{"fn":"default","n":2}'] }),
      ]);
    } finally {
      await logged.close();
    }

    const byGroup = (group: string) => lines.filter((l) => l.logGroupName === group).map((l) => l.message);
    const ownLines = (group: string) => byGroup(group).filter((m) => m.startsWith('{'));
    expect(ownLines('/aws/lambda/fixture-context-fn')).toEqual(['{"fn":"context","n":1}', '{"fn":"context","n":2}']);
    expect(ownLines('/aws/lambda/fixture-app-test-contextDefault')).toEqual(['{"fn":"default","n":1}', '{"fn":"default","n":2}']);
    // Lambda's own lines frame each invocation, in the sandbox's one stream.
    expect(byGroup('/aws/lambda/fixture-context-fn')[0]).toMatch(/^START RequestId: [0-9a-f-]+ Version: \$LATEST$/);
    expect(byGroup('/aws/lambda/fixture-context-fn').at(-1)).toMatch(/^REPORT RequestId: /);
    expect(new Set(lines.filter((l) => l.logGroupName === '/aws/lambda/fixture-context-fn').map((l) => l.logStreamName)).size).toBe(1);
  });
});
