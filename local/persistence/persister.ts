/**
 * Saves the services' state while the local cloud runs. Each service exposes a `revision` that grows whenever its
 * state may have changed; the persister polls those numbers (cheap) every `intervalMs` and rewrites the file of
 * each service whose revision moved since its last save, atomically (`atomic-write.ts`). So a change is on disk
 * within about one interval, a busy service is written at most once per interval, and an idle one never.
 * `stop()` writes whatever is left.
 */
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-write';
import { encodeState, type StateFormat } from './format';

/** One service as the persister sees it. */
export interface PersistedService<T> {
  readonly format: StateFormat<T>;
  /** Grows whenever the state may have changed. */
  revision(): number;
  /** The state to save, as plain data. */
  capture(): T;
}

export interface PersisterOptions {
  /** How often revisions are checked; default 500 ms. */
  readonly intervalMs?: number;
  /** Where a failed background save is reported (the next change tries again). */
  readonly logger?: (message: string, error?: unknown) => void;
}

/** One service for the persister: its file format, its revision counter and how to capture its state. */
export function persisted<T>(format: StateFormat<T>, revision: () => number, capture: () => T): PersistedService<unknown> {
  return { format, revision, capture };
}

export class StatePersister {
  /** Revision last written per file; absent = never written in this run. */
  private readonly saved = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  private inFlight?: Promise<void>;
  private readonly intervalMs: number;
  private readonly logger: (message: string, error?: unknown) => void;

  constructor(
    private readonly directory: string,
    private readonly services: readonly PersistedService<unknown>[],
    options: PersisterOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 500;
    this.logger = options.logger ?? ((message, error) => console.error(`[persistence] ${message}`, error ?? ''));
  }

  /** Starts the periodic saves (the timer does not keep the process alive). */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      // A save still running (slow disk) is not overlapped: the next tick catches up.
      if (this.inFlight) return;
      this.flush().catch((error) => this.logger('saving the local cloud state failed', error));
    }, this.intervalMs);
    this.timer.unref();
  }

  /** Writes every service whose revision moved since its last save; resolves once they are on disk. */
  async flush(): Promise<void> {
    while (this.inFlight) await this.inFlight.catch(() => undefined);
    const run = this.writeChanged();
    this.inFlight = run;
    try {
      await run;
    } finally {
      this.inFlight = undefined;
    }
  }

  /**
   * Stops the timer and saves what is left (errors are thrown: the last save must not fail silently). A persister
   * that was never started saves nothing: the start of the local cloud failed half-way, and its partial state must
   * not overwrite what the data directory holds.
   */
  async stop(): Promise<void> {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  private async writeChanged(): Promise<void> {
    for (const service of this.services) {
      // The revision is read before the capture: a change made while the file is written moves it again.
      const revision = service.revision();
      if (this.saved.get(service.format.file) === revision) continue;
      const text = encodeState(service.format, service.capture());
      await writeFileAtomic(join(this.directory, service.format.file), text);
      this.saved.set(service.format.file, revision);
    }
  }
}
