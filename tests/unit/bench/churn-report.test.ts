import type { EventPhase } from '../../../bench/churn/event-path';
import { summarizeEventPath, type HandledEvent } from '../../../bench/churn/event-record';
import type { ReconcileFigures, ReconcileRunFigures } from '../../../bench/churn/reconcile-phase';
import type { EventScenarioResult } from '../../../bench/churn/event-scenario';
import { buildChurnFigures, buildChurnNotes, buildChurnTables } from '../../../bench/churn/report';
import { renderTable } from '../../../bench/lib/table';

/** One stop and its replacement as the handler sees them: 10 events, 3 applied. */
function stopAndReplace(n: number, start: number, latency: number): HandledEvent[] {
  const stopped = `arn:task/old-${n}`;
  const fresh = `arn:task/new-${n}`;
  const e = (taskArn: string, at: number, lastStatus: string, desiredStatus: string, action: HandledEvent['action'], reason?: string): HandledEvent => ({
    eventId: `${taskArn}-${at}`,
    taskArn,
    lastStatus,
    desiredStatus,
    action,
    reason,
    emittedAt: start + at,
    doneAt: start + at + latency,
    attempts: 1,
  });
  return [
    e(stopped, 0, 'RUNNING', 'STOPPED', 'deregistered', 'desired-stopped'),
    ...['DEACTIVATING', 'STOPPING', 'DEPROVISIONING', 'STOPPED'].map((s, i) => e(stopped, 250 * (i + 1), s, 'STOPPED', 'ignored', 'already-deregistered')),
    ...['PROVISIONING', 'PENDING', 'ACTIVATING'].map((s, i) => e(fresh, 50 * i, s, 'RUNNING', 'ignored', 'not-running-yet')),
    e(fresh, 150, 'RUNNING', 'RUNNING', 'registered'),
    e(fresh, 650, 'RUNNING', 'RUNNING', 'updated'),
  ];
}

function phase(stops: number, latency: number, writes: number, conflicts: number): EventPhase {
  const events = Array.from({ length: stops }, (_, i) => stopAndReplace(i, i * 1000, latency)).flat();
  const summary = summarizeEventPath(events, { consulWrites: writes, guardConflicts: conflicts, handlerFailures: 0, lostEvents: 0 });
  return { events, figures: { ...summary, consulCallsPerEvent: { nodeServices: 1, kvGet: 1, txn: 0.3 }, catalogAfterPhase: { missing: 0, extra: 0, wrongAddress: 0, notPassing: 0 }, repairedByReconcile: 0, settleMs: 2000 } };
}

function run(ms: number, ecsCalls: number, writes: number, repaired: Partial<ReconcileRunFigures['repaired']> = {}): ReconcileRunFigures {
  return {
    ms,
    ecsCalls,
    ecsCallsByOperation: { ListTasks: ecsCalls / 2, DescribeTasks: ecsCalls / 2 },
    consulReads: 61,
    consulCallsByMethod: { nodeServices: 20, nodeChecks: 20, kvList: 20, kvGet: 1 },
    consulWrites: writes,
    repaired: { registered: 0, deregistered: 0, updatedAddress: 0, updatedCheck: 0, updatedRegistration: 0, tombstonesExpired: 0, ...repaired },
    unchanged: 10_000,
    conflicts: 0,
    failedClusters: [],
  };
}

const reconcile = (noDriftMs: number[], noDriftEcsCalls = 200): ReconcileFigures => ({
  clusters: 20,
  tasks: 10_000,
  msToHealthy: 1200,
  converge: run(7000, 200, 480, { registered: 10_000 }),
  noDrift: { runs: noDriftMs.map((ms) => run(ms, noDriftEcsCalls, 0)), medianMs: [...noDriftMs].sort((a, b) => a - b)[Math.floor(noDriftMs.length / 2)], minMs: Math.min(...noDriftMs), maxMs: Math.max(...noDriftMs) },
  minimumEcsCalls: { listTasks: 100, describeTasks: 100, total: 200 },
  drift: { lost: 260, moved: 240, driftWrites: 20, repair: run(3900, 200, 40, { registered: 260, updatedAddress: 240 }), after: run(3000, 200, 0) },
});

const scenario = (steady: EventPhase, burst: EventPhase): EventScenarioResult => ({
  bringUp: { tasks: 1000, msToHealthy: 900, reconcileMs: 1500, registered: 1000, consulWrites: 48, nodeAnswerBytes: { 'cluster-1': 745_000, 'cluster-2': 670_000, ingress: 32_000 } },
  steady,
  burst,
  stopsIssued: { steady: 20, burst: 30 },
  reconcileMs: { runs: [400, 450, 500], median: 450 },
});

