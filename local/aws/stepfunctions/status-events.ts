/**
 * The `Step Functions Execution Status Change` event Step Functions puts on the account's default EventBridge bus
 * whenever a Standard execution changes status: RUNNING when it starts, then SUCCEEDED, FAILED, TIMED_OUT or
 * ABORTED (https://docs.aws.amazon.com/step-functions/latest/dg/eventbridge-integration.html). Delivery is best
 * effort, so a consumer must tolerate an event delivered twice, late, or not at all.
 *
 * The detail is what DescribeExecution reports, with dates in epoch milliseconds and `input`/`output` as JSON text.
 * An event carries at most 248 KiB of execution data: when the input and output together are larger, both are
 * `null` and `inputDetails`/`outputDetails` say `included: false`. `output` is `null` (and `outputDetails` too)
 * until an execution succeeds; `error`/`cause` are `null` unless it failed, timed out or was stopped with them.
 */
import { randomUUID } from 'node:crypto';
import { LOCAL_ACCOUNT_ID } from '../protocol';
import type { ExecutionStatus } from './execution';
import { payloadBytes } from './limits';

/** Execution data an event may carry, input and output together (248 KiB). */
export const MAX_EVENT_EXECUTION_DATA_BYTES = 248 * 1024;

export interface ExecutionStatusChangeEvent {
  version: '0';
  id: string;
  'detail-type': 'Step Functions Execution Status Change';
  source: 'aws.states';
  account: string;
  /** ISO time without milliseconds, as EventBridge writes it. */
  time: string;
  region: string;
  /** The execution ARN. */
  resources: [string];
  detail: {
    executionArn: string;
    stateMachineArn: string;
    name: string;
    status: ExecutionStatus;
    startDate: number;
    stopDate: number | null;
    input: string | null;
    inputDetails: { included: boolean };
    output: string | null;
    outputDetails: { included: boolean } | null;
    error: string | null;
    cause: string | null;
  };
}

/** What the event is built from: an execution at the moment its status changed. */
export interface ExecutionStatusView {
  readonly arn: string;
  readonly name: string;
  readonly stateMachineArn: string;
  readonly status: ExecutionStatus;
  readonly startDate: number;
  readonly stopDate?: number;
  readonly input: string;
  readonly output?: string;
  readonly error?: string;
  readonly cause?: string;
}

/** Receives the status-change events (the composition puts them on the local EventBridge bus). */
export type ExecutionEventSink = (event: ExecutionStatusChangeEvent) => void;

export function buildExecutionStatusChangeEvent(execution: ExecutionStatusView, region: string, time = new Date()): ExecutionStatusChangeEvent {
  const hasOutput = execution.output !== undefined;
  // The 248 KiB cap is on input and output together: over it, neither is carried (both details say so).
  const included = payloadBytes(execution.input) + (hasOutput ? payloadBytes(execution.output as string) : 0) <= MAX_EVENT_EXECUTION_DATA_BYTES;
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    account: LOCAL_ACCOUNT_ID,
    time: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region,
    resources: [execution.arn],
    detail: {
      executionArn: execution.arn,
      stateMachineArn: execution.stateMachineArn,
      name: execution.name,
      status: execution.status,
      startDate: execution.startDate,
      stopDate: execution.stopDate ?? null,
      input: included ? execution.input : null,
      inputDetails: { included },
      output: hasOutput && included ? (execution.output as string) : null,
      outputDetails: hasOutput ? { included } : null,
      error: execution.error ?? null,
      cause: execution.cause ?? null,
    },
  };
}
