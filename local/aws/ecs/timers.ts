/**
 * Every timer of the simulation goes through one registry so `close()` can clear them all (jest exits cleanly)
 * and a stopped task never leaves a timer behind.
 */
export class TimerRegistry {
  private readonly handles = new Set<NodeJS.Timeout>();
  private closed = false;
  private firedCount = 0;

  /** Runs `action` after `ms` (0 still defers to a later turn of the event loop); nothing once closed. */
  after(ms: number, action: () => void): NodeJS.Timeout | undefined {
    if (this.closed) return undefined;
    const handle = setTimeout(() => {
      this.handles.delete(handle);
      this.firedCount += 1;
      action();
    }, Math.max(0, ms));
    this.handles.add(handle);
    return handle;
  }

  cancel(handle: NodeJS.Timeout | undefined): void {
    if (!handle) return;
    clearTimeout(handle);
    this.handles.delete(handle);
  }

  /** Timers that have run so far: every asynchronous step of the simulation is one (a cheap "something changed"). */
  get fired(): number {
    return this.firedCount;
  }

  get pending(): number {
    return this.handles.size;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  close(): void {
    this.closed = true;
    for (const handle of this.handles) clearTimeout(handle);
    this.handles.clear();
  }
}
