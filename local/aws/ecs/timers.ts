/**
 * Every timer of the simulation goes through one registry so `close()` can clear them all (jest exits cleanly)
 * and a stopped task never leaves a timer behind.
 */
export class TimerRegistry {
  private readonly handles = new Set<NodeJS.Timeout>();
  /** Timers of work that recurs for as long as a task runs (its health checks): not pending work, not a change. */
  private readonly background = new Set<NodeJS.Timeout>();
  private closed = false;
  private firedCount = 0;

  /**
   * Runs `action` after `ms` (0 still defers to a later turn of the event loop); nothing once closed. A
   * `background` timer (a recurring health check) counts neither as pending nor as fired: a steady simulation keeps
   * running them.
   */
  after(ms: number, action: () => void, options: { background?: boolean } = {}): NodeJS.Timeout | undefined {
    if (this.closed) return undefined;
    const background = options.background === true;
    const handle = setTimeout(() => {
      this.handles.delete(handle);
      this.background.delete(handle);
      if (!background) this.firedCount += 1;
      action();
    }, Math.max(0, ms));
    this.handles.add(handle);
    if (background) this.background.add(handle);
    return handle;
  }

  cancel(handle: NodeJS.Timeout | undefined): void {
    if (!handle) return;
    clearTimeout(handle);
    this.handles.delete(handle);
    this.background.delete(handle);
  }

  /** Timers that have run so far: every asynchronous step of the simulation is one (a cheap "something changed"). */
  get fired(): number {
    return this.firedCount;
  }

  get pending(): number {
    return this.handles.size - this.background.size;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  close(): void {
    this.closed = true;
    for (const handle of this.handles) clearTimeout(handle);
    this.handles.clear();
    this.background.clear();
  }
}