describe('churn figures', () => {
  it('judges writes per applied transition at the steady rate and reports the burst beside it', () => {
    const figures = buildChurnFigures(scenario(phase(20, 50, 60, 0), phase(30, 3000, 130, 40)), reconcile([1500, 1600, 1700]), 10_000);

    expect(figures.eventPath.steady.appliedTransitions).toBe(60);
    expect(figures.targets.writesPerAppliedTransition).toEqual({ target: 1, steady: 1, burst: 130 / 90, met: true });
  });

  it('meets the reconcile targets only when the median is under 2 s, ECS calls are at the minimum and nothing is written', () => {
    const good = buildChurnFigures(scenario(phase(2, 50, 6, 0), phase(2, 50, 6, 0)), reconcile([1500, 1900, 1700]), 10_000);
    const slow = buildChurnFigures(scenario(phase(2, 50, 6, 0), phase(2, 50, 6, 0)), reconcile([2500, 3000, 2100], 202), 10_000);

    expect(good.targets).toMatchObject({ reconcileNoDriftMs: { median: 1700, met: true }, ecsCalls: { measuredMax: 200, met: true }, noDriftConsulWrites: { met: true } });
    expect(slow.targets).toMatchObject({ reconcileNoDriftMs: { median: 2500, met: false }, ecsCalls: { measuredMax: 202, met: false } });
  });

  it('compares each window of the event path with polling every 10 s plus the measured reconcile', () => {
    const figures = buildChurnFigures(scenario(phase(4, 50, 12, 0), phase(4, 50, 12, 0)), reconcile([1500, 1600, 1700]), 10_000);

    expect(figures.staleness.stop.steady.eventPathMs).toMatchObject({ count: 4, p50: 50 });
    expect(figures.staleness.start.steady.eventPathMs).toMatchObject({ count: 4, p50: 50 });
    expect(figures.staleness.stop.steady.pollingMs).toMatchObject({ p50: 5450, p99: 10_350 });
    expect(figures.staleness.stop.polling10kMs).toMatchObject({ p50: 6600 });
    expect(figures.staleness.stop.steady.p50Ratio).toBe(109);
  });
});

describe('churn tables and notes', () => {
  const figures = buildChurnFigures(scenario(phase(20, 50, 60, 0), phase(30, 3000, 130, 40)), reconcile([1500, 1600, 1700]), 10_000);

  it('render with a row per phase, per outcome, per reconcile run and per staleness path', () => {
    const [events, outcomes, reconcileTable, staleness] = buildChurnTables(figures);

    expect(events.rows).toEqual([
      ['steady (20 stops)', '200', '10.0', '50.0', '50.0', '50.0', '60', '60', '1.00', '0', '0', '0', '0'],
      ['burst (30 at once)', '300', '9.1', '3000', '3000', '3000', '90', '130', '1.44', '40', '0', '0', '0'],
    ]);
    expect(outcomes.rows.find((r) => r[0] === 'steady (20 stops)' && r[1] === 'ignored')?.[5]).toBe('already-deregistered 80, not-running-yet 60');
    expect(reconcileTable.rows.map((r) => r.slice(0, 5))).toEqual([
      ['first run (empty catalog)', '7000', '200 / 200', '61', '480'],
      ['no drift, median of 3', '1600 (1500–1700)', '200 / 200', '61', '0'],
      ['500 drifted (260 lost, 240 moved)', '3900', '200 / 200', '61', '40'],
      ['after the repair', '3000', '200 / 200', '61', '0'],
    ]);
    expect(staleness.rows).toHaveLength(8);
    expect(staleness.rows[2]).toEqual(['task stopping → deregistered', 'poll every 10 s + reconcile of 1,000 tasks', 'model', '5450', '10350', '10450']);
    for (const table of buildChurnTables(figures)) expect(() => renderTable(table)).not.toThrow();
  });

  it('say which targets were met', () => {
    const notes = buildChurnNotes(figures).join('\n');
    expect(notes).toContain('Target 1 at the steady rate: met (1.00); in the burst 1.44');
    expect(notes).toContain('No-drift target < 2000 ms: met (median 1600 ms)');
    expect(notes).toContain('up to 0.7 MB (cluster-1)');
    expect(notes).toContain('(200 / 200)');
  });
});
