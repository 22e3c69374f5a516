import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { ScriptedRun } from '../../unit/cli/support/history';

/**
 * A stand-in for the Step Functions API, just enough for meshctl: StartExecution, DescribeExecution,
 * GetExecutionHistory and ListExecutions over the AWS JSON 1.0 protocol (`POST /`, `X-Amz-Target:
 * AWSStepFunctions.<Operation>`, `application/x-amz-json-1.0`, timestamps as epoch seconds, errors as 400 with
 * `{"__type", "message"}`), so the real @aws-sdk/client-sfn talks to it.
 *
 * Executions play a scripted run: each DescribeExecution reveals `revealPerDescribe` more history events, and
 * the execution takes its final status once all are revealed. GetExecutionHistory pages are at most `pageSize`
 * events (the service may return fewer than maxResults), so clients must follow nextToken.
 */
export interface StubExecution {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  input: string;
  startDate: Date;
  run: ScriptedRun;
  revealed: number;
}

export class StepFunctionsStub {
  readonly executions: StubExecution[] = [];
  readonly calls: Array<{ operation: string; input: Record<string, unknown> }> = [];
  /** Events sent back by GetExecutionHistory, summed over all calls. */
  eventsReturned = 0;
  /** The run the next StartExecution plays. */
  nextRun: (() => ScriptedRun) | undefined;
  private server: Server | undefined;

  constructor(private readonly options: { revealPerDescribe: number; pageSize: number }) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve, reject) => this.server?.close((e) => (e ? reject(e) : resolve())));
  }

  /** Adds an execution that is already under way (another user's deployment). */
  seed(stateMachineArn: string, name: string, input: unknown, run: ScriptedRun, revealed = 1): StubExecution {
    const execution = { executionArn: `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`, stateMachineArn, name, input: JSON.stringify(input), startDate: new Date(), run, revealed };
    this.executions.push(execution);
    return execution;
  }

  operations(): string[] {
    return this.calls.map((c) => c.operation);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith('AWSStepFunctions.') ? target.slice('AWSStepFunctions.'.length) : '';
    const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
    this.calls.push({ operation, input });
    try {
      this.reply(res, 200, this.dispatch(operation, input));
    } catch (error) {
      const e = error as { code?: string; message: string };
      this.reply(res, 400, { __type: e.code ?? 'InternalError', message: e.message });
    }
  }

  private reply(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': `req-${this.calls.length}` });
    res.end(JSON.stringify(body));
  }

  private dispatch(operation: string, input: Record<string, unknown>): unknown {
    switch (operation) {
      case 'StartExecution':
        return this.startExecution(input);
      case 'DescribeExecution':
        return this.describeExecution(input);
      case 'GetExecutionHistory':
        return this.getExecutionHistory(input);
      case 'ListExecutions':
        return this.listExecutions(input);
      default:
        throw awsError('UnknownOperationException', `operation ${operation} is not supported`);
    }
  }

  private startExecution(input: Record<string, unknown>): unknown {
    const stateMachineArn = String(input.stateMachineArn);
    const name = String(input.name);
    const existing = this.executions.find((e) => e.stateMachineArn === stateMachineArn && e.name === name);
    // Idempotent by name only for the same input (and an open execution).
    if (existing && existing.input === input.input) return { executionArn: existing.executionArn, startDate: epoch(existing.startDate) };
    if (existing) throw awsError('ExecutionAlreadyExists', `Execution Already Exists: '${existing.executionArn}'`);
    if (!this.nextRun) throw awsError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${stateMachineArn}'`);
    const execution = this.seed(stateMachineArn, name, JSON.parse(String(input.input)), this.nextRun(), 0);
    return { executionArn: execution.executionArn, startDate: epoch(execution.startDate) };
  }

  private describeExecution(input: Record<string, unknown>): unknown {
    const e = this.find(String(input.executionArn));
    e.revealed = Math.min(e.run.events.length, e.revealed + this.options.revealPerDescribe);
    const done = e.revealed === e.run.events.length;
    return {
      executionArn: e.executionArn,
      stateMachineArn: e.stateMachineArn,
      name: e.name,
      status: done ? e.run.status : 'RUNNING',
      startDate: epoch(e.startDate),
      ...(done ? { stopDate: epoch(new Date(e.startDate.getTime() + 65_000)) } : {}),
      input: e.input,
      ...(done && e.run.output !== undefined ? { output: e.run.output } : {}),
      ...(done && e.run.error !== undefined ? { error: e.run.error, cause: e.run.cause } : {}),
    };
  }

  private getExecutionHistory(input: Record<string, unknown>): unknown {
    const e = this.find(String(input.executionArn));
    const visible = e.run.events.slice(0, e.revealed);
    const ordered = input.reverseOrder === true ? [...visible].reverse() : visible;
    const offset = input.nextToken === undefined ? 0 : Number(input.nextToken);
    const size = Math.min(this.options.pageSize, typeof input.maxResults === 'number' && input.maxResults > 0 ? input.maxResults : 1000);
    const page = ordered.slice(offset, offset + size);
    this.eventsReturned += page.length;
    const next = offset + size < ordered.length ? String(offset + size) : undefined;
    return { events: page.map(toWire), ...(next ? { nextToken: next } : {}) };
  }

  private listExecutions(input: Record<string, unknown>): unknown {
    const executions = this.executions
      .filter((e) => e.stateMachineArn === input.stateMachineArn)
      .map((e) => ({ e, status: e.revealed === e.run.events.length ? e.run.status : 'RUNNING' }))
      .filter(({ status }) => input.statusFilter === undefined || status === input.statusFilter)
      .reverse() // newest first, as Step Functions lists them
      .map(({ e, status }) => ({ executionArn: e.executionArn, stateMachineArn: e.stateMachineArn, name: e.name, status, startDate: epoch(e.startDate) }));
    return { executions };
  }

  private find(arn: string): StubExecution {
    const e = this.executions.find((x) => x.executionArn === arn);
    if (!e) throw awsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return e;
  }
}

function awsError(code: string, message: string): Error & { code: string } {
  return Object.assign(new Error(message), { code });
}

function epoch(date: Date): number {
  return date.getTime() / 1000;
}

/** A history event as the JSON protocol carries it: timestamps in epoch seconds. */
function toWire(event: HistoryEvent): Record<string, unknown> {
  return { ...event, timestamp: event.timestamp ? epoch(event.timestamp) : undefined };
}
