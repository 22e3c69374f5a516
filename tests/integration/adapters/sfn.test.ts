/**
 * The Step Functions adapter, driven through the real SDK client against the local Step Functions (which refuses a
 * `maxResults` over 1,000, as Step Functions does). Calls are counted on their way to the client, so a page too many
 * or too few shows.
 */
import { CreateStateMachineCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { createSfnApi, type SfnApi } from '../../../layers/adapters/sfn';
import { startLocalStepFunctions, waitForExecution, type LocalStepFunctions } from '../local/stepfunctions/local-sfn';

const ROLE = 'arn:aws:iam::000000000000:role/fixture-sfn';
/** Five Pass states: an execution's history has 12 events (started, 5 × entered and exited, succeeded). */
const FIVE_STEPS = JSON.stringify({
  StartAt: 'S1',
  States: Object.fromEntries([1, 2, 3, 4, 5].map((i) => [`S${i}`, { Type: 'Pass', ...(i < 5 ? { Next: `S${i + 1}` } : { End: true }) }])),
});

describe('the Step Functions adapter against the local Step Functions', () => {
  let local: LocalStepFunctions;
  let sfn: SfnApi;
  let stateMachineArn: string;
  const counts = new Map<string, number>();
  const calls = (command: string) => counts.get(`${command}Command`) ?? 0;

  beforeAll(async () => {
    local = await startLocalStepFunctions();
    const counting: Pick<SFNClient, 'send'> = {
      send: ((command: { constructor: { name: string } }) => {
        counts.set(command.constructor.name, (counts.get(command.constructor.name) ?? 0) + 1);
        return local.client.send(command as never);
      }) as SFNClient['send'],
    };
    sfn = createSfnApi(counting);
    stateMachineArn = (await local.client.send(new CreateStateMachineCommand({ name: 'adapter-pages', definition: FIVE_STEPS, roleArn: ROLE }))).stateMachineArn!;
    for (let i = 1; i <= 5; i++) {
      const { executionArn } = await sfn.startExecution({ stateMachineArn, name: `run-${i}`, input: '{}' });
      await waitForExecution(local.client, executionArn!);
    }
  });
  afterAll(() => local.close());
  beforeEach(() => counts.clear());

  it('follows ListExecutions pages (newest first) and stops reading when the caller stops', async () => {
    const names: string[] = [];
    for await (const page of sfn.executionPages({ stateMachineArn, maxResults: 2 })) names.push(...page.map((e) => e.name!));
    expect(names).toEqual(['run-5', 'run-4', 'run-3', 'run-2', 'run-1']);
    expect(calls('ListExecutions')).toBe(3);
    for await (const page of sfn.executionPages({ stateMachineArn, maxResults: 2 })) if (page.length > 0) break;
    expect(calls('ListExecutions')).toBe(4);
  });

  it('asks for at most 1,000 executions a page, whatever the caller asks', async () => {
    const page = await sfn.listExecutionsPage({ stateMachineArn, maxResults: 5000 });
    expect(page.executions).toHaveLength(5);
    expect(page.nextToken).toBeUndefined();
  });

  it('reads a history newest first in pages of the size asked, oldest first by default', async () => {
    const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:run-1`;
    const newest: number[] = [];
    for await (const page of sfn.historyPages({ executionArn, reverseOrder: true, pageSize: 5 })) newest.push(...page.map((e) => e.id!));
    expect(newest).toEqual([12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect(calls('GetExecutionHistory')).toBe(3);
    const oldest: string[] = [];
    for await (const page of sfn.historyPages({ executionArn })) oldest.push(...page.map((e) => e.type!));
    expect(oldest[0]).toBe('ExecutionStarted');
    expect(oldest.at(-1)).toBe('ExecutionSucceeded');
  });

  it("keeps Step Functions' own error names, never rewrapped", async () => {
    await expect(sfn.describeExecution(`${stateMachineArn.replace(':stateMachine:', ':execution:')}:no-such-run`)).rejects.toMatchObject({ name: 'ExecutionDoesNotExist' });
  });
});
