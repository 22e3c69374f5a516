/**
 * Step Functions puts a `Step Functions Execution Status Change` event on the default EventBridge bus for every
 * status change of a Standard execution, in AWS's shape: RUNNING, then the closing status with its dates, error
 * and cause; input and output as JSON text, both null when together over 248 KiB.
 */
import { CreateStateMachineCommand, SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { LambdaRuntime } from '../../../../local/aws/lambda';
import { StepFunctionsProvider } from '../../../../local/aws/stepfunctions';
import type { ExecutionStatusChangeEvent } from '../../../../local/aws/stepfunctions/status-events';
import { loadFixtureConfig } from '../../../fixtures/serverless-app/load';
import { clientConfig, startTestEndpoint, type TestEndpoint } from '../support/test-endpoint';
import { waitForExecution } from './local-sfn';

const ROLE = 'arn:aws:iam::000000000000:role/test-role';
const HOLD = JSON.stringify({ StartAt: 'Hold', States: { Hold: { Type: 'Wait', Seconds: 100_000, End: true } } });
const ECHO = JSON.stringify({ StartAt: 'Echo', States: { Echo: { Type: 'Pass', Parameters: { 'got.$': '$.value' }, End: true } } });
const FAIL = JSON.stringify({ StartAt: 'Boom', States: { Boom: { Type: 'Fail', Error: 'Custom.Error', Cause: 'it broke' } } });

let runtime: LambdaRuntime;
let sfn: StepFunctionsProvider;
let endpoint: TestEndpoint;
let client: SFNClient;
const events: ExecutionStatusChangeEvent[] = [];

beforeAll(async () => {
  const config = await loadFixtureConfig();
  runtime = new LambdaRuntime(config.functions, { region: config.region, taskRoot: config.appDir });
  sfn = new StepFunctionsProvider({ lambda: runtime, timeScale: 0.001, onEvent: (event) => events.push(event) });
  endpoint = await startTestEndpoint([sfn]);
  client = new SFNClient(clientConfig(endpoint));
});

afterAll(async () => {
  client.destroy();
  await sfn.close();
  await runtime.close();
  await endpoint.close();
});

async function machine(name: string, definition: string): Promise<string> {
  return (await client.send(new CreateStateMachineCommand({ name, definition, roleArn: ROLE }))).stateMachineArn!;
}

const of = (executionArn: string) => events.filter((e) => e.detail.executionArn === executionArn);

describe('Step Functions Execution Status Change events', () => {
  it('reports RUNNING and SUCCEEDED with the input, the output and the dates', async () => {
    const stateMachineArn = await machine('echo', ECHO);
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn, name: 'echo-1', input: '{"value":42}' }));
    await waitForExecution(client, executionArn!);

    const [running, succeeded, ...more] = of(executionArn!);
    expect(more).toEqual([]);
    expect(running).toMatchObject({
      version: '0',
      'detail-type': 'Step Functions Execution Status Change',
      source: 'aws.states',
      account: '000000000000',
      region: 'us-east-1',
      resources: [executionArn],
      detail: { executionArn, stateMachineArn, name: 'echo-1', status: 'RUNNING', stopDate: null, input: '{"value":42}', inputDetails: { included: true }, output: null, outputDetails: null, error: null, cause: null },
    });
    expect(running.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(succeeded.detail).toMatchObject({ status: 'SUCCEEDED', output: '{"got":42}', outputDetails: { included: true }, error: null });
    expect(succeeded.detail.startDate).toBe(running.detail.startDate);
    expect(succeeded.detail.stopDate).toBeGreaterThanOrEqual(succeeded.detail.startDate);
    expect(succeeded.id).not.toBe(running.id);
  });

  it('reports FAILED with the error and cause, and ABORTED for StopExecution', async () => {
    const failing = await machine('fail', FAIL);
    const { executionArn: failed } = await client.send(new StartExecutionCommand({ stateMachineArn: failing, name: 'fail-1' }));
    await waitForExecution(client, failed!);
    expect(of(failed!).map((e) => e.detail.status)).toEqual(['RUNNING', 'FAILED']);
    expect(of(failed!)[1].detail).toMatchObject({ error: 'Custom.Error', cause: 'it broke', output: null, outputDetails: null });

    const holding = await machine('hold', HOLD);
    const { executionArn: stopped } = await client.send(new StartExecutionCommand({ stateMachineArn: holding, name: 'hold-1' }));
    await client.send(new StopExecutionCommand({ executionArn: stopped, error: 'Stopped', cause: 'by hand' }));
    expect(of(stopped!).map((e) => e.detail.status)).toEqual(['RUNNING', 'ABORTED']);
    expect(of(stopped!)[1].detail).toMatchObject({ error: 'Stopped', cause: 'by hand', stopDate: expect.any(Number) });
  });

  it('leaves out input and output when together they are over 248 KiB', async () => {
    const stateMachineArn = await machine('echo-big', ECHO);
    const value = 'x'.repeat(130 * 1024);
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn, name: 'big-1', input: JSON.stringify({ value }) }));
    await waitForExecution(client, executionArn!);

    const [running, succeeded] = of(executionArn!);
    // The input alone fits; with the output (as large again) it does not.
    expect(running.detail).toMatchObject({ input: JSON.stringify({ value }), inputDetails: { included: true } });
    expect(succeeded.detail).toMatchObject({ status: 'SUCCEEDED', input: null, inputDetails: { included: false }, output: null, outputDetails: { included: false } });
  });

  it('reports an execution restored while RUNNING as ABORTED, and those the shutdown stopped once they are restored', async () => {
    const stateMachineArn = await machine('hold-restored', HOLD);
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn, name: 'hold-2' }));
    const saved = sfn.exportSnapshot();
    await client.send(new StopExecutionCommand({ executionArn }));

    const restored: ExecutionStatusChangeEvent[] = [];
    const other = new StepFunctionsProvider({ lambda: runtime, timeScale: 0.001, onEvent: (event) => restored.push(event) });
    other.importSnapshot({ ...saved, executions: saved.executions.filter((e) => e.arn === executionArn) });
    expect(restored.map((e) => [e.detail.executionArn, e.detail.status, e.detail.cause])).toEqual([[executionArn, 'ABORTED', 'local cloud restarted']]);

    const holding = await machine('hold-at-shutdown', HOLD);
    const { executionArn: running } = await client.send(new StartExecutionCommand({ stateMachineArn: holding, name: 'hold-3' }));
    const before = events.length;
    await sfn.close();
    // EventBridge shuts down with the local cloud: nothing is put on it now...
    expect(events.slice(before).filter((e) => e.detail.executionArn === running)).toEqual([]);
    // ...the restored state reports it.
    const atShutdown = sfn.exportSnapshot().executions.filter((e) => e.arn === running);
    const afterRestart: ExecutionStatusChangeEvent[] = [];
    new StepFunctionsProvider({ lambda: runtime, timeScale: 0.001, onEvent: (event) => afterRestart.push(event) }).importSnapshot({ ...saved, executions: atShutdown });
    expect(afterRestart.map((e) => [e.detail.executionArn, e.detail.status, e.detail.cause])).toEqual([[running, 'ABORTED', 'The local cloud was shut down.']]);
  });
});
