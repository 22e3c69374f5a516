import { useEffect, useRef, useState } from 'preact/hooks';
import { nextPollDelay } from './model/backoff';

export interface Polled<T> {
  data?: T;
  error?: Error;
  /** Consecutive failed polls: shown, and what the backoff grows with. */
  failures: number;
  /** Polls again now (after an action). */
  refresh: () => void;
}

/**
 * Polls `load` while the component is shown: fast while `isActive(data)` (something runs), slower at rest, backing
 * off after failures (model/backoff.ts). The last good data stays on screen while a poll fails. A hidden tab
 * polls at the idle pace.
 */
export function usePoll<T>(load: () => Promise<T>, deps: unknown[], isActive: (data: T | undefined) => boolean = () => false): Polled<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; failures: number }>({ failures: 0 });
  const [tick, setTick] = useState(0);
  const latest = useRef(load);
  latest.current = load;

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let failures = 0;
    let data: T | undefined;
    let seen = '';
    setState({ failures: 0 });
    const run = async () => {
      try {
        const next = await latest.current();
        // An answer like the last one changes nothing on screen: skip the render (a mesh of 1,000 tasks polled
        // every second would otherwise redraw its tables each time).
        const text = JSON.stringify(next);
        const changed = text !== seen || failures > 0;
        seen = text;
        data = next;
        failures = 0;
        if (!stopped && changed) setState({ data, failures });
      } catch (error) {
        failures += 1;
        if (!stopped) setState((s) => ({ data: s.data, error: error as Error, failures }));
      }
      if (stopped) return;
      const active = document.visibilityState !== 'hidden' && isActive(data);
      timer = setTimeout(run, nextPollDelay({ failures, active }));
    };
    void run();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [...deps, tick]);

  return { ...state, refresh: () => setTick((t) => t + 1) };
}
