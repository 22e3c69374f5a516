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
    setState({ failures: 0 });
    const run = async () => {
      try {
        data = await latest.current();
        failures = 0;
        if (!stopped) setState({ data, failures });
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
