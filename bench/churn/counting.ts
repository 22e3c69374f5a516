/**
 * Counting what the code under measurement does, without changing it: calls made through a client, and the
 * lines it logs (a benchmark prints tables, not thousands of log lines).
 */
import type { ChurnLogger, ChurnMetrics } from '../../layers/churn/ports';

/** A client whose method calls are counted by method name. */
export interface Counted<T extends object> {
  api: T;
  /** Calls per method since the last reset. */
  counts(): Record<string, number>;
  /** Calls of the methods `filter` accepts (default: all). */
  total(filter?: (method: string) => boolean): number;
  reset(): void;
}

/**
 * Wraps `target` so every call of one of its methods is counted before it is forwarded (the call itself, its
 * result and its errors are untouched).
 *
 * @example const consul = countCalls(createConsulClient(...)); await consul.api.kvGet('k'); consul.counts(); // { kvGet: 1 }
 */
export function countCalls<T extends object>(target: T): Counted<T> {
  const counts = new Map<string, number>();
  const api = new Proxy(target, {
    get(object, property, receiver) {
      const value: unknown = Reflect.get(object, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      return (...args: unknown[]) => {
        counts.set(property, (counts.get(property) ?? 0) + 1);
        return (value as (...a: unknown[]) => unknown).apply(object, args);
      };
    },
  });
  return {
    api,
    counts: () => Object.fromEntries(counts),
    total: (filter = () => true) => [...counts].reduce((sum, [method, count]) => (filter(method) ? sum + count : sum), 0),
    reset: () => counts.clear(),
  };
}

/** The Consul client methods that write (everything else the churn code calls reads). */
export const CONSUL_WRITE_METHODS: ReadonlySet<string> = new Set(['txn', 'kvPut', 'kvDelete', 'putConfigEntry']);

/**
 * A logger that prints nothing and counts its lines by message; it keeps the first few warnings and errors so a
 * benchmark can show why something went wrong.
 */
export class CountingLogger implements ChurnLogger {
  private readonly byMessage = new Map<string, number>();
  readonly problems: Array<{ level: 'warn' | 'error'; message: string; attributes: Record<string, unknown> }> = [];

  constructor(private readonly keepProblems = 20) {}

  debug(message: string): void {
    this.record(message);
  }
  info(message: string): void {
    this.record(message);
  }
  warn(message: string, ...attributes: Record<string, unknown>[]): void {
    this.problem('warn', message, attributes);
  }
  error(message: string, ...attributes: Record<string, unknown>[]): void {
    this.problem('error', message, attributes);
  }

  /** Lines logged so far with exactly this message. */
  lines(message: string): number {
    return this.byMessage.get(message) ?? 0;
  }

  private record(message: string): void {
    this.byMessage.set(message, (this.byMessage.get(message) ?? 0) + 1);
  }

  private problem(level: 'warn' | 'error', message: string, attributes: Record<string, unknown>[]): void {
    this.record(message);
    if (this.problems.length < this.keepProblems) this.problems.push({ level, message, attributes: Object.assign({}, ...attributes) });
  }
}

/** Metrics kept in memory (name → sum) instead of EMF lines on stdout. */
export class SummingMetrics implements ChurnMetrics {
  readonly values: Record<string, number> = {};
  addMetric(name: string, _unit: 'Count' | 'Milliseconds', value: number): void {
    this.values[name] = (this.values[name] ?? 0) + value;
  }
}
