/**
 * The fixture app's ASL files, executed by the local Step Functions through the SFN client: each path (success
 * through Task/Choice/Wait/Map/Parallel, Retry, Catch) and the history AWS would record for it.
 */
import { StartExecutionCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
import { fullHistory, startLocalStepFunctions, statesEntered, waitForExecution, type LocalStepFunctions } from './local-sfn';

let local: LocalStepFunctions;

beforeAll(async () => {
  local = await startLocalStepFunctions();
});

afterAll(() => local.close());

async function run(machine: 'pipeline' | 'recovery', input: unknown) {
  const { executionArn } = await local.client.send(new StartExecutionCommand({ stateMachineArn: local.arns[machine], input: JSON.stringify(input) }));
  const described = await waitForExecution(local.client, executionArn!);
  const events = await fullHistory(local.client, executionArn!);
  return { described, events };
}

const types = (events: HistoryEvent[]) => events.map((event) => event.type);
const indexOf = (events: HistoryEvent[], predicate: (event: HistoryEvent) => boolean) => events.findIndex(predicate);

describe('executing the fixture pipeline', () => {
  it('succeeds through Task, Choice, Wait, Map and Parallel states', async () => {
    const { described, events } = await run('pipeline', { items: [1, 2, 3], label: 'three' });

    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output!)).toEqual({ sum: 12, label: 'three' });
    expect(described.stopDate!.getTime()).toBeGreaterThanOrEqual(described.startDate!.getTime());
    expect(statesEntered(events).filter((name) => !['Double', 'Sum', 'Label'].includes(name))).toEqual(['Prepare', 'NeedsWait', 'Pause', 'EachItem', 'Finish']);
  });

  it('records the history AWS records, in order, with consecutive ids', async () => {
    const { events } = await run('pipeline', { items: [1, 2, 3], label: 'history' });

    expect(events.map((event) => event.id)).toEqual(events.map((_event, index) => index + 1));
    expect(events.every((event) => event.previousEventId === event.id! - 1)).toBe(true);
    expect(events[0]).toMatchObject({ type: 'ExecutionStarted', executionStartedEventDetails: { input: JSON.stringify({ items: [1, 2, 3], label: 'history' }) } });
    expect(types(events).slice(1, 8)).toEqual([
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'ChoiceStateEntered',
      'ChoiceStateExited',
    ]);
    expect(events[2].lambdaFunctionScheduledEventDetails).toMatchObject({
      resource: 'arn:aws:lambda:us-east-1:000000000000:function:fixture-app-test-work',
      input: JSON.stringify({ op: 'prepare', items: [1, 2, 3], stage: 'test' }),
    });
    expect(JSON.parse(events[4].lambdaFunctionSucceededEventDetails!.output!)).toEqual({ count: 3, stage: 'test' });
    expect(events[5].stateExitedEventDetails).toMatchObject({ name: 'Prepare' });
    expect(types(events).slice(8, 12)).toEqual(['WaitStateEntered', 'WaitStateExited', 'MapStateEntered', 'MapStateStarted']);
    expect(events[11].mapStateStartedEventDetails).toEqual({ length: 3 });
    expect(types(events).at(-1)).toBe('ExecutionSucceeded');
    expect(JSON.parse(events.at(-1)!.executionSucceededEventDetails!.output!)).toEqual({ sum: 12, label: 'history' });
  });

  it('records each Map iteration and each lambda:invoke task inside it', async () => {
    const { events } = await run('pipeline', { items: [5, 6], label: 'map' });

    const iterations = events.filter((event) => event.type === 'MapIterationSucceeded').map((event) => event.mapIterationSucceededEventDetails);
    expect(iterations).toEqual(expect.arrayContaining([{ name: 'EachItem', index: 0 }, { name: 'EachItem', index: 1 }]));
    const scheduled = events.filter((event) => event.type === 'TaskScheduled').map((event) => event.taskScheduledEventDetails!);
    expect(scheduled).toHaveLength(2);
    expect(scheduled[0]).toMatchObject({ resourceType: 'lambda', resource: 'invoke', region: 'us-east-1' });
    expect(JSON.parse(scheduled[0].parameters!)).toMatchObject({ FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:fixture-app-test-work' });
    const succeeded = events.filter((event) => event.type === 'TaskSucceeded').map((event) => JSON.parse(event.taskSucceededEventDetails!.output!));
    expect(succeeded.map((output) => output.Payload).sort()).toEqual([10, 12]);
    expect(succeeded[0]).toMatchObject({ ExecutedVersion: '$LATEST', StatusCode: 200 });
    expect(indexOf(events, (e) => e.type === 'MapStateSucceeded')).toBeLessThan(indexOf(events, (e) => e.type === 'MapStateExited'));
    expect(types(events)).toEqual(expect.arrayContaining(['ParallelStateEntered', 'ParallelStateStarted', 'PassStateEntered', 'ParallelStateSucceeded', 'ParallelStateExited']));
  });

  it('takes the Choice default when there is nothing to do', async () => {
    const { described, events } = await run('pipeline', { items: [], label: 'none' });

    expect(described.status).toBe('SUCCEEDED');
    expect(statesEntered(events)).toEqual(['Prepare', 'NeedsWait', 'NothingToDo']);
    expect(types(events).slice(-3)).toEqual(['SucceedStateEntered', 'SucceedStateExited', 'ExecutionSucceeded']);
  });
});

describe('executing the fixture recovery', () => {
  it('retries a task on the named error it declares, then succeeds', async () => {
    const { described, events } = await run('recovery', { key: 'retry-then-ok', failTimes: 2 });

    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output!)).toEqual({ key: 'retry-then-ok', attempts: 3 });
    expect(statesEntered(events)).toEqual(['Flaky', 'Done']);
    expect(types(events).filter((type) => type?.startsWith('LambdaFunction'))).toEqual([
      'LambdaFunctionScheduled', 'LambdaFunctionStarted', 'LambdaFunctionFailed',
      'LambdaFunctionScheduled', 'LambdaFunctionStarted', 'LambdaFunctionFailed',
      'LambdaFunctionScheduled', 'LambdaFunctionStarted', 'LambdaFunctionSucceeded',
    ]);
    const failure = events.find((event) => event.type === 'LambdaFunctionFailed')!.lambdaFunctionFailedEventDetails!;
    expect(failure.error).toBe('ServiceNotStable');
    expect(JSON.parse(failure.cause!)).toMatchObject({ errorType: 'ServiceNotStable', errorMessage: 'retry-then-ok is not stable yet (attempt 1)' });
  });

  it('fails with the task error once the retries are used up', async () => {
    const { described, events } = await run('recovery', { key: 'never-stable', failTimes: 10 });

    expect(described.status).toBe('FAILED');
    expect(described.error).toBe('ServiceNotStable');
    expect(JSON.parse(described.cause!)).toMatchObject({ errorType: 'ServiceNotStable', errorMessage: 'never-stable is not stable yet (attempt 4)' });
    expect(types(events).filter((type) => type === 'LambdaFunctionFailed')).toHaveLength(4);
    expect(types(events).at(-1)).toBe('ExecutionFailed');
  });

  it('catches a named error and follows the Catch path to its Fail state', async () => {
    const { described, events } = await run('recovery', { key: 'broken-build', buildFails: true });

    expect(described).toMatchObject({ status: 'FAILED', error: 'PipelineFailed', cause: 'the build failed and was compensated' });
    expect(statesEntered(events)).toEqual(['Flaky', 'Compensate', 'Failed']);
    const flakyExit = events.find((event) => event.type === 'TaskStateExited')!;
    const caughtOutput = JSON.parse(flakyExit.stateExitedEventDetails!.output!);
    expect(caughtOutput.error.Error).toBe('BuildFailed');
    expect(JSON.parse(caughtOutput.error.Cause)).toMatchObject({ errorType: 'BuildFailed', errorMessage: 'the image build for broken-build failed in phase BUILD' });
    expect(types(events).slice(-2)).toEqual(['FailStateEntered', 'ExecutionFailed']);
    expect(events.at(-1)!.executionFailedEventDetails).toEqual({ error: 'PipelineFailed', cause: 'the build failed and was compensated' });
  });
});
