import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { SfnApi } from '../adapters/sfn';

/**
 * Every event of an execution's history, oldest first, 1,000 a page (GetExecutionHistory's maximum). The views of
 * rollouts, rotations and teardowns are computed from it.
 */
export async function executionHistory(sfn: Pick<SfnApi, 'historyPages'>, executionArn: string, includeExecutionData = true): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  for await (const page of sfn.historyPages({ executionArn, pageSize: 1000, includeExecutionData })) events.push(...page);
  return events;
}
