/**
 * The churn benchmark's figures (what bench/results/churn.json holds) and how they are shown.
 */
import type { Summary } from '../lib/stats';
import { formatCount, formatMs, type BenchmarkTable, type Cell } from '../lib/table';
import type { BringUpFigures, EventPhase } from './event-path';
import type { EventScenarioResult } from './event-scenario';
import { HANDLER_CONSUL_TIMEOUT_MS, LAMBDA_RETRY_DELAYS_MS } from './lambda-settings';
import type { ReconcileFigures, ReconcileRunFigures } from './reconcile-phase';
import { compareWindows, eventPathWindows, pollingWindow, type WindowComparison } from './staleness';

/** What the issue asks of the figures. */
export const TARGETS = {
  writesPerAppliedTransition: 1,
  reconcileNoDriftMs: 2_000,
  noDriftConsulWrites: 0,
} as const;

export type PhaseFigures = EventPhase['figures'] & { stopsIssued: number };

export type ChurnFigures = {
  eventPath: {
    tasks: number;
    bringUp: BringUpFigures;
    steady: PhaseFigures;
    burst: PhaseFigures;
    /** Full reconciles of the same 1,000-task mesh (nothing to repair): the polling model's D. */
    reconcileMs: { runs: number[]; median: number };
  };
  reconcile: ReconcileFigures;
  staleness: {
    pollPeriodMs: number;
    /** A task stopping (desiredStatus STOPPED) → its entries gone from the catalog. */
    stop: { steady: WindowComparison; burst: WindowComparison; polling10kMs: Summary };
    /** A new task RUNNING → registered. */
    start: { steady: WindowComparison; burst: WindowComparison; polling10kMs: Summary };
  };
  targets: {
    /** Judged at the steady (sustainable) rate; the burst shows what saturation adds. */
    writesPerAppliedTransition: { target: number; steady: number; burst: number; met: boolean };
    reconcileNoDriftMs: { target: number; median: number; met: boolean };
    ecsCalls: { minimum: number; measuredMax: number; met: boolean };
    noDriftConsulWrites: { target: number; measuredMax: number; met: boolean };
  };
};

/** Derives the staleness comparison and the targets from what the two scenarios measured (pure). */
export function buildChurnFigures(events: EventScenarioResult, reconcile: ReconcileFigures, pollPeriodMs: number): ChurnFigures {
  const polling1k = pollingWindow(pollPeriodMs, events.reconcileMs.median);
  const polling10k = pollingWindow(pollPeriodMs, reconcile.noDrift.medianMs);
  const steadyWindows = eventPathWindows(events.steady.events);
  const burstWindows = eventPathWindows(events.burst.events);
  const phase = (p: EventPhase, stopsIssued: number): PhaseFigures => ({ ...p.figures, stopsIssued });
  const steady = phase(events.steady, events.stopsIssued.steady);
  const burst = phase(events.burst, events.stopsIssued.burst);
  const noDriftRuns = reconcile.noDrift.runs;
  const measuredEcsMax = Math.max(...noDriftRuns.map((r) => r.ecsCalls));
  const measuredWritesMax = Math.max(...noDriftRuns.map((r) => r.consulWrites));
  return {
    eventPath: { tasks: events.bringUp.tasks, bringUp: events.bringUp, steady, burst, reconcileMs: events.reconcileMs },
    reconcile,
    staleness: {
      pollPeriodMs,
      stop: {
        steady: compareWindows(steadyWindows.stopToDeregisteredMs, polling1k),
        burst: compareWindows(burstWindows.stopToDeregisteredMs, polling1k),
        polling10kMs: polling10k,
      },
      start: {
        steady: compareWindows(steadyWindows.runningToRegisteredMs, polling1k),
        burst: compareWindows(burstWindows.runningToRegisteredMs, polling1k),
        polling10kMs: polling10k,
      },
    },
    targets: {
      writesPerAppliedTransition: {
        target: TARGETS.writesPerAppliedTransition,
        steady: steady.writesPerAppliedTransition,
        burst: burst.writesPerAppliedTransition,
        met: steady.writesPerAppliedTransition <= TARGETS.writesPerAppliedTransition,
      },
      reconcileNoDriftMs: { target: TARGETS.reconcileNoDriftMs, median: reconcile.noDrift.medianMs, met: reconcile.noDrift.medianMs < TARGETS.reconcileNoDriftMs },
      ecsCalls: { minimum: reconcile.minimumEcsCalls.total, measuredMax: measuredEcsMax, met: measuredEcsMax <= reconcile.minimumEcsCalls.total },
      noDriftConsulWrites: { target: TARGETS.noDriftConsulWrites, measuredMax: measuredWritesMax, met: measuredWritesMax === TARGETS.noDriftConsulWrites },
    },
  };
}

