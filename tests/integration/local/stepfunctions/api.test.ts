/**
 * The Step Functions API as AWS answers it: state machine lifecycle, StartExecution's idempotency by name,
 * StopExecution, ListExecutions, history paging, and the errors (names and statuses) the SDK sees.
 */
import {
  CreateStateMachineCommand,
  DeleteStateMachineCommand,
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  StartExecutionCommand,
  StopExecutionCommand,
  UpdateStateMachineCommand,
  type SFNServiceException,
} from '@aws-sdk/client-sfn';
import { deployStateMachines } from '../../../../local/aws/stepfunctions';
import { fullHistory, startLocalStepFunctions, waitForExecution, type LocalStepFunctions } from './local-sfn';

let local: LocalStepFunctions;
const ROLE = 'arn:aws:iam::000000000000:role/test-role';
const WORK_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:fixture-app-test-work';

/** Waits for a very long time (100,000 s, i.e. 100 s at the test time scale): stays RUNNING during a test. */
const HOLD = JSON.stringify({ StartAt: 'Hold', States: { Hold: { Type: 'Wait', Seconds: 100_000, End: true } } });

beforeAll(async () => {
  local = await startLocalStepFunctions();
});

afterAll(() => local.close());

async function createMachine(name: string, definition: string) {
  const { stateMachineArn } = await local.client.send(new CreateStateMachineCommand({ name, definition, roleArn: ROLE }));
  return stateMachineArn!;
}

async function failureOf(promise: Promise<unknown>): Promise<{ name: string; status?: number; message: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as SFNServiceException;
    return { name: e.name, status: e.$metadata?.httpStatusCode, message: e.message };
  }
  throw new Error('the call succeeded');
}

describe('state machines', () => {
  it('deploys the state machines of serverless.yml under their names, idempotently', async () => {
    const again = await deployStateMachines(local.config, local.sfn);

    expect(again).toEqual(local.arns);
    expect(local.arns.pipeline).toBe('arn:aws:states:us-east-1:000000000000:stateMachine:fixture-pipeline-test');
    const described = await local.client.send(new DescribeStateMachineCommand({ stateMachineArn: local.arns.pipeline }));
    expect(described).toMatchObject({ name: 'fixture-pipeline-test', status: 'ACTIVE', type: 'STANDARD' });
    expect(JSON.parse(described.definition!).States.Prepare.Resource).toBe(WORK_ARN);
    expect(described.creationDate).toBeInstanceOf(Date);
  });

  it('creates, lists, updates and deletes a state machine', async () => {
    const arn = await createMachine('lifecycle', HOLD);
    const listed = await local.client.send(new ListStateMachinesCommand({}));
    expect(listed.stateMachines?.map((m) => m.name)).toEqual(expect.arrayContaining(['fixture-pipeline-test', 'fixture-recovery-test', 'lifecycle']));

    const updated = JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Succeed' } } });
    await local.client.send(new UpdateStateMachineCommand({ stateMachineArn: arn, definition: updated }));
    expect((await local.client.send(new DescribeStateMachineCommand({ stateMachineArn: arn }))).definition).toBe(updated);

    await local.client.send(new DeleteStateMachineCommand({ stateMachineArn: arn }));
    expect(await failureOf(local.client.send(new DescribeStateMachineCommand({ stateMachineArn: arn })))).toMatchObject({ name: 'StateMachineDoesNotExist', status: 400 });
  });

  it('answers CreateStateMachine with the same machine for the same request, StateMachineAlreadyExists otherwise', async () => {
    const first = await createMachine('idempotent-create', HOLD);

    expect(await createMachine('idempotent-create', HOLD)).toBe(first);
    const other = JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Succeed' } } });
    expect(await failureOf(createMachine('idempotent-create', other))).toMatchObject({ name: 'StateMachineAlreadyExists' });
  });

  it('rejects invalid definitions, and those the local engine cannot run, with InvalidDefinition', async () => {
    const missingTarget = JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'Nowhere' } } });
    const sdkIntegration = JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:ecs:describeServices', End: true } } });
    const jsonata = JSON.stringify({ QueryLanguage: 'JSONata', StartAt: 'A', States: { A: { Type: 'Pass', End: true } } });

    expect(await failureOf(createMachine('bad-1', missingTarget))).toMatchObject({ name: 'InvalidDefinition', message: expect.stringContaining('MISSING_TRANSITION_TARGET') });
    expect(await failureOf(createMachine('bad-2', sdkIntegration))).toMatchObject({ name: 'InvalidDefinition', message: expect.stringContaining('aws-sdk:ecs:describeServices') });
    expect(await failureOf(createMachine('bad-3', jsonata))).toMatchObject({ name: 'InvalidDefinition', message: expect.stringContaining('JSONata') });
    expect(await failureOf(createMachine('bad name', HOLD))).toMatchObject({ name: 'InvalidName' });
  });
});

