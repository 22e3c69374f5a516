/**
 * Step Functions driven by the real AWS CLI: a small Pass/Choice/Wait/Task state machine created from a file, an
 * execution followed to SUCCEEDED with its history, StartExecution's idempotency rules, and StopExecution.
 */
import { StepFunctionsProvider, type LambdaInvoker } from '@consul-mesh/local-cloud';
import { SERVICE_ERROR_EXIT_CODES, serviceErrorOf } from './cli';
import { expectRecent, startCliCloud, type CliCloud } from './local-cloud';
import { sfnCreateStateMachine, sfnDescribeExecution, sfnHistory, sfnStartExecution, sfnStopExecution } from './shapes';

const DEPLOY_FUNCTION = 'arn:aws:lambda:us-east-1:000000000000:function:mesh-deploy';
const ROLE = 'arn:aws:iam::000000000000:role/mesh-states';

/** `hold: true` parks the execution in a 100,000 s Wait (100 s at the test's time scale) so it can be stopped. */
const DEFINITION = {
  Comment: 'Prepare, route on $.hold, wait, then deploy through a Lambda task.',
  StartAt: 'Prepare',
  States: {
    Prepare: { Type: 'Pass', Result: 'ready', ResultPath: '$.prepared', Next: 'Route' },
    Route: { Type: 'Choice', Choices: [{ Variable: '$.hold', BooleanEquals: true, Next: 'Hold' }], Default: 'Settle' },
    Hold: { Type: 'Wait', Seconds: 100_000, Next: 'Deploy' },
    Settle: { Type: 'Wait', Seconds: 1, Next: 'Deploy' },
    Deploy: { Type: 'Task', Resource: DEPLOY_FUNCTION, ResultPath: '$.result', End: true },
  },
};

interface Call {
  readonly functionArn: string;
  readonly event: unknown;
}

let cloud: CliCloud;
let sfn: StepFunctionsProvider;
let stateMachineArn = '';
const calls: Call[] = [];
const since = Date.now();

/** The fake function answers `{ deployed: <input.service> }`. */
const lambda: LambdaInvoker = {
  async invokeByArn(functionArn, event) {
    calls.push({ functionArn, event });
    const service = typeof event === 'object' && event !== null ? (event as { service?: unknown }).service : undefined;
    return { deployed: service };
  },
};

beforeAll(async () => {
  // 0.001: a 1-second Wait lasts 1 ms.
  sfn = new StepFunctionsProvider({ lambda, timeScale: 0.001 });
  cloud = await startCliCloud([sfn]);
});

afterAll(async () => {
  await sfn?.close();
  await cloud?.close();
});

async function startExecution(name: string, input: unknown) {
  return cloud.cli.run(['stepfunctions', 'start-execution', '--state-machine-arn', stateMachineArn, '--name', name, '--input', JSON.stringify(input)]);
}

async function describeExecution(executionArn: string) {
  return sfnDescribeExecution.parse(await cloud.cli.ok(['stepfunctions', 'describe-execution', '--execution-arn', executionArn]));
}

describe('an execution started with the AWS CLI', () => {
  let executionArn = '';

  it('creates the state machine from a definition file', async () => {
    const output = await cloud.cli.ok([
      'stepfunctions', 'create-state-machine', '--name', 'mesh-deploy', '--role-arn', ROLE,
      '--definition', cloud.cli.fileRef('definition.json', JSON.stringify(DEFINITION)),
    ]);

    const created = sfnCreateStateMachine.parse(output);
    expect(created.stateMachineArn).toBe('arn:aws:states:us-east-1:000000000000:stateMachine:mesh-deploy');
    expectRecent(created.creationDate, since);
    stateMachineArn = created.stateMachineArn;
  });

  it('runs through Pass, Choice, Wait and the Lambda task to SUCCEEDED', async () => {
    const started = await startExecution('users-1', { service: 'users', hold: false });
    expect(started.exitCode).toBe(0);
    const { executionArn: arn, startDate } = sfnStartExecution.parse(started.json);
    expect(arn).toBe('arn:aws:states:us-east-1:000000000000:execution:mesh-deploy:users-1');
    expectRecent(startDate, since);
    executionArn = arn;

    let described = await describeExecution(executionArn);
    for (let attempt = 0; described.status === 'RUNNING' && attempt < 5; attempt++) described = await describeExecution(executionArn);

    expect(described).toMatchObject({ status: 'SUCCEEDED', name: 'users-1', stateMachineArn, startDate });
    expect(described.stopDate).toBeGreaterThanOrEqual(described.startDate);
    expect(JSON.parse(described.input)).toEqual({ service: 'users', hold: false });
    expect(JSON.parse(described.output ?? 'null')).toEqual({ service: 'users', hold: false, prepared: 'ready', result: { deployed: 'users' } });
    expect(calls).toEqual([{ functionArn: DEPLOY_FUNCTION, event: { service: 'users', hold: false, prepared: 'ready' } }]);
  });

  it('records the history AWS records for that path, with consecutive event ids', async () => {
    const output = await cloud.cli.ok(['stepfunctions', 'get-execution-history', '--execution-arn', executionArn]);

    const { events } = sfnHistory.parse(output);
    expect(events.map((event) => event.type)).toEqual([
      'ExecutionStarted',
      'PassStateEntered',
      'PassStateExited',
      'ChoiceStateEntered',
      'ChoiceStateExited',
      'WaitStateEntered',
      'WaitStateExited',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    expect(events.map((event) => event.id)).toEqual(events.map((_event, index) => index + 1));
    expect(events.slice(1).every((event) => event.previousEventId === event.id - 1)).toBe(true);
    expect(events.flatMap((event) => (event.stateEnteredEventDetails ? [event.stateEnteredEventDetails.name] : []))).toEqual(['Prepare', 'Route', 'Settle', 'Deploy']);
    for (const event of events) expectRecent(event.timestamp, since);
  });

  it('refuses to start a closed execution again under its name: ExecutionAlreadyExists', async () => {
    const result = await startExecution('users-1', { service: 'users', hold: false });

    expect(SERVICE_ERROR_EXIT_CODES).toContain(result.exitCode);
    expect(serviceErrorOf(result)).toMatchObject({ code: 'ExecutionAlreadyExists', operation: 'StartExecution' });
  });
});

describe('a running execution', () => {
  let executionArn = '';

  it('is returned again for the same name and input while it runs', async () => {
    const first = await startExecution('users-hold', { service: 'users', hold: true });
    const again = await startExecution('users-hold', { service: 'users', hold: true });

    const original = sfnStartExecution.parse(first.json);
    expect(sfnStartExecution.parse(again.json)).toEqual(original);
    executionArn = original.executionArn;
  });

  it('is stopped with stop-execution and described ABORTED with the given error and cause', async () => {
    const stopped = sfnStopExecution.parse(
      await cloud.cli.ok(['stepfunctions', 'stop-execution', '--execution-arn', executionArn, '--error', 'Cancelled', '--cause', 'operator request']),
    );

    const described = await describeExecution(executionArn);
    expectRecent(stopped.stopDate, since);
    expect(described).toMatchObject({ status: 'ABORTED', error: 'Cancelled', cause: 'operator request' });
    // The Deploy task of the held execution never ran.
    expect(calls).toHaveLength(1);
  });
});
