import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  StartExecutionCommand,
  StopExecutionCommand,
  type DescribeExecutionCommandOutput,
  type ExecutionListItem,
  type ExecutionStatus,
  type HistoryEvent,
  type SFNClient,
  type StartExecutionCommandOutput,
} from '@aws-sdk/client-sfn';

/**
 * The page sizes of the Step Functions API (API Reference, request parameters): ListExecutions and
 * GetExecutionHistory answer at most 1,000 items a page; 0 or no `maxResults` means the service's default (100).
 */
export const SFN_LIMITS = { listPage: 1000, historyPage: 1000 } as const;

export interface ExecutionQuery {
  stateMachineArn: string;
  statusFilter?: ExecutionStatus;
  /** Executions a page, at most 1,000 (100 when not given). */
  maxResults?: number;
}

export interface HistoryQuery {
  executionArn: string;
  /** Newest first. */
  reverseOrder?: boolean;
  /** Events a page, at most 1,000 (the default). */
  pageSize?: number;
  /** With each event's input and output (`includeExecutionData`, true by default as in the API). */
  includeExecutionData?: boolean;
}

/**
 * Every Step Functions call the orchestrator makes, with the API's page sizes and paging handled here, once.
 * Features depend on a `Pick` of the calls they make. Errors are the SDK's own (`ExecutionDoesNotExist`,
 * `ExecutionAlreadyExists`, ...), never rewrapped.
 */
export interface SfnApi {
  /** StartExecution. Throws `ExecutionAlreadyExists` for a name used with another input (same input: the same execution). */
  startExecution(input: { stateMachineArn: string; name: string; input: string }): Promise<Pick<StartExecutionCommandOutput, 'executionArn' | 'startDate'>>;
  /** DescribeExecution. Throws `ExecutionDoesNotExist` for an unknown execution. */
  describeExecution(executionArn: string): Promise<Omit<DescribeExecutionCommandOutput, '$metadata'>>;
  /** StopExecution with the error name and cause the execution's history records. */
  stopExecution(executionArn: string, reason: { error: string; cause: string }): Promise<void>;
  /** One ListExecutions page (newest first): the executions and the token of the next page, if any. */
  listExecutionsPage(query: ExecutionQuery & { nextToken?: string }): Promise<{ executions: ExecutionListItem[]; nextToken?: string }>;
  /** The executions of a state machine (newest first), page after page; stop iterating to stop reading. */
  executionPages(query: ExecutionQuery): AsyncIterable<ExecutionListItem[]>;
  /** An execution's history events, page after page (oldest first unless `reverseOrder`); stop iterating to stop reading. */
  historyPages(query: HistoryQuery): AsyncIterable<HistoryEvent[]>;
}

/**
 * The Step Functions adapter over a real SDK client.
 * @example
 * const sfn = createSfnApi(new SFNClient({ maxAttempts: 8, retryMode: 'standard' }));
 * for await (const page of sfn.executionPages({ stateMachineArn, statusFilter: 'RUNNING' })) ...
 */
export function createSfnApi(client: Pick<SFNClient, 'send'>): SfnApi {
  const api: SfnApi = {
    async startExecution(input) {
      const { executionArn, startDate } = await client.send(new StartExecutionCommand(input));
      return { executionArn, startDate };
    },
    async describeExecution(executionArn) {
      const { $metadata: _, ...described } = await client.send(new DescribeExecutionCommand({ executionArn }));
      return described;
    },
    async stopExecution(executionArn, reason) {
      await client.send(new StopExecutionCommand({ executionArn, error: reason.error, cause: reason.cause }));
    },
    async listExecutionsPage(query) {
      const maxResults = Math.min(query.maxResults ?? 100, SFN_LIMITS.listPage);
      const page = await client.send(new ListExecutionsCommand({ stateMachineArn: query.stateMachineArn, statusFilter: query.statusFilter, maxResults, nextToken: query.nextToken }));
      return { executions: page.executions ?? [], ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
    },
    async *executionPages(query) {
      let nextToken: string | undefined;
      do {
        const page = await api.listExecutionsPage({ ...query, nextToken });
        yield page.executions;
        nextToken = page.nextToken;
      } while (nextToken);
    },
    async *historyPages(query) {
      const maxResults = Math.min(query.pageSize ?? SFN_LIMITS.historyPage, SFN_LIMITS.historyPage);
      let nextToken: string | undefined;
      do {
        const page = await client.send(
          new GetExecutionHistoryCommand({
            executionArn: query.executionArn,
            reverseOrder: query.reverseOrder,
            maxResults,
            nextToken,
            includeExecutionData: query.includeExecutionData ?? true,
          }),
        );
        yield page.events ?? [];
        nextToken = page.nextToken;
      } while (nextToken);
    },
  };
  return api;
}