describe('executions', () => {
  it('returns the same execution for the same name and input while it runs, ExecutionAlreadyExists otherwise', async () => {
    const stateMachineArn = await createMachine('idempotent-start', HOLD);
    const start = (input: string) => local.client.send(new StartExecutionCommand({ stateMachineArn, name: 'deploy-1', input }));

    const first = await start('{"a":1}');
    const second = await start('{"a":1}');
    const conflict = await failureOf(start('{"a":2}'));
    await local.client.send(new StopExecutionCommand({ executionArn: first.executionArn }));
    const afterClose = await failureOf(start('{"a":1}'));

    expect(first.executionArn).toBe('arn:aws:states:us-east-1:000000000000:execution:idempotent-start:deploy-1');
    expect(second.executionArn).toBe(first.executionArn);
    expect(second.startDate).toEqual(first.startDate);
    expect(conflict).toMatchObject({ name: 'ExecutionAlreadyExists', status: 400 });
    expect(afterClose).toMatchObject({ name: 'ExecutionAlreadyExists' });
  });

  it('stops a running execution: ABORTED with the given error and cause, recorded in its history', async () => {
    const stateMachineArn = await createMachine('stoppable', HOLD);
    const { executionArn } = await local.client.send(new StartExecutionCommand({ stateMachineArn, input: '{}' }));
    expect((await local.client.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('RUNNING');

    const { stopDate } = await local.client.send(new StopExecutionCommand({ executionArn, error: 'Cancelled', cause: 'cancelled by the operator' }));
    const described = await local.client.send(new DescribeExecutionCommand({ executionArn }));
    const events = await fullHistory(local.client, executionArn!);

    expect(described).toMatchObject({ status: 'ABORTED', error: 'Cancelled', cause: 'cancelled by the operator', stopDate });
    expect(events.map((e) => e.type)).toEqual(['ExecutionStarted', 'WaitStateEntered', 'ExecutionAborted']);
    expect(events[2].executionAbortedEventDetails).toEqual({ error: 'Cancelled', cause: 'cancelled by the operator' });
  });

  it('lists executions newest first, filtered by status, page by page', async () => {
    const stateMachineArn = await createMachine('listing', JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Succeed' } } }));
    const arns: string[] = [];
    for (const name of ['one', 'two', 'three']) {
      const { executionArn } = await local.client.send(new StartExecutionCommand({ stateMachineArn, name }));
      await waitForExecution(local.client, executionArn!);
      arns.push(executionArn!);
    }

    const firstPage = await local.client.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 2 }));
    const secondPage = await local.client.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 2, nextToken: firstPage.nextToken }));
    const running = await local.client.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'RUNNING' }));

    expect(firstPage.executions?.map((e) => e.name)).toEqual(['three', 'two']);
    expect(secondPage.executions?.map((e) => e.name)).toEqual(['one']);
    expect(secondPage.nextToken).toBeUndefined();
    expect(firstPage.executions?.[0]).toMatchObject({ executionArn: arns[2], status: 'SUCCEEDED', stateMachineArn });
    expect(running.executions).toEqual([]);
  });

  it('refuses a nextToken with InvalidToken when the filter, machine or order changed since it was issued', async () => {
    const stateMachineArn = await createMachine('token-scope', JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Succeed' } } }));
    const other = await createMachine('token-scope-other', JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Succeed' } } }));
    let executionArn = '';
    for (const name of ['a', 'b', 'c']) {
      executionArn = (await local.client.send(new StartExecutionCommand({ stateMachineArn, name }))).executionArn!;
      await waitForExecution(local.client, executionArn);
    }
    const { nextToken } = await local.client.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 1 }));
    const filtered = await local.client.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'SUCCEEDED', maxResults: 1 }));
    const history = await local.client.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1 }));

    expect(await failureOf(local.client.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'SUCCEEDED', nextToken })))).toMatchObject({ name: 'InvalidToken', status: 400 });
    expect(await failureOf(local.client.send(new ListExecutionsCommand({ stateMachineArn, nextToken: filtered.nextToken })))).toMatchObject({ name: 'InvalidToken' });
    expect(await failureOf(local.client.send(new ListExecutionsCommand({ stateMachineArn: other, nextToken })))).toMatchObject({ name: 'InvalidToken' });
    expect(await failureOf(local.client.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, nextToken: history.nextToken })))).toMatchObject({ name: 'InvalidToken' });
    const same = await local.client.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'SUCCEEDED', maxResults: 1, nextToken: filtered.nextToken }));
    expect(same.executions?.map((e) => e.name)).toEqual(['b']);
  });

  it('checks ListExecutions constraints before looking the state machine up, as AWS orders its errors', async () => {
    const missing = 'arn:aws:states:us-east-1:000000000000:stateMachine:missing';
    expect(await failureOf(local.client.send(new ListExecutionsCommand({ stateMachineArn: missing, maxResults: 5000 })))).toMatchObject({ name: 'ValidationException' });
    expect(await failureOf(local.client.send(new ListExecutionsCommand({ stateMachineArn: missing })))).toMatchObject({ name: 'StateMachineDoesNotExist' });
    expect(await failureOf(local.client.send(new StartExecutionCommand({ stateMachineArn: missing, name: 'n'.repeat(81) })))).toMatchObject({ name: 'ValidationException' });
    expect(await failureOf(local.client.send(new StartExecutionCommand({ stateMachineArn: missing, traceHeader: 't'.repeat(257) })))).toMatchObject({ name: 'ValidationException' });
    expect(await failureOf(local.client.send(new StopExecutionCommand({ executionArn: 'arn:aws:states:us-east-1:000000000000:execution:x:y', cause: 'c'.repeat(32_769) })))).toMatchObject({ name: 'ValidationException' });
  });

  it('pages the history, in reverse order when asked, without execution data when asked', async () => {
    const { executionArn } = await local.client.send(new StartExecutionCommand({ stateMachineArn: local.arns.recovery, input: JSON.stringify({ key: 'paging' }) }));
    await waitForExecution(local.client, executionArn!);
    const all = await fullHistory(local.client, executionArn!);

    const page1 = await local.client.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 2, reverseOrder: true }));
    const page2 = await local.client.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 2, reverseOrder: true, nextToken: page1.nextToken }));
    const bare = await local.client.send(new GetExecutionHistoryCommand({ executionArn, includeExecutionData: false }));

    expect([...page1.events!, ...page2.events!].map((e) => e.id)).toEqual([all.length, all.length - 1, all.length - 2, all.length - 3]);
    expect(bare.events?.[0].executionStartedEventDetails?.input).toBeUndefined();
    expect(bare.events?.at(-1)?.type).toBe('ExecutionSucceeded');
  });

  it('fails the execution with States.DataLimitExceeded, which States.ALL does not catch, for a result over 256 KB', async () => {
    const stateMachineArn = await createMachine(
      'too-big',
      JSON.stringify({
        StartAt: 'Big',
        States: {
          Big: { Type: 'Task', Resource: WORK_ARN, Parameters: { op: 'big', bytes: 300_000 }, Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Caught' }], End: true },
          Caught: { Type: 'Succeed' },
        },
      }),
    );
    const { executionArn } = await local.client.send(new StartExecutionCommand({ stateMachineArn }));

    const described = await waitForExecution(local.client, executionArn!);

    expect(described).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
  });

  it('fails an execution whose history reaches 25,000 events', async () => {
    const endless = JSON.stringify({
      StartAt: 'Step',
      States: {
        Step: { Type: 'Pass', Next: 'Loop' },
        Loop: { Type: 'Choice', Choices: [{ Variable: '$.stop', IsPresent: true, Next: 'Done' }], Default: 'Step' },
        Done: { Type: 'Succeed' },
      },
    });
    const stateMachineArn = await createMachine('endless', endless);
    const { executionArn } = await local.client.send(new StartExecutionCommand({ stateMachineArn }));

    const described = await waitForExecution(local.client, executionArn!, 20_000);
    const last = await local.client.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1, reverseOrder: true }));

    expect(described).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect(last.events?.[0]).toMatchObject({ id: 25_000, type: 'ExecutionFailed' });
  });

  it('reports a Lambda timeout as Sandbox.Timedout, which Catch can match', async () => {
    const slowArn = 'arn:aws:lambda:us-east-1:000000000000:function:fixture-app-test-slow';
    const stateMachineArn = await createMachine(
      'lambda-timeout',
      JSON.stringify({
        StartAt: 'Slow',
        States: {
          Slow: { Type: 'Task', Resource: slowArn, Parameters: { ms: 1_500 }, Catch: [{ ErrorEquals: ['Sandbox.Timedout'], ResultPath: '$.error', Next: 'TimedOut' }], End: true },
          TimedOut: { Type: 'Pass', End: true },
        },
      }),
    );
    const { executionArn } = await local.client.send(new StartExecutionCommand({ stateMachineArn }));

    const described = await waitForExecution(local.client, executionArn!);

    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output!).error.Error).toBe('Sandbox.Timedout');
  });

  it('answers the API errors the SDK expects', async () => {
    const big = JSON.stringify({ blob: 'x'.repeat(262_144) });

    expect(await failureOf(local.client.send(new StartExecutionCommand({ stateMachineArn: local.arns.pipeline, input: big })))).toMatchObject({ name: 'ValidationException', status: 400 });
    expect(await failureOf(local.client.send(new StartExecutionCommand({ stateMachineArn: local.arns.pipeline, input: '{not json' })))).toMatchObject({ name: 'InvalidExecutionInput' });
    expect(await failureOf(local.client.send(new StartExecutionCommand({ stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:missing' })))).toMatchObject({ name: 'StateMachineDoesNotExist' });
    expect(await failureOf(local.client.send(new DescribeExecutionCommand({ executionArn: 'arn:aws:states:us-east-1:000000000000:execution:x:y' })))).toMatchObject({ name: 'ExecutionDoesNotExist' });
    expect(await failureOf(local.client.send(new DescribeExecutionCommand({ executionArn: 'not-an-arn' })))).toMatchObject({ name: 'InvalidArn' });
  });
});
