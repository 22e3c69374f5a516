import { GetExecutionHistoryCommand, ListExecutionsCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
import type { LocalCloud } from '@consul-mesh/local-cloud';
import { MAX_SERVICES, MAX_SPEC_BYTES, submittedSpecBytes } from '../../../layers/domain/spec';
import { api, asJson, startApiCloud, until } from '../api/harness';
import { sfnClient } from './harness';
import { largestSpec } from './largest-spec';

/** Step Functions' quota for a state's output and a task's input (DESIGN.md section 7). */
const STEP_FUNCTIONS_BYTES = 256 * 1024;
/** What "small" means for the state: the spec is never in it, so it holds a plan and statuses only. */
const SMALL_STATE_BYTES = 96 * 1024;

const bytes = (json: string | undefined) => Buffer.byteLength(json ?? '', 'utf8');

/**
 * The largest spec the API accepts (MAX_SPEC_BYTES as submitted, MAX_SERVICES services) deploys through the API on
 * the local cloud, which fails an execution with States.DataLimitExceeded as Step Functions does. The spec stays in
 * the execution input: no state's output holds it, and every task input (the spec next to a plan or a status) stays
 * under 256 KB.
 */
describe('the largest spec the API accepts', () => {
  let cloud: LocalCloud;

  beforeAll(async () => {
    cloud = await startApiCloud();
  }, 60_000);

  afterAll(async () => {
    await cloud?.stop();
  });

  it('is refused one byte larger, saying what was measured', async () => {
    const answer = await api(cloud, '/deployments', asJson(largestSpec({ extraBytes: 1 })));
    expect(answer.status).toBe(400);
    expect(answer.body.error.details).toEqual([
      { path: '(root)', message: expect.stringContaining(`the spec is ${MAX_SPEC_BYTES + 1} bytes as submitted (JSON, build contexts with their content hash)`) },
    ]);
  });

  it('deploys through the API, with no state over a small bound and no task input over 256 KB', async () => {
    const spec = largestSpec();
    expect(submittedSpecBytes(spec)).toBe(MAX_SPEC_BYTES);
    // Its clusters are not those of the stack's meshSpec parameter (examples/mesh.yaml), which the task-event rule
    // follows: their tasks are registered by the scheduled reconcile (rate(1 minute)), so the wait loops poll each
    // second for long enough to see it.
    const started = await api(cloud, '/deployments?pollSeconds=1&maxRounds=240', asJson(spec));
    expect(started.status).toBe(202);
    const done = await until(cloud, `/deployments/${started.body.id}`, (b) => b.status !== 'RUNNING', 540_000);
    expect({ status: done.status, failure: done.failure }).toEqual({ status: 'SUCCEEDED', failure: undefined });
    expect(done.summary.clusters.flatMap((c: { services: unknown[] }) => c.services)).toHaveLength(MAX_SERVICES + 2);

    const sfn = sfnClient(cloud);
    const { executions = [] } = await sfn.send(new ListExecutionsCommand({ stateMachineArn: cloud.stateMachines.deployMesh }));
    const execution = executions.find((e) => e.name === started.body.execution)!;
    const history: HistoryEvent[] = [];
    let nextToken: string | undefined;
    do {
      const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn: execution.executionArn, maxResults: 1000, nextToken }));
      history.push(...(page.events ?? []));
      nextToken = page.nextToken;
    } while (nextToken);

    const outputs = history.filter((e) => e.stateExitedEventDetails).map((e) => ({ state: e.stateExitedEventDetails!.name, bytes: bytes(e.stateExitedEventDetails!.output) }));
    // A Lambda ARN as a Task's Resource is recorded as LambdaFunctionScheduled (input), an integration as TaskScheduled.
    const taskInputs = history.flatMap((e) => [e.lambdaFunctionScheduledEventDetails?.input, e.taskScheduledEventDetails?.parameters]).filter((i) => i !== undefined).map(bytes);
    expect(taskInputs.length).toBeGreaterThan(10);
    const largestOutput = outputs.reduce((a, b) => (b.bytes > a.bytes ? b : a));
    expect(largestOutput.bytes).toBeLessThan(SMALL_STATE_BYTES);
    expect(Math.max(...taskInputs)).toBeLessThan(STEP_FUNCTIONS_BYTES);
    // The spec itself (its padding) is in no state's output.
    expect(history.some((e) => e.stateExitedEventDetails?.output?.includes('xxxxxxxxxxxxxxxx'))).toBe(false);
  }, 600_000);
});
