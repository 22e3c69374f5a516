/**
 * The log groups of one region, their streams and events, in memory. Storage is bounded per group: past
 * `maxEventsPerGroup` the oldest events are dropped (AWS keeps them for the group's retention; a local cloud that ran
 * for days must not grow without end).
 */

export interface StoredEvent {
  /** Global ingestion order: ties between equal timestamps keep it, and page tokens point into it. */
  readonly seq: number;
  readonly logStreamName: string;
  /** Epoch milliseconds (CloudWatch Logs counts in ms, unlike the other JSON services' epoch seconds). */
  readonly timestamp: number;
  readonly ingestionTime: number;
  readonly message: string;
}

export interface LogStream {
  readonly name: string;
  readonly creationTime: number;
  firstEventTimestamp?: number;
  lastEventTimestamp?: number;
  lastIngestionTime?: number;
  storedBytes: number;
}

export interface LogGroup {
  readonly name: string;
  readonly creationTime: number;
  retentionInDays?: number;
  readonly tags: Record<string, string>;
  readonly streams: Map<string, LogStream>;
  /** Sorted by (timestamp, seq): FilterLogEvents answers in that order. */
  events: StoredEvent[];
  storedBytes: number;
}

/** Default bound of the events kept per log group. */
export const DEFAULT_MAX_EVENTS_PER_GROUP = 20_000;

export class LogStore {
  readonly groups = new Map<string, LogGroup>();
  private seq = 0;

  constructor(readonly maxEventsPerGroup = DEFAULT_MAX_EVENTS_PER_GROUP) {}

  createGroup(name: string, now: number, tags: Record<string, string> = {}): LogGroup {
    const group: LogGroup = { name, creationTime: now, tags, streams: new Map(), events: [], storedBytes: 0 };
    this.groups.set(name, group);
    return group;
  }

  createStream(group: LogGroup, name: string, now: number): LogStream {
    const stream: LogStream = { name, creationTime: now, storedBytes: 0 };
    group.streams.set(name, stream);
    return stream;
  }

  /** Appends events (already validated), keeping the group's order and its bound. */
  append(group: LogGroup, stream: LogStream, events: ReadonlyArray<{ timestamp: number; message: string }>, now: number): void {
    for (const event of events) {
      const stored: StoredEvent = { seq: ++this.seq, logStreamName: stream.name, timestamp: event.timestamp, ingestionTime: now, message: event.message };
      insertSorted(group.events, stored);
      const bytes = Buffer.byteLength(event.message);
      group.storedBytes += bytes;
      stream.storedBytes += bytes;
      stream.firstEventTimestamp = Math.min(stream.firstEventTimestamp ?? event.timestamp, event.timestamp);
      stream.lastEventTimestamp = Math.max(stream.lastEventTimestamp ?? event.timestamp, event.timestamp);
      stream.lastIngestionTime = now;
    }
    const excess = group.events.length - this.maxEventsPerGroup;
    if (excess > 0) {
      // Drop the oldest by timestamp: what a retention period would have expired first.
      for (const dropped of group.events.splice(0, excess)) group.storedBytes -= Buffer.byteLength(dropped.message);
    }
  }
}

/** Events mostly arrive in order: search from the end. */
function insertSorted(events: StoredEvent[], event: StoredEvent): void {
  let i = events.length;
  while (i > 0 && events[i - 1].timestamp > event.timestamp) i--;
  events.splice(i, 0, event);
}
