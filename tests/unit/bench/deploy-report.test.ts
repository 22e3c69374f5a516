import { summarize } from '../../../bench/lib/stats';
import { renderTable } from '../../../bench/lib/table';
import { criticalPath } from '../../../bench/deploy/critical-path';
import { realisticTable, stageTable, zeroDelayStageTable, zeroDelayTable, type RealisticFigures, type ZeroDelayFigures } from '../../../bench/deploy/report';

const zero: ZeroDelayFigures = {
  samples: 3,
  cloudStartMs: summarize([900, 1000, 1100]),
  freshWallMs: summarize([2400, 2600, 3400]),
  noChangeWallMs: summarize([900, 1000, 1200]),
  freshTransitions: summarize([150, 152, 160]),
  noChangeTransitions: summarize([44, 44, 44]),
  freshHistoryEvents: summarize([450, 460, 480]),
  noChangeHistoryEvents: summarize([164, 164, 164]),
  freshStagesMs: [{ stage: 'Plan', durationMs: summarize([200, 250, 300]) }],
};

function realistic(wallMs: number): RealisticFigures {
  const delays = { taskStartMs: 2500, healthMs: 1000, buildMs: 7500, pollMs: 1000 };
  const path = criticalPath(delays, { images: 6, buildConcurrency: 4, serviceClusters: 2, hasIngress: true }, { plan: 300, storeConfig: 1000, applyConfigEntries: 100, summarize: 100 });
  return {
    timeScale: 0.125,
    delays,
    measuredPollMs: 1003,
    wallMs,
    noChangeWallMs: 4500,
    criticalPath: path,
    ratio: wallMs / path.polledMs,
    ratioWithoutPolling: wallMs / path.ms,
    stages: [
      { stage: 'Plan', startMs: 1, endMs: 301, durationMs: 300 },
      {
        stage: 'ServiceClusters',
        startMs: 21_000,
        endMs: 25_500,
        durationMs: 4_500,
        rounds: 8,
        peakConcurrency: 2,
        iterations: [
          { label: 'cluster-1', startMs: 21_000, endMs: 25_400, durationMs: 4_400 },
          { label: 'cluster-2', startMs: 21_001, endMs: 25_500, durationMs: 4_499 },
        ],
      },
    ],
    transitions: 269,
    historyEvents: 791,
    noChangeTransitions: 44,
    noChangeHistoryEvents: 164,
  };
}

describe('deploy benchmark tables', () => {
  it('holds the zero-delay median against the 3 s target', () => {
    const text = renderTable(zeroDelayTable(zero));
    expect(text).toMatch(/fresh \(reference mesh\)\s+3\s+2600\s+2400–3400\s+< 3,000\s+yes/);
    const slow = renderTable(zeroDelayTable({ ...zero, freshWallMs: summarize([3100, 3200, 3300]) }));
    expect(slow).toMatch(/< 3,000\s+NO/);
    expect(renderTable(zeroDelayStageTable(zero))).toMatch(/Plan\s+250\s+200–300/);
  });

  it('holds wall ÷ poll-aware critical path against 1.1', () => {
    // path with polling: 300 + 16,000 + 1,000 + 3,000 + 100 + 4,000 + 4,000 + 100 = 28,500 ms
    expect(renderTable(realisticTable(realistic(29_925)))).toMatch(/target ≤ 1\.1\)\s+1\.050 \(yes\)/);
    expect(renderTable(realisticTable(realistic(32_000)))).toMatch(/1\.123 \(NO\)/);
  });

  it('lists each stage with its iterations under it and the critical-path terms beside it', () => {
    const text = renderTable(stageTable(realistic(29_925)));
    expect(text).toMatch(/ServiceClusters\s+21,000\s+25,500\s+4,500\s+8\s+2\s+3,500\s+4,000/);
    expect(text).toMatch(/ {2}cluster-2\s+21,001\s+25,500\s+4,499/);
  });
});