/** The four tables: event path per phase, latency per outcome, the reconcile at 10,000 tasks, staleness. */
export function buildChurnTables(figures: ChurnFigures): BenchmarkTable[] {
  const { eventPath, reconcile, staleness } = figures;
  const phases: Array<[string, PhaseFigures]> = [
    [`steady (${formatCount(eventPath.steady.stopsIssued)} stops)`, eventPath.steady],
    [`burst (${formatCount(eventPath.burst.stopsIssued)} at once)`, eventPath.burst],
  ];
  const phaseRows = phases.map(([label, p]): Cell[] => [
    label,
    formatCount(p.events),
    p.eventsPerSecond.toFixed(1),
    formatMs(p.latencyMs.p50),
    formatMs(p.latencyMs.p99),
    formatMs(p.latencyMs.max),
    formatCount(p.appliedTransitions),
    formatCount(p.consulWrites),
    p.writesPerAppliedTransition.toFixed(2),
    formatCount(p.guardConflicts),
    formatCount(p.handlerFailures),
    formatCount(p.lostEvents),
    formatCount(p.repairedByReconcile),
  ]);
  const outcomeRows: Cell[][] = [];
  for (const [label, p] of phases) {
    for (const [action, summary] of Object.entries(p.latencyByActionMs)) {
      const reasons = action === 'ignored' ? Object.entries(p.ignoredReasons).map(([reason, n]) => `${reason} ${n}`).join(', ') : '';
      outcomeRows.push([label, action, formatCount(summary.count), formatMs(summary.p50), formatMs(summary.p99), reasons]);
    }
  }
  const minimum = reconcile.minimumEcsCalls.total;
  const runRow = (label: string, run: ReconcileRunFigures, ms: string = formatMs(run.ms)): Cell[] => [
    label,
    ms,
    `${formatCount(run.ecsCalls)} / ${formatCount(minimum)}`,
    formatCount(run.consulReads),
    formatCount(run.consulWrites),
    repairedText(run),
    formatCount(run.unchanged),
  ];
  const noDrift = reconcile.noDrift;
  const medianRun = [...noDrift.runs].sort((a, b) => a.ms - b.ms)[Math.floor(noDrift.runs.length / 2)];
  const windowRows = (change: string, windows: ChurnFigures['staleness']['stop']): Cell[][] => [
    [change, 'event path, steady churn', ...windowCells(windows.steady.eventPathMs)],
    [change, 'event path, burst', ...windowCells(windows.burst.eventPathMs)],
    [change, `poll every ${staleness.pollPeriodMs / 1000} s + reconcile of ${formatCount(eventPath.tasks)} tasks`, ...windowCells(windows.steady.pollingMs)],
    [change, `poll every ${staleness.pollPeriodMs / 1000} s + reconcile of ${formatCount(reconcile.tasks)} tasks`, ...windowCells(windows.polling10kMs)],
  ];
  return [
    {
      title: `Event path, ${formatCount(eventPath.tasks)} tasks: ECS event emitted → EventBridge → handleTaskEvent → catalog updated (local Consul over HTTP)`,
      columns: ['phase', 'events', 'events/s', 'p50 ms', 'p99 ms', 'max ms', 'applied', 'Raft writes', 'writes/applied', 'conflicts', 'failed', 'lost', 'left wrong'],
      rows: phaseRows,
    },
    { title: 'Event latency by what the handler did (emitted → handler returned)', columns: ['phase', 'outcome', 'events', 'p50 ms', 'p99 ms', 'ignored because'], rows: outcomeRows },
    {
      title: `Reconcile, ${formatCount(reconcile.tasks)} tasks in ${reconcile.clusters} clusters (ECS calls: measured / minimum the pages need)`,
      columns: ['run', 'wall ms', 'ECS calls', 'Consul reads', 'Consul writes', 'repaired', 'unchanged'],
      rows: [
        runRow('first run (empty catalog)', reconcile.converge),
        runRow(`no drift, median of ${noDrift.runs.length}`, medianRun, `${formatMs(noDrift.medianMs)} (${formatMs(noDrift.minMs)}–${formatMs(noDrift.maxMs)})`),
        runRow(`${formatCount(reconcile.drift.lost + reconcile.drift.moved)} drifted (${formatCount(reconcile.drift.lost)} lost, ${formatCount(reconcile.drift.moved)} moved)`, reconcile.drift.repair),
        runRow('after the repair', reconcile.drift.after),
      ],
    },
    {
      title: 'Staleness: how long the catalog is wrong after a task changes',
      columns: ['change', 'path', 'samples', 'p50 ms', 'p99 ms', 'max ms'],
      rows: [...windowRows('task stopping → deregistered', staleness.stop), ...windowRows('new task RUNNING → registered', staleness.start)],
    },
  ];
}

