import { FilterLogEventsCommand, type CloudWatchLogsClient, type FilterLogEventsCommandInput, type FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';

/** One page of FilterLogEvents. */
export interface LogEventsPage {
  events: FilteredLogEvent[];
  /** Set while more pages match: pass it back for the next. */
  nextToken?: string;
}

/**
 * The CloudWatch Logs calls the orchestrator makes (GET /activity reads its functions' log groups). Errors are the
 * SDK's own: a log group that does not exist is `ResourceNotFoundException`.
 */
export interface LogsApi {
  /**
   * One FilterLogEvents page (at most `limit` events, 10,000 and 1 MB by the API). A page can be empty and still carry
   * a `nextToken`: CloudWatch Logs stops a call after a time budget, so callers follow the token, within their bounds.
   */
  filterLogEvents(input: FilterLogEventsCommandInput): Promise<LogEventsPage>;
}

/** @example const logs = createLogsApi(new CloudWatchLogsClient({})); await logs.filterLogEvents({ logGroupName, filterPattern }); */
export function createLogsApi(client: Pick<CloudWatchLogsClient, 'send'>): LogsApi {
  const api: LogsApi = {
    async filterLogEvents(input) {
      const page = await client.send(new FilterLogEventsCommand(input));
      return { events: page.events ?? [], ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
    },
  };
  return api;
}
