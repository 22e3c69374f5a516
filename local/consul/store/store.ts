import { cloneState, emptyState, type ConsulState } from './types';

/** What a write changed, as watch keys (`nodes`, `node:<n>`, `service:<name>`, `kv:<key>`, `config:<kind>/<name>`...). */
export type ChangeSet = ReadonlySet<string>;

/**
 * One Raft write in progress: a private copy of the state and the index the write will commit at.
 *
 * Everything a write touches is stamped with the same `index`, as Consul's FSM stamps all changes of one Raft log
 * entry; that is what makes a `/v1/txn` holding a service and its sidecar proxy cost a single index bump.
 */
export class WriteTxn {
  readonly changes = new Set<string>();
  private readonly touchedServiceNames = new Set<string>();

  constructor(
    readonly state: ConsulState,
    readonly index: number,
  ) {}

  /** Record watch keys changed by this write. */
  touch(...keys: string[]): void {
    for (const key of keys) this.changes.add(key);
  }

  /**
   * Bump the `service.<name>` index, as Consul does whenever an instance of the service, its checks, or the node
   * it runs on change — so health and catalog queries for that one service wake on exactly those writes.
   */
  touchService(name: string): void {
    this.state.serviceIndexes.set(name, this.index);
    this.touchedServiceNames.add(name);
    this.changes.add(`service:${name}`);
  }

  /** Names that lost their last instance drop their index and move `service_last_extinction`, as in Consul. */
  finalize(): void {
    if (this.touchedServiceNames.size === 0) return;
    const alive = new Set<string>();
    for (const svc of this.state.services.values()) alive.add(svc.Service);
    for (const name of this.touchedServiceNames) {
      if (alive.has(name)) continue;
      this.state.serviceIndexes.delete(name);
      this.state.indexes.serviceExtinction = this.index;
    }
  }
}

interface Waiter {
  readonly matches: (changes: ChangeSet) => boolean;
  readonly wake: () => void;
}

/**
 * The emulator's replicated state: one Raft-like index counter, per-table indexes, and the blocking-query
 * wake-ups. Writes are serialised (Node runs them to completion one at a time), and a failed write leaves the
 * state untouched, so every write is atomic.
 */
export class ConsulStore {
  private current: ConsulState = emptyState();
  /** The Raft log index; 1 stands for the bootstrap entries a fresh cluster has already written. */
  private raftIndex = 1;
  private writes = 0;
  private readonly waiters = new Set<Waiter>();
  private closed = false;

  /** The committed state. Treat as read-only. */
  get state(): ConsulState {
    return this.current;
  }

  /** The index of the last Raft log entry. */
  get lastIndex(): number {
    return this.raftIndex;
  }

  /** Raft writes applied so far (committed or rolled back: both went through the log). */
  get writeCount(): number {
    return this.writes;
  }

  /** Blocking queries currently held. */
  get heldCount(): number {
    return this.waiters.size;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Replace the committed state with a saved one at its saved index, as a Consul server restarting from its data
   * directory does (indexes continue from there, so a client's blocking index never goes backwards).
   */
  restore(state: ConsulState, index: number): void {
    this.current = state;
    this.raftIndex = Math.max(1, index);
  }

  /**
   * Install a snapshot's state (`PUT /v1/snapshot`): Raft restores it as a new log entry, so the index moves past
   * both the current one and the snapshot's (a client's blocking index never goes backwards), and every held query
   * returns: anything may have changed.
   */
  install(state: ConsulState, snapshotIndex: number): number {
    this.current = state;
    this.raftIndex = Math.max(this.raftIndex, snapshotIndex) + 1;
    this.writes += 1;
    for (const waiter of [...this.waiters]) waiter.wake();
    return this.raftIndex;
  }

  /**
   * Start over as a newly bootstrapped datacenter: empty tables, a fresh Raft index. Held blocking queries return
   * at once; their clients see the index go backwards, which Consul's clients must treat as a reset.
   */
  reset(): void {
    this.current = emptyState();
    this.raftIndex = 1;
    for (const waiter of [...this.waiters]) waiter.wake();
  }

  /**
   * Apply `apply` as one Raft write. If it throws, nothing it did is kept (the log entry still consumed its
   * index, as a rolled-back transaction does in Consul) and the error propagates.
   */
  write<T>(apply: (txn: WriteTxn) => T): T {
    this.raftIndex += 1;
    this.writes += 1;
    const txn = new WriteTxn(cloneState(this.current), this.raftIndex);
    const result = apply(txn);
    txn.finalize();
    this.current = txn.state;
    this.notify(txn.changes);
    return result;
  }

  /**
   * Resolve when a write changes something `matches` accepts, after `timeoutMs`, when `signal` aborts, or when the
   * store closes — whichever comes first.
   */
  waitForChange(matches: (changes: ChangeSet) => boolean, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (this.closed || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter: Waiter = { matches, wake: () => finish() };
      const timer = setTimeout(() => finish(), Math.max(0, timeoutMs));
      const onAbort = (): void => finish();
      const finish = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.waiters.delete(waiter);
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(waiter);
    });
  }

  /** Wake every held query and refuse to hold new ones. */
  close(): void {
    this.closed = true;
    for (const waiter of [...this.waiters]) waiter.wake();
  }

  private notify(changes: ChangeSet): void {
    if (changes.size === 0) return;
    for (const waiter of [...this.waiters]) if (waiter.matches(changes)) waiter.wake();
  }
}