/** How to read the figures. */
export function buildChurnNotes(figures: ChurnFigures): string[] {
  const { targets, eventPath } = figures;
  const yes = (met: boolean) => (met ? 'met' : 'NOT met');
  const up = eventPath.bringUp;
  return [
    `Before the churn, ${formatCount(up.tasks)} tasks ran HEALTHY ${formatMs(up.msToHealthy)} ms after deployment (event path off) and one reconcile registered them (${formatCount(up.registered)} tasks, ${formatCount(up.consulWrites)} writes, ${formatMs(up.reconcileMs)} ms); then ECS events were turned on. Each phase ends when ECS runs every task HEALTHY again and every event was handled or given up; the catalog is then compared with ECS ("left wrong").`,
    'Everything runs in this one process: the ECS simulation, EventBridge, the handler, the reconcile and the Consul emulator share one event loop (and this machine with others): rates are a floor, not what Lambda fleets reach.',
    'Event path: EventsProvider matches the deployed rule (serverless/mesh-events.js) and delivers asynchronously; the function called is handleTaskEvent with a Consul client over HTTP (not the Lambda runtime, whose handler adds config, the SSM token and a per-invocation EMF flush). Latency runs from the turn ECS emitted the event (monotonic clock; the event\'s own `time` has 1 s precision) to the handler\'s return.',
    `Applied transitions are the events the model writes: registered (RUNNING), updated (health change), deregistered (desiredStatus STOPPED). The other ~7 of every 10 events per stop+replacement are ignored without a write (PROVISIONING/PENDING/ACTIVATING: not-running-yet; DEACTIVATING…STOPPED after the deregistration: already-deregistered; stale/duplicate). writes/applied = Consul's Raft write counter over the phase ÷ applied; a rolled-back transaction (a guard conflict: two events of one task handled at once, the later-committing one re-reads) is a Raft write too. Target ${targets.writesPerAppliedTransition.target} at the steady rate: ${yes(targets.writesPerAppliedTransition.met)} (${targets.writesPerAppliedTransition.steady.toFixed(2)}); in the burst ${targets.writesPerAppliedTransition.burst.toFixed(2)}, because queued events of one task (seconds late) overlap and race.`,
    `Per event the handler reads only the task's own entries (/v1/catalog/node-services with ?filter on the instance and sidecar ids) plus the tombstone key, and nothing for a task still starting: ${callsText(eventPath.steady.consulCallsPerEvent)} calls per event in the steady phase. The whole node, which the reconcile reads, is ${largestNodeText(up.nodeAnswerBytes)} with this mesh.`,
    `failed = invocations that threw (Lambda retries them after ${LAMBDA_RETRY_DELAYS_MS.map((ms) => ms / 1000).join(' and ')} s here, 1 and 2 min on AWS); lost = events whose three attempts all failed; left wrong = tasks the catalog still had wrong once the phase settled, which one reconcile then repaired (the scheduled reconcile's job). The handler's Consul timeout is ${HANDLER_CONSUL_TIMEOUT_MS / 1000} s here instead of the deployed 5 s: in one process a request also waits behind every other invocation.`,
    'Burst events/s = events ÷ (first emission → last handler return); the span includes the replacements\' own (scaled-down) lifecycle delays. Steady is offered load, not capacity.',
    `Reconcile wall time includes the local ECS endpoint's and Consul emulator's own work (serving ~0.7 MB node answers, DescribeTasks pages), which share this process; on AWS that work is elsewhere. No-drift target < ${targets.reconcileNoDriftMs.target} ms: ${yes(targets.reconcileNoDriftMs.met)} (median ${formatMs(targets.reconcileNoDriftMs.median)} ms). ECS calls at the minimum (per cluster ceil(n/100) ListTasks + ceil(n/100) DescribeTasks): ${yes(targets.ecsCalls.met)} (${targets.ecsCalls.measuredMax} / ${targets.ecsCalls.minimum}). Consul writes with no drift = 0: ${yes(targets.noDriftConsulWrites.met)}. ECS calls are counted by the AWS endpoint, Consul reads by the reconcile's client, writes by the Consul store.`,
    `Polling is modelled, not run: a poller every P = ${figures.staleness.pollPeriodMs / 1000} s (consul-ecs controller style) sees a change after a wait uniform over [0, P) and repairs it when its reconcile ends, D later, D = the median reconcile wall time measured here on the same mesh (${formatMs(eventPath.reconcileMs.median)} ms for ${formatCount(eventPath.tasks)} tasks; ${formatMs(figures.reconcile.noDrift.medianMs)} ms for ${formatCount(figures.reconcile.tasks)}). So p50 = P/2 + D, p99 = 0.99 P + D, max = P + D. The event path is measured per task: first desiredStatus STOPPED (or RUNNING) event emitted → first committed deregistration (or registration).`,
  ];
}

function largestNodeText(bytes: { [cluster: string]: number }): string {
  const [cluster, size] = Object.entries(bytes).sort(([, a], [, b]) => b - a)[0] ?? ['none', 0];
  return `up to ${(size / 1_000_000).toFixed(1)} MB (${cluster})`;
}

function repairedText(run: ReconcileRunFigures): string {
  const parts = Object.entries(run.repaired)
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => `${kind} ${formatCount(n)}`);
  return parts.length > 0 ? parts.join(', ') : 'none';
}

function windowCells(summary: Summary): Cell[] {
  return [summary.count > 0 ? formatCount(summary.count) : 'model', formatMs(summary.p50), formatMs(summary.p99), formatMs(summary.max)];
}

function callsText(perEvent: { [method: string]: number }): string {
  return Object.entries(perEvent)
    .map(([method, n]) => `${method} ${n.toFixed(2)}`)
    .join(', ');
}
