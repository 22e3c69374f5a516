/**
 * Step Functions executions behind the API: the ARN of an execution the API names, its end, and "parked" (idle in
 * a wait state), read through the real SDK client.
 */
import { DescribeExecutionCommand, GetExecutionHistoryCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { performance } from 'node:perf_hooks';
import { ConditionTimedOut } from '../lib/clock';

/**
 * The ARN of execution `name` of a state machine: Step Functions builds it from the state machine's ARN with
 * `execution` in place of `stateMachine` (the API resolves its ids the same way).
 *
 * @example
 * executionArnOf('arn:aws:states:us-east-1:000000000000:stateMachine:deploy', 'mesh-1');
 * // 'arn:aws:states:us-east-1:000000000000:execution:deploy:mesh-1'
 */
export function executionArnOf(stateMachineArn: string, name: string): string {
  if (!stateMachineArn.includes(':stateMachine:')) throw new RangeError(`not a state machine ARN: ${stateMachineArn}`);
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

/** How an execution ended. `stopDate` is Step Functions' own record of the end, exact whatever the poll interval. */
export type ExecutionEnd = { status: string; stopDate: Date; error?: string; cause?: string };

type Sfn = Pick<SFNClient, 'send'>;

/** Polls DescribeExecution until the execution leaves RUNNING; {@link ConditionTimedOut} after `timeoutMs`. */
export async function waitForExecutionEnd(sfn: Sfn, executionArn: string, options: { timeoutMs: number; intervalMs: number }): Promise<ExecutionEnd> {
  const deadline = performance.now() + options.timeoutMs;
  for (;;) {
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (described.status !== 'RUNNING' && described.status !== undefined) {
      return { status: described.status, stopDate: described.stopDate ?? new Date(), error: described.error, cause: described.cause };
    }
    if (performance.now() > deadline) throw new ConditionTimedOut(`${executionArn} still RUNNING after ${options.timeoutMs} ms`);
    await sleep(options.intervalMs);
  }
}

/** The number of events in an execution's history. */
export async function countHistoryEvents(sfn: Sfn, executionArn: string): Promise<number> {
  let count = 0;
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken }));
    count += page.events?.length ?? 0;
    nextToken = page.nextToken;
  } while (nextToken);
  return count;
}

/** The newest history event: its id and type (`WaitStateEntered`, `LambdaFunctionStarted`, ...). */
export type LastEvent = { id: number; type: string };

/**
 * Tracks successive readings of an execution's newest event and says when it is parked: the newest event is a
 * `WaitStateEntered` and no event has been added for `quietMs`. Pure (the caller reads the history and the clock),
 * so the rule is tested without an execution.
 */
export class ParkDetector {
  private last?: LastEvent;
  private since = 0;

  constructor(private readonly quietMs: number) {}

  /** Records a reading taken at `nowMs`; true once the execution counts as parked. */
  observe(event: LastEvent | undefined, nowMs: number): boolean {
    if (!event) return false;
    if (!this.last || this.last.id !== event.id) {
      this.last = event;
      this.since = nowMs;
      return false;
    }
    return event.type === 'WaitStateEntered' && nowMs - this.since >= this.quietMs;
  }
}

/**
 * Waits until the execution is parked in a wait state (see {@link ParkDetector}). A Map's items enter their waits
 * one after another, hence the quiet period rather than the first `WaitStateEntered`.
 */
export async function waitUntilParked(sfn: Sfn, executionArn: string, options: { quietMs: number; timeoutMs: number; intervalMs: number }): Promise<void> {
  const detector = new ParkDetector(options.quietMs);
  const deadline = performance.now() + options.timeoutMs;
  for (;;) {
    const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 1 }));
    const [newest] = page.events ?? [];
    const now = performance.now();
    if (detector.observe(newest ? { id: newest.id ?? 0, type: newest.type ?? '' } : undefined, now)) return;
    if (now > deadline) throw new ConditionTimedOut(`${executionArn} did not settle in a wait state within ${options.timeoutMs} ms`);
    await sleep(options.intervalMs);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
