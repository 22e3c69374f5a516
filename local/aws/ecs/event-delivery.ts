/**
 * Hands task events to their sinks, applying the injected event faults on the way out.
 *
 * EventBridge delivery is at-least-once and unordered, so consumers must cope with duplicated, late, swapped
 * and (for the reconcile to repair) lost events; `Faults.current.events` lets tests produce each case on demand.
 */
import type { Faults } from '../../faults/faults';
import type { EcsTaskStateChangeEvent, TaskEventSink } from './task-events';
import type { TimerRegistry } from './timers';

/** How long a held (to-be-reordered) event waits for a successor before it is delivered anyway. */
const MAX_REORDER_HOLD_MS = 200;

type Logger = (message: string, error?: unknown) => void;

interface HeldEvent {
  event: EcsTaskStateChangeEvent;
  timer?: NodeJS.Timeout;
}

export class TaskEventDelivery {
  private readonly sinks = new Set<TaskEventSink>();
  /** Per task ARN: an event held back so that the next event of the same task overtakes it. */
  private readonly held = new Map<string, HeldEvent>();

  constructor(
    private readonly timers: TimerRegistry,
    private readonly log: Logger,
    private readonly faults?: Faults,
  ) {}

  /** Events are only built when someone listens (they are the bulk of the cost of a transition). */
  get hasSinks(): boolean {
    return this.sinks.size > 0;
  }

  subscribe(sink: TaskEventSink): () => void {
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
  }

  publish(event: EcsTaskStateChangeEvent): void {
    const taskArn = event.resources[0];
    const previouslyHeld = this.held.get(taskArn);
    if (previouslyHeld) {
      // Reorder: this event overtakes the held one, which follows right after.
      this.held.delete(taskArn);
      this.timers.cancel(previouslyHeld.timer);
      this.deliverWithFaults(event, false);
      this.deliverWithFaults(previouslyHeld.event, false);
      return;
    }
    this.deliverWithFaults(event, true);
  }

  private deliverWithFaults(event: EcsTaskStateChangeEvent, mayHold: boolean): void {
    const settings = this.faults?.current.events;
    if (!this.faults || !settings) return this.deliver(event);
    if (this.faults.roll(settings.drop)) return;
    if (mayHold && this.faults.roll(settings.reorder)) {
      const taskArn = event.resources[0];
      const entry: HeldEvent = { event };
      entry.timer = this.timers.after(Math.max(settings.delayMs, MAX_REORDER_HOLD_MS), () => {
        if (this.held.get(taskArn) === entry) {
          this.held.delete(taskArn);
          this.deliver(event);
        }
      });
      this.held.set(taskArn, entry);
      return;
    }
    const copies = this.faults.roll(settings.duplicate) ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      const copy = i === 0 ? event : structuredClone(event);
      if (this.faults.roll(settings.delay)) this.timers.after(settings.delayMs, () => this.deliver(copy));
      else this.deliver(copy);
    }
  }

  private deliver(event: EcsTaskStateChangeEvent): void {
    let first = true;
    for (const sink of this.sinks) {
      try {
        // Each sink gets its own copy (a consumer that mutates the event must not affect the others); the event
        // is built fresh per transition, so the first sink can have the original.
        const copy = first ? event : structuredClone(event);
        first = false;
        const result = sink(copy);
        if (result instanceof Promise) result.catch((error: unknown) => this.log('task event sink failed', error));
      } catch (error) {
        this.log('task event sink failed', error);
      }
    }
  }

  close(): void {
    this.held.clear();
    this.sinks.clear();
  }
}
