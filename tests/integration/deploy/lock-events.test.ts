import { DescribeExecutionCommand, GetExecutionHistoryCommand, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { type LocalCloud, buildExecutionStatusChangeEvent, MAX_PAYLOAD_BYTES } from '@consul-mesh/local-cloud';
import { deploy, referenceSpec, sfnClient, startCloud, uploadContexts } from './harness';
import { ctx, LOCK, lockHolder, SLOW, startAndReachServers } from './lock-support';

/**
 * A deployment or rollout that ends where no Catch sees it still frees its lock (DESIGN.md section 9): Step
 * Functions puts an `Execution Status Change` event on EventBridge's default bus, and the `executionEnded` function
 * releases the locks the ended execution holds, before any next operation comes to take them over. The event
 * path is idempotent: a duplicate or late event never releases a lock another execution holds.
 */

const ROLLOUT_LOCK = '/consul-mesh/reference-mesh/rollouts/users/lock';
const RELEASED = 'locks of an ended execution released';

// One cloud for the file: the Lambda runtime keeps the handlers' SDK clients (bound to the first cloud's ports).
let cloud: LocalCloud;
/** What the functions log: JSON lines through the Powertools logger (warnings and errors on stderr). */
const logged: string[] = [];
let restoreOutput: () => void;
beforeAll(async () => {
  cloud = await startCloud({ ecsDelays: SLOW, functionEnvironment: { LOG_LEVEL: 'WARN', POWERTOOLS_METRICS_DISABLED: 'true' } });
  const spies = [process.stdout, process.stderr].map((stream) =>
    jest.spyOn(stream, 'write').mockImplementation((chunk: unknown) => {
      logged.push(String(chunk));
      return true;
    }),
  );
  restoreOutput = () => spies.forEach((spy) => spy.mockRestore());
});
afterAll(async () => {
  restoreOutput?.();
  await cloud?.stop();
});

/** The release log lines (parsed) that name `execution`. */
function releaseLogs(execution: string): Array<{ message: string; execution: string; status: string; locks: string[] }> {
  return logged
    .flatMap((chunk) => chunk.split('\n'))
    .filter((line) => line.includes(RELEASED) && line.includes(execution))
    .map((line) => JSON.parse(line) as { message: string; execution: string; status: string; locks: string[] });
}

async function parameterHolder(name: string): Promise<string | undefined> {
  try {
    const { Parameter } = (await cloud.ssm.operations.GetParameter({ Name: name }, ctx)) as { Parameter: { Value: string } };
    return (JSON.parse(Parameter.Value) as { holder: string }).holder;
  } catch {
    return undefined;
  }
}

/**
 * Waits (bounded, well under the lock's hours) until `name` is no longer held, then for the deliveries in flight
 * to end (the function logs once it has released).
 */
async function waitForRelease(name: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await parameterHolder(name)) !== undefined) {
    if (Date.now() > deadline) throw new Error(`${name} is still held by ${await parameterHolder(name)} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
  await cloud.events.drain();
}

async function waitForHolder(name: string, holder: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await parameterHolder(name)) !== holder) {
    if (Date.now() > deadline) throw new Error(`${holder} never took ${name}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function waitForEnd(executionArn: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const described = await sfnClient(cloud).send(new DescribeExecutionCommand({ executionArn }));
    if (described.status !== 'RUNNING') return described;
    if (Date.now() > deadline) throw new Error(`${executionArn} still runs after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * An execution whose first step runs, takes its lock, and then fails with `States.DataLimitExceeded`, which no Catch
 * (not even `States.ALL`) handles, so the failure path that releases the lock never runs. The state machines carry
 * the input's `settings` in their state (the steps read only the fields they know): padded so that the first step's
 * task input is exactly Step Functions' 256 KB quota, the state grows past it as the step results are added.
 * `firstTaskInput` is that step's Parameters for a given input (the execution ARN is its `executionId`).
 */
function paddedInput<T extends { settings: Record<string, unknown> }>(input: T, firstTaskInput: (input: T) => unknown): string {
  const withNote = (note: string): T => ({ ...input, settings: { ...input.settings, note } });
  const room = MAX_PAYLOAD_BYTES - Buffer.byteLength(JSON.stringify(firstTaskInput(withNote(''))));
  return JSON.stringify(withNote('x'.repeat(room)));
}

/** The ARN StartExecution gives an execution of `machineArn` named `name`. */
function executionArnOf(machineArn: string, name: string): string {
  return `${machineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

async function deploymentStates(executionArn: string): Promise<string[]> {
  const { events = [] } = await sfnClient(cloud).send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
  return events.flatMap((e) => (e.stateEnteredEventDetails?.name ? [e.stateEnteredEventDetails.name] : []));
}

/** Whether the execution's history shows the Lambda of `state` succeeding (its lock was taken). */
async function stepSucceeded(executionArn: string, state: string): Promise<boolean> {
  const { events = [] } = await sfnClient(cloud).send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
  const entered = events.findIndex((e) => e.stateEnteredEventDetails?.name === state);
  return entered >= 0 && events.slice(entered).some((e) => e.type === 'LambdaFunctionSucceeded');
}

describe('the event path releases the locks of executions that ended where no Catch saw it', () => {
  it('releases the mesh lock of a deployment stopped with StopExecution, and the next deployment starts at once', async () => {
    const stopped = await startAndReachServers(cloud);
    expect(await lockHolder(cloud)).toBe(stopped);
    await sfnClient(cloud).send(new StopExecutionCommand({ executionArn: stopped, error: 'Stopped', cause: 'by hand' }));

    await waitForRelease(LOCK);
    expect(releaseLogs(stopped)).toEqual([expect.objectContaining({ message: RELEASED, execution: stopped, status: 'ABORTED', locks: [LOCK] })]);
    const next = await deploy(cloud, referenceSpec(), { timeoutMs: 60_000 });
    expect({ status: next.status, error: next.error, cause: next.cause }).toEqual({ status: 'SUCCEEDED', error: undefined, cause: undefined });
  }, 120_000);

  it('releases the mesh lock of a deployment failed by States.DataLimitExceeded, which no Catch handles', async () => {
    const sfn = sfnClient(cloud);
    await uploadContexts(cloud, referenceSpec());
    const deploymentId = `d-limit-${Date.now().toString(36)}`;
    const name = `reference-mesh-${deploymentId}`;
    const executionId = executionArnOf(cloud.stateMachines.deployMesh, name);
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: cloud.stateMachines.deployMesh,
        name,
        // The Plan step's Parameters (state-machines/deploy-mesh.asl.json).
        input: paddedInput({ deploymentId, spec: referenceSpec(), settings: { pollSeconds: 0, maxRounds: 4000 } }, (i) => ({ deploymentId: i.deploymentId, spec: i.spec, settings: i.settings, executionId })),
      }),
    );
    const failed = await waitForEnd(executionArn!);
    expect({ status: failed.status, error: failed.error }).toEqual({ status: 'FAILED', error: 'States.DataLimitExceeded' });
    expect(await stepSucceeded(executionArn!, 'Plan')).toBe(true);
    expect((await deploymentStates(executionArn!)).filter((s) => s.startsWith('Failed:') || s === 'RecordFailure')).toEqual([]);

    await waitForRelease(LOCK);
    expect(releaseLogs(executionArn!)).toEqual([expect.objectContaining({ execution: executionArn, status: 'FAILED', locks: [LOCK] })]);
    const next = await deploy(cloud, referenceSpec(), { timeoutMs: 60_000 });
    expect({ status: next.status, error: next.error }).toEqual({ status: 'SUCCEEDED', error: undefined });
  }, 120_000);

  it('releases the rollout lock of a rollout failed by States.DataLimitExceeded, and of one stopped with StopExecution', async () => {
    const sfn = sfnClient(cloud);
    const rollout = (suffix: string, pad: boolean) => {
      const rolloutId = `r-${new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14)}-${suffix}`;
      const name = `users-${rolloutId.slice(2)}`;
      const executionId = executionArnOf(cloud.stateMachines.rolloutService, name);
      const input = { rolloutId, service: 'users', request: { image: 'public.ecr.aws/example/users:2.0.0' }, settings: { pollSeconds: 0, maxRounds: 1000 } };
      return sfn.send(
        new StartExecutionCommand({
          stateMachineArn: cloud.stateMachines.rolloutService,
          name,
          // The Prepare step's Parameters (state-machines/rollout-service.asl.json).
          input: pad ? paddedInput(input, (i) => ({ ...i, executionId })) : JSON.stringify(input),
        }),
      );
    };

    const { executionArn: overLimit } = await rollout('limit1', true);
    const failed = await waitForEnd(overLimit!);
    expect({ status: failed.status, error: failed.error }).toEqual({ status: 'FAILED', error: 'States.DataLimitExceeded' });
    expect(await stepSucceeded(overLimit!, 'Prepare')).toBe(true);
    await waitForRelease(ROLLOUT_LOCK);
    expect(releaseLogs(overLimit!)).toEqual([expect.objectContaining({ status: 'FAILED', locks: [ROLLOUT_LOCK] })]);

    const { executionArn: stopped } = await rollout('stop01', false);
    await waitForHolder(ROLLOUT_LOCK, stopped!);
    await sfn.send(new StopExecutionCommand({ executionArn: stopped }));
    await waitForRelease(ROLLOUT_LOCK);
    expect(releaseLogs(stopped!)).toEqual([expect.objectContaining({ status: 'ABORTED', locks: [ROLLOUT_LOCK] })]);

    // The next rollout of the service takes the lock at once.
    const { executionArn: next } = await rollout('next01', false);
    await waitForHolder(ROLLOUT_LOCK, next!);
    await sfn.send(new StopExecutionCommand({ executionArn: next }));
    await waitForRelease(ROLLOUT_LOCK);
  }, 120_000);

  it('refuses a rollout while a deployment holds the mesh lock, naming the deployment, since when, and how to cancel it', async () => {
    const running = await startAndReachServers(cloud);
    const rolloutId = `r-${new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14)}-busy01`;
    const { executionArn } = await sfnClient(cloud).send(
      new StartExecutionCommand({
        stateMachineArn: cloud.stateMachines.rolloutService,
        name: `users-${rolloutId.slice(2)}`,
        input: JSON.stringify({ rolloutId, service: 'users', request: { image: 'public.ecr.aws/example/users:2.0.0' }, settings: { pollSeconds: 0, maxRounds: 100 } }),
      }),
    );
    const refused = await waitForEnd(executionArn!);
    expect({ status: refused.status, error: refused.error }).toEqual({ status: 'FAILED', error: 'ConcurrentOperation' });
    const { message } = JSON.parse(refused.cause!) as { message: string };
    expect(message).toContain(`the mesh lock is held by a deployment (execution ${running}, since `);
    expect(message).toContain(`meshctl cancel ${running} --state-machine-arn ${cloud.stateMachines.deployMesh}`);

    await sfnClient(cloud).send(new StopExecutionCommand({ executionArn: running }));
    await waitForRelease(LOCK);
  }, 120_000);

  it('releases nothing for a twice-delivered or late event when another execution holds the lock', async () => {
    // A deployment that ended (stopped) and whose own event already released its lock.
    const ended = await startAndReachServers(cloud);
    await sfnClient(cloud).send(new StopExecutionCommand({ executionArn: ended }));
    await waitForRelease(LOCK);
    const endedEvent = buildExecutionStatusChangeEvent(cloud.stepFunctions.execution(ended)!, 'us-east-1');

    // Another deployment holds the mesh lock now, and a rollout lock names it too.
    const running = await startAndReachServers(cloud);
    await cloud.ssm.operations.PutParameter({ Name: ROLLOUT_LOCK, Type: 'String', Overwrite: true, Value: JSON.stringify({ holder: running, expiresAt: Date.now() + 3600_000 }) }, ctx);
    // The ended execution's event again, twice (EventBridge delivers at least once, in any order)...
    cloud.events.publish({ ...endedEvent, id: 'duplicate-1' });
    cloud.events.publish({ ...endedEvent, id: 'duplicate-2' });
    // ...and a FAILED event naming the running execution (a late event of an execution redriven since looks so).
    const late = buildExecutionStatusChangeEvent({ ...cloud.stepFunctions.execution(running)!, status: 'FAILED', stopDate: Date.now() }, 'us-east-1');
    cloud.events.publish(late);
    await cloud.events.drain();

    expect(await lockHolder(cloud)).toBe(running);
    expect(await parameterHolder(ROLLOUT_LOCK)).toBe(running);
    expect(releaseLogs(ended)).toHaveLength(1);
    expect(releaseLogs(running)).toEqual([]);

    await sfnClient(cloud).send(new StopExecutionCommand({ executionArn: running }));
    await waitForRelease(LOCK);
    await waitForRelease(ROLLOUT_LOCK);
  }, 120_000);
});
