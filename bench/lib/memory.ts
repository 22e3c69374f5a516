/**
 * Memory figures that mean something: `process.memoryUsage()` taken after a full garbage collection, so the
 * heap holds what is still referenced rather than whatever the collector has not got round to yet.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Bytes, as `process.memoryUsage()` reports them. */
export type MemorySnapshot = {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
};

/**
 * How garbage collection is forced: `exposed` when the process runs with `--expose-gc`
 * (`NODE_OPTIONS=--expose-gc npm run bench` or `tsx --expose-gc`), `v8-flag` when it was switched on at run time,
 * `unavailable` when neither worked (figures then include garbage: compare them with care).
 */
export type GcMode = 'exposed' | 'v8-flag' | 'unavailable';

let cached: { mode: GcMode; gc?: () => void } | undefined;

function resolveGc(): { mode: GcMode; gc?: () => void } {
  if (cached) return cached;
  const exposed: unknown = (globalThis as { gc?: unknown }).gc;
  if (typeof exposed === 'function') {
    cached = { mode: 'exposed', gc: () => void (exposed as () => unknown)() };
    return cached;
  }
  try {
    // V8 installs `gc` in every context created after `--expose-gc` is set, so a fresh vm context has it even
    // though the main context was created without the flag. This lets `npm run bench` force GC with no node flags.
    setFlagsFromString('--expose-gc');
    const fromContext: unknown = runInNewContext('gc');
    if (typeof fromContext === 'function') {
      cached = { mode: 'v8-flag', gc: () => void (fromContext as () => unknown)() };
      return cached;
    }
  } catch {
    // Falls through to `unavailable`: the benchmark still runs, and its results say GC was not forced.
  }
  cached = { mode: 'unavailable' };
  return cached;
}

/** How this process forces garbage collection (recorded with the results). */
export function gcMode(): GcMode {
  return resolveGc().mode;
}

/** Current memory usage, without collecting first. */
export function memorySnapshot(): MemorySnapshot {
  const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
  return { rss, heapUsed, heapTotal, external, arrayBuffers };
}

/**
 * Memory usage after full collections. Collects twice with a turn of the event loop in between, because objects
 * with finalizers or weak callbacks are only freed by the collection after the one that found them unreachable.
 */
export async function settledMemory(): Promise<MemorySnapshot> {
  const { gc } = resolveGc();
  if (gc) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
    gc();
  }
  return memorySnapshot();
}

/** `after − before` for every field (may be negative when the collector freed more than was added). */
export function memoryDelta(before: MemorySnapshot, after: MemorySnapshot): MemorySnapshot {
  return {
    rss: after.rss - before.rss,
    heapUsed: after.heapUsed - before.heapUsed,
    heapTotal: after.heapTotal - before.heapTotal,
    external: after.external - before.external,
    arrayBuffers: after.arrayBuffers - before.arrayBuffers,
  };
}
