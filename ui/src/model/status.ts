/**
 * Every state the dashboard shows, with the word and the symbol that say it: status is never told by colour
 * alone (the colour is a third cue, from the `tone`).
 */
export type Tone = 'ok' | 'bad' | 'busy' | 'idle' | 'warn';

const STATES: Record<string, { text: string; symbol: string; tone: Tone }> = {
  pending: { text: 'pending', symbol: '○', tone: 'idle' },
  running: { text: 'running', symbol: '◔', tone: 'busy' },
  RUNNING: { text: 'running', symbol: '◔', tone: 'busy' },
  done: { text: 'done', symbol: '✓', tone: 'ok' },
  SUCCEEDED: { text: 'succeeded', symbol: '✓', tone: 'ok' },
  failed: { text: 'failed', symbol: '✗', tone: 'bad' },
  FAILED: { text: 'failed', symbol: '✗', tone: 'bad' },
  ROLLED_BACK: { text: 'rolled back', symbol: '↶', tone: 'bad' },
  rolledBack: { text: 'rolled back', symbol: '↶', tone: 'bad' },
  cancelled: { text: 'cancelled', symbol: '⊘', tone: 'warn' },
  ABORTED: { text: 'aborted', symbol: '⊘', tone: 'warn' },
  skipped: { text: 'skipped', symbol: '–', tone: 'idle' },
  passing: { text: 'passing', symbol: '✓', tone: 'ok' },
  critical: { text: 'critical', symbol: '✗', tone: 'bad' },
  missing: { text: 'missing in Consul', symbol: '!', tone: 'bad' },
  stale: { text: 'stale in Consul', symbol: '!', tone: 'bad' },
  address: { text: 'wrong address', symbol: '!', tone: 'bad' },
  failing: { text: 'failing', symbol: '✗', tone: 'bad' },
  server: { text: 'Consul server', symbol: '◆', tone: 'ok' },
  allow: { text: 'allow', symbol: '→', tone: 'ok' },
  deny: { text: 'deny', symbol: '⊘', tone: 'bad' },
  create: { text: 'create', symbol: '+', tone: 'ok' },
  update: { text: 'change', symbol: '~', tone: 'warn' },
  replace: { text: 'replace', symbol: '±', tone: 'warn' },
  remove: { text: 'remove', symbol: '−', tone: 'bad' },
  unchanged: { text: 'unchanged', symbol: '=', tone: 'idle' },
  // A cluster peering's state, as Consul's /v1/peering/<name> reports it.
  PENDING: { text: 'pending', symbol: '○', tone: 'idle' },
  ESTABLISHING: { text: 'establishing', symbol: '◔', tone: 'busy' },
  ACTIVE: { text: 'active', symbol: '✓', tone: 'ok' },
  FAILING: { text: 'failing', symbol: '✗', tone: 'bad' },
  DELETING: { text: 'deleting', symbol: '−', tone: 'warn' },
  TERMINATED: { text: 'terminated', symbol: '⊘', tone: 'bad' },
  UNDEFINED: { text: 'not established', symbol: '?', tone: 'warn' },
  'not-imported': { text: 'not imported', symbol: '!', tone: 'bad' },
};

export function describeState(state: string): { text: string; symbol: string; tone: Tone } {
  return STATES[state] ?? { text: state.toLowerCase().replace(/_/g, ' '), symbol: '•', tone: 'idle' };
}

/** "1 min 5 s", "800 ms": a duration as people read it. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return s % 60 === 0 ? `${m} min` : `${m} min ${s % 60} s`;
}
