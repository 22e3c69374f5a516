/**
 * An execution's history reduced to what the benchmark reads: each event's type, time, state name and Map
 * iteration index. Small enough to pass from a worker process, and independent of the SDK's types.
 */

/** One history event. `atMs` is epoch milliseconds (the history's timestamps have millisecond precision). */
export type TimelineEvent = {
  id: number;
  type: string;
  atMs: number;
  /** The state a `*StateEntered`/`*StateExited` event is about, or the Map a `MapIteration*` event belongs to. */
  name?: string;
  /** `MapIteration*`: the item's index. */
  index?: number;
  /** `MapStateStarted`: how many items the Map iterates. */
  length?: number;
};

/** The fields of a GetExecutionHistory event the timeline keeps (the SDK's `HistoryEvent` has them). */
export interface HistoryEventLike {
  id?: number;
  type?: string;
  timestamp?: Date | number;
}

/** Converts history events (SDK shape: `timestamp` a Date, details under `<type>EventDetails`) to a timeline. */
export function toTimeline(history: readonly HistoryEventLike[]): TimelineEvent[] {
  return history.map((event, position) => {
    const details = detailsOf(event);
    const timestamp = event.timestamp;
    const atMs = timestamp instanceof Date ? timestamp.getTime() : typeof timestamp === 'number' ? timestamp : Number.NaN;
    if (!Number.isFinite(atMs)) throw new RangeError(`history event ${event.id ?? position + 1} has no timestamp`);
    const entry: TimelineEvent = { id: event.id ?? position + 1, type: event.type ?? 'Unknown', atMs };
    if (typeof details?.name === 'string') entry.name = details.name;
    if (typeof details?.index === 'number') entry.index = details.index;
    if (typeof details?.length === 'number') entry.length = details.length;
    return entry;
  });
}

/** The event's one `<type>EventDetails` object, whatever its type. */
function detailsOf(event: HistoryEventLike): Record<string, unknown> | undefined {
  for (const [key, value] of Object.entries(event)) {
    if (key.endsWith('EventDetails') && value !== null && typeof value === 'object') return value as Record<string, unknown>;
  }
  return undefined;
}

/** True for the events Step Functions Standard bills: each state entered is one state transition. */
export function isStateEntered(event: Pick<TimelineEvent, 'type'>): boolean {
  return event.type.endsWith('StateEntered');
}

/** Milliseconds from the execution's start (`ExecutionStarted`) to its end (`ExecutionSucceeded` or another close). */
export function executionSpanMs(timeline: readonly TimelineEvent[]): number {
  const started = timeline.find((e) => e.type === 'ExecutionStarted');
  const closed = timeline.find((e) => /^Execution(Succeeded|Failed|Aborted|TimedOut)$/.test(e.type));
  if (!started || !closed) throw new RangeError('the history has no ExecutionStarted or no closing event');
  return closed.atMs - started.atMs;
}
