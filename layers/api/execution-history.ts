import { GetExecutionHistoryCommand, type HistoryEvent, type SFNClient } from '@aws-sdk/client-sfn';

/**
 * Every event of an execution's history, oldest first, 1,000 a page (GetExecutionHistory's maximum). The views of
 * rollouts, rotations and teardowns are computed from it.
 */
export async function executionHistory(sfn: Pick<SFNClient, 'send'>, executionArn: string, includeExecutionData = true): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken, includeExecutionData }));
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}
