import type { ActivityItem, ReconcileActivityItem } from '../../../layers/api/activity';
import type { Tone } from './status';

/**
 * How the Activity view says what the orchestrator did: a word and a symbol for every outcome (the colour of the
 * tone is a third cue, never the only one), and a reconcile run's repairs in one line.
 */

const OUTCOMES: Record<string, { text: string; symbol: string; tone: Tone }> = {
  registered: { text: 'registered', symbol: '+', tone: 'ok' },
  updated: { text: 'updated', symbol: '~', tone: 'ok' },
  deregistered: { text: 'deregistered', symbol: '−', tone: 'warn' },
  'servers-changed': { text: 'Consul servers changed', symbol: '◆', tone: 'idle' },
  'ignored-stale': { text: 'ignored: stale', symbol: '↺', tone: 'idle' },
  'ignored-duplicate': { text: 'ignored: duplicate', symbol: '=', tone: 'idle' },
  'ignored-not-in-mesh': { text: 'ignored: not in the mesh', symbol: '–', tone: 'idle' },
  'ignored-not-running-yet': { text: 'ignored: starting', symbol: '○', tone: 'idle' },
  'ignored-no-address': { text: 'ignored: no address', symbol: '!', tone: 'warn' },
  'ignored-already-deregistered': { text: 'ignored: already deregistered', symbol: '⊘', tone: 'idle' },
  'ignored-no-spec': { text: 'ignored: nothing deployed', symbol: '–', tone: 'idle' },
};

export function describeOutcome(outcome: string | undefined): { text: string; symbol: string; tone: Tone } {
  return OUTCOMES[outcome ?? ''] ?? { text: (outcome ?? 'unknown').replace(/-/g, ' '), symbol: '•', tone: 'idle' };
}

/** Every outcome, for the filter (the API's `outcome` values). */
export const OUTCOME_CHOICES = Object.keys(OUTCOMES);

const REPAIR_WORDS: Record<string, string> = {
  registered: 'registered',
  deregistered: 'deregistered',
  updatedAddress: 'address fixed',
  updatedCheck: 'check fixed',
  updatedRegistration: 'registration fixed',
  tombstonesExpired: 'tombstones expired',
};

/** The repairs a run made, as a line (`1 deregistered, 2 check fixed`), or undefined when it changed nothing. */
export function describeRepairs(item: Pick<ReconcileActivityItem, 'repairs'>): string | undefined {
  const parts = Object.entries(item.repairs ?? {})
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => `${n} ${REPAIR_WORDS[kind] ?? kind}`);
  return parts.length > 0 ? parts.join(', ') : undefined;
}

/** A reconcile run's outcome: what it repaired, nothing, skipped, or clusters that failed. */
export function describeRun(item: ReconcileActivityItem): { text: string; symbol: string; tone: Tone } {
  if ((item.failedClusters ?? []).length > 0) return { text: `failed in ${item.failedClusters?.join(', ')}`, symbol: '✗', tone: 'bad' };
  if (item.skipped) return { text: 'skipped: nothing deployed', symbol: '–', tone: 'idle' };
  const repairs = Object.values(item.repairs ?? {}).reduce((a, b) => a + b, 0);
  return repairs > 0 ? { text: `repaired ${repairs}`, symbol: '⟳', tone: 'warn' } : { text: 'no drift', symbol: '✓', tone: 'ok' };
}

/** The services named in some items, sorted (the filter's choices grow with what was seen). */
export function servicesOf(items: readonly ActivityItem[], known: readonly string[] = []): string[] {
  const names = new Set(known);
  for (const item of items) if (item.kind === 'task' && item.service) names.add(item.service);
  return [...names].sort();
}
