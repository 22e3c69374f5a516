import { buildConsulAclTable } from '../../../bench/consul-acl/report';
import type { LoadFigures } from '../../../bench/lib/load';
import { renderTable } from '../../../bench/lib/table';

const summary = (p50: number, p99: number) => ({ count: 10, min: p50 / 2, max: p99 * 2, mean: p50, p50, p90: p99, p99 });
const load = (requests: number, p50: number, p99: number): LoadFigures => ({ concurrency: 1, rounds: 7, requests, rps: summary(1000, 1000), latencyMs: summary(p50, p99) });

describe('consul-acl table', () => {
  it('shows per call the requests, p50 of both modes, their ratio enforced / not enforced, and p99 of both', () => {
    const table = buildConsulAclTable(
      [
        { label: 'catalog register', enforced: load(2100, 0.75, 9.4), notEnforced: load(2050, 0.6, 8) },
        { label: 'health read', enforced: load(1200, 1.3, 12.5), notEnforced: load(1300, 1.3, 7.8) },
      ],
      'orchestrator',
    );
    expect(table.title).toContain('orchestrator policy');
    expect(table.rows).toEqual([
      ['catalog register', '2,100 / 2,050', '0.750', '0.600', '1.250', '9.40', '8.00'],
      ['health read', '1,200 / 1,300', '1.30', '1.30', '1.000', '12.5', '7.80'],
    ]);
    expect(renderTable(table)).toContain('p50 ratio');
  });

  it('refuses a not-enforced p50 of zero rather than print an infinite ratio', () => {
    expect(() => buildConsulAclTable([{ label: 'x', enforced: load(1, 1, 1), notEnforced: load(1, 0, 1) }], 'orchestrator')).toThrow(RangeError);
  });
});
