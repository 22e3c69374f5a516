import type { LoadFigures } from '../../../bench/lib/load';
import { summarize } from '../../../bench/lib/stats';
import { renderTable } from '../../../bench/lib/table';
import { apiNotes, buildApiTables, rolloutMedians, type ApiFigures } from '../../../bench/api/report';
import type { RolloutSample } from '../../../bench/api/rollout';

const summary = (p50: number, p99: number) => ({ count: 10, min: p50 / 2, max: p99 * 2, mean: p50, p50, p90: p99, p99 });
const load = (concurrency: number, rps: number, p50: number, p99: number): LoadFigures => ({
  concurrency,
  rounds: 3,
  requests: 450,
  rps: summary(rps, rps),
  latencyMs: summary(p50, p99),
});
const rollout = (n: number, registered: number, succeeded: number): RolloutSample => ({
  image: n % 2 === 0 ? 'users:1.1.0' : 'users:1.2.0',
  postMs: 10 + n,
  firstRegisteredMs: registered,
  firstPassingMs: registered + 50,
  succeededMs: succeeded,
  revision: `reference-mesh-users:${n + 2}`,
});

const figures: ApiFigures = {
  main: {
    cloudStartMs: 465,
    deploy: { postMs: 235, succeededMs: 1319, historyEvents: 484 },
    getDeployment: { serial: load(1, 51, 18.8, 29), concurrent: load(8, 48, 172, 238) },
    coldRollout: rollout(0, 146, 215),
    rollouts: [rollout(1, 75.7, 137), rollout(2, 61.7, 125), rollout(3, 63.1, 120), rollout(4, 67.8, 127), rollout(5, 60.5, 110)],
  },
  post: {
    cloudStartMs: 632,
    coldStartMs: 272,
    started: { samples: 30, latencyMs: summarize([8, 11.1, 25.6]) },
    cancel: { samples: 30, latencyMs: summarize([7, 10.2, 21.3]) },
    attached: { serial: load(1, 182, 5.32, 10.3), concurrent: load(8, 290, 25.9, 37.9) },
    conflict: { serial: load(1, 250, 3.51, 6.93), concurrent: load(8, 301, 26.3, 45.7) },
    labelsRemoved: 403,
  },
};

describe('rolloutMedians', () => {
  it('takes the median of each time over the measured rollouts', () => {
    expect(rolloutMedians(figures.main.rollouts)).toEqual({ count: 5, postMs: 13, firstRegisteredMs: 63.1, firstPassingMs: 113.1, succeededMs: 125 });
  });

  it('refuses an empty list rather than report a median of nothing', () => {
    expect(() => rolloutMedians([])).toThrow(RangeError);
  });
});

describe('api tables', () => {
  const [requests, rollouts, oneOff] = buildApiTables(figures);

  it('shows each request kind: serial series without a rate, loops at both concurrencies with their rate', () => {
    expect(requests.rows.map((row) => row.slice(0, 3))).toEqual([
      ['POST /deployments', '202 started', 1],
      ['POST /deployments', '202 joined (same spec)', 1],
      ['POST /deployments', '202 joined (same spec)', 8],
      ['POST /deployments', '409 (other spec)', 1],
      ['POST /deployments', '409 (other spec)', 8],
      ['POST /deployments/{id}/cancel', '202 ABORTED', 1],
      ['GET /deployments/{id}', '200 SUCCEEDED (484 events)', 1],
      ['GET /deployments/{id}', '200 SUCCEEDED (484 events)', 8],
      ['POST /services/{service}/rollouts', '202 started', 1],
    ]);
    expect(requests.rows[0]).toEqual(['POST /deployments', '202 started', 1, '30', '–', '–', '11.1', '25.3', '25.6']);
    expect(requests.rows[2]).toEqual(['POST /deployments', '202 joined (same spec)', 8, '450', '290', '145–580', '25.9', '37.9', '75.8']);
    expect(requests.rows[8].slice(3, 7)).toEqual(['5', '–', '–', '13.0']);
    expect(() => renderTable(requests)).not.toThrow();
  });

  it('lists the cold rollout apart, each measured rollout, and their medians', () => {
    expect(rollouts.rows[0]).toEqual(['cold (not in median)', 'users:1.1.0', 'reference-mesh-users:2', '10.0', '146', '196', '215']);
    expect(rollouts.rows).toHaveLength(7);
    expect(rollouts.rows[6]).toEqual(['median of 5', '', '', '13.0', '63.1', '113', '125']);
    expect(() => renderTable(rollouts)).not.toThrow();
  });

  it('shows the one-off timings', () => {
    expect(oneOff.rows.map((row) => row[1])).toEqual(['465', '632', '272', '235', '1319']);
  });

  it('notes what the figures include, with this run\'s counts', () => {
    const notes = apiNotes(figures).join('\n');
    expect(notes).toContain('484 events');
    expect(notes).toContain('403 deployment labels');
    expect(notes).toContain('30 samples');
  });
});
