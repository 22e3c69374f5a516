import { PutEventsCommand, type EventBridgeClient, type PutEventsRequestEntry, type PutEventsResultEntry } from '@aws-sdk/client-eventbridge';
import { batches } from './ecs';

/** PutEvents takes at most 10 entries a call (EventBridge API Reference). */
export const EVENTBRIDGE_LIMITS = { putBatch: 10 } as const;

/** The EventBridge calls the orchestrator makes. */
export interface EventsApi {
  /**
   * PutEvents in batches of 10. EventBridge accepts a call and may still refuse some of its entries (each with an
   * `ErrorCode`, counted in `FailedEntryCount`): those are returned, the others were published.
   */
  putEvents(entries: readonly PutEventsRequestEntry[]): Promise<PutEventsResultEntry[]>;
}

/** @example const events = createEventsApi(new EventBridgeClient({})); await events.putEvents([{ Source, DetailType, Detail }]); */
export function createEventsApi(client: Pick<EventBridgeClient, 'send'>): EventsApi {
  const api: EventsApi = {
    async putEvents(entries) {
      const failed: PutEventsResultEntry[] = [];
      for (const batch of batches(entries, EVENTBRIDGE_LIMITS.putBatch)) {
        const answer = await client.send(new PutEventsCommand({ Entries: batch }));
        for (const entry of answer.Entries ?? []) if (entry.ErrorCode) failed.push(entry);
      }
      return failed;
    },
  };
  return api;
}
