/**
 * Figures read from an execution's history: state transitions (what Step Functions Standard bills), how often each
 * state ran, when each stage ran and how many Map iterations ran at the same time.
 */
import { isStateEntered, type TimelineEvent } from './timeline';

export type TransitionCount = {
  /** `*StateEntered` events: Standard workflows are billed per state transition, one per state entered. */
  transitions: number;
  /** Every history event; a Standard execution fails when its history reaches 25,000 events. */
  historyEvents: number;
  /** Transitions per state name. */
  byState: Record<string, number>;
};

/**
 * Counts the state transitions of one execution.
 *
 * @example
 * countTransitions(timeline).transitions; // about 150–160 for a fresh reference deployment at zero delays
 */
export function countTransitions(timeline: readonly TimelineEvent[]): TransitionCount {
  const byState: Record<string, number> = {};
  let transitions = 0;
  for (const event of timeline) {
    if (!isStateEntered(event)) continue;
    transitions += 1;
    const name = event.name ?? '(unnamed)';
    byState[name] = (byState[name] ?? 0) + 1;
  }
  return { transitions, historyEvents: timeline.length, byState };
}

/** A time interval in epoch milliseconds. */
export type Span = { startMs: number; endMs: number };

/** A stage or state that never ran in this execution. */
export class StateNotInHistory extends Error {
  override readonly name = 'StateNotInHistory';
}

/**
 * From the first time `fromState` was entered to the last time `toState` was exited: a stage made of several
 * states (e.g. `ServersEnsure` … `ServersReady?`), or one state when both names are the same.
 */
export function stageSpan(timeline: readonly TimelineEvent[], fromState: string, toState: string = fromState): Span {
  const entered = timeline.find((e) => isStateEntered(e) && e.name === fromState);
  const exited = [...timeline].reverse().find((e) => e.type.endsWith('StateExited') && e.name === toState);
  if (!entered) throw new StateNotInHistory(`state ${fromState} was never entered`);
  if (!exited) throw new StateNotInHistory(`state ${toState} was never exited`);
  return { startMs: entered.atMs, endMs: exited.atMs };
}

/**
 * Each visit of a state (entered → exited), pairing the n-th entry with the n-th exit. Only meaningful for a
 * state that is not inside concurrently running Map iterations (whose visits interleave).
 */
export function visits(timeline: readonly TimelineEvent[], state: string): Span[] {
  const entered = timeline.filter((e) => isStateEntered(e) && e.name === state);
  const exited = timeline.filter((e) => e.type.endsWith('StateExited') && e.name === state);
  return entered.slice(0, exited.length).map((e, i) => ({ startMs: e.atMs, endMs: exited[i].atMs }));
}

export type IterationSpan = Span & { index: number };

/** Each iteration of a Map state, from `MapIterationStarted` to its `MapIterationSucceeded`/`Failed`, by index. */
export function iterationSpans(timeline: readonly TimelineEvent[], mapState: string): IterationSpan[] {
  const started = new Map<number, number>();
  const spans: IterationSpan[] = [];
  for (const event of timeline) {
    if (event.name !== mapState || event.index === undefined) continue;
    if (event.type === 'MapIterationStarted') started.set(event.index, event.atMs);
    else if (event.type === 'MapIterationSucceeded' || event.type === 'MapIterationFailed') {
      const startMs = started.get(event.index);
      if (startMs !== undefined) spans.push({ index: event.index, startMs, endMs: event.atMs });
    }
  }
  return spans.sort((a, b) => a.index - b.index);
}

/**
 * The most intervals open at one instant (a sweep over their ends). Intervals that only touch (one ends when the
 * next starts) do not overlap: ends are processed before starts at the same instant.
 *
 * @example
 * peakConcurrency([{ startMs: 0, endMs: 10 }, { startMs: 5, endMs: 15 }, { startMs: 10, endMs: 20 }]); // 2
 */
export function peakConcurrency(spans: readonly Span[]): number {
  const edges = spans.flatMap((s) => [
    { at: s.startMs, delta: 1 },
    { at: s.endMs, delta: -1 },
  ]);
  edges.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let open = 0;
  let peak = 0;
  for (const edge of edges) {
    open += edge.delta;
    peak = Math.max(peak, open);
  }
  return peak;
}

/** The Map's item count, from its `MapStateStarted` event. */
export function mapLength(timeline: readonly TimelineEvent[], mapState: string): number {
  const entered = timeline.findIndex((e) => e.type === 'MapStateEntered' && e.name === mapState);
  const started = entered >= 0 ? timeline.slice(entered).find((e) => e.type === 'MapStateStarted') : undefined;
  if (started?.length === undefined) throw new StateNotInHistory(`Map ${mapState} did not start, or its length is unknown`);
  return started.length;
}
