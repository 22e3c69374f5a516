/**
 * The table of the `consul-acl` benchmark: each measured call's p50 and p99 with ACLs enforced and without, and
 * the ratio of the medians.
 */
import type { LoadFigures } from '../lib/load';
import { ratio } from '../lib/stats';
import { formatCount, formatMs, type BenchmarkTable } from '../lib/table';

/** One measured call in both modes; both figures come from the same alternating rounds. */
export type AclCallFigures = {
  label: string;
  enforced: LoadFigures;
  notEnforced: LoadFigures;
};

/**
 * Rows in the order given: requests per mode, p50 and p99 of each mode, and enforced p50 / not-enforced p50
 * (above 1: enforcement costs that factor at the median).
 */
export function buildConsulAclTable(calls: readonly AclCallFigures[], caller: string): BenchmarkTable {
  return {
    title: `Consul ACL enforcement: cost (token with the ${caller} policy vs ACLs disabled)`,
    columns: ['call', 'requests per mode', 'p50 enforced ms', 'p50 not enforced ms', 'p50 ratio', 'p99 enforced ms', 'p99 not enforced ms'],
    rows: calls.map(({ label, enforced, notEnforced }) => [
      label,
      `${formatCount(enforced.requests)} / ${formatCount(notEnforced.requests)}`,
      formatMs(enforced.latencyMs.p50),
      formatMs(notEnforced.latencyMs.p50),
      ratio(enforced.latencyMs.p50, notEnforced.latencyMs.p50).toFixed(3),
      formatMs(enforced.latencyMs.p99),
      formatMs(notEnforced.latencyMs.p99),
    ]),
  };
}
