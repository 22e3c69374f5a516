/**
 * The shortest time the reference deployment can take with given simulated delays: the critical path of its
 * stages, computed from the same delays the local cloud was given.
 *
 * Sequential stages add up; stages that run in parallel (the image builds, the service clusters) contribute their
 * longest member. A stage that waits on ECS or CodeBuild cannot see the result before its wait loop polls, so the
 * poll-aware path rounds each waited delay up to whole poll intervals: the loop is Ensure → Wait → Check, its
 * first check comes one interval after the ensure, and it notices readiness at the first check after it.
 */

/** Simulated durations, in the milliseconds of the run they describe (scaled or AWS time). */
export type DelayModel = {
  /** A task's PROVISIONING → RUNNING (ENI attachment, image pull, container start). */
  taskStartMs: number;
  /** RUNNING → first health check result: a service task's Consul check passes only once ECS reports HEALTHY. */
  healthMs: number;
  /** One CodeBuild image build. */
  buildMs: number;
  /** The wait loops' poll interval (`settings.pollSeconds`); 0 = check again at once. */
  pollMs: number;
};

/** How much of each kind the deployment has (read from the execution and the ASL). */
export type PipelineShape = {
  images: number;
  /** BuildImages' `MaxConcurrency` (0 = unlimited). */
  buildConcurrency: number;
  serviceClusters: number;
  hasIngress: boolean;
};

/** Durations of the stages that only compute and call APIs (no simulated delay), measured in the same run. */
export type WorkMs = {
  plan: number;
  storeConfig: number;
  applyConfigEntries: number;
  summarize: number;
};

export type CriticalPathTerm = {
  stage: string;
  /** `work` terms are measured; `delay` terms come from the delay model. */
  kind: 'work' | 'delay';
  /** The term without polling. */
  ms: number;
  /** The term with each waited delay rounded up to whole poll intervals. */
  polledMs: number;
  /** Wait-loop rounds (checks) the poll-aware term assumes, per loop. */
  rounds?: number;
  formula: string;
};

export type CriticalPath = {
  terms: CriticalPathTerm[];
  /** Σ terms: the deployment if every wait noticed readiness the instant it happened. */
  ms: number;
  /** Σ poll-aware terms: the shortest deployment its wait loops can achieve. */
  polledMs: number;
};

/**
 * Rounds of a wait loop that waits `delayMs` with `pollMs` between checks: at least one (the loop always checks
 * once), then one per started poll interval.
 *
 * @example
 * pollRounds(2500, 1000); // 3: checks at 1 s and 2 s see nothing, the one at 3 s sees the task running
 */
export function pollRounds(delayMs: number, pollMs: number): number {
  if (!(delayMs >= 0)) throw new RangeError(`delay must be >= 0 ms, got ${delayMs}`);
  if (!(pollMs > 0)) throw new RangeError(`poll interval must be > 0 ms, got ${pollMs}`);
  return Math.max(1, Math.ceil(delayMs / pollMs));
}

/** The time a wait loop needs to notice a delay: whole poll intervals, or the delay itself when polling is continuous. */
export function polledDelay(delayMs: number, pollMs: number): number {
  return pollMs === 0 ? delayMs : pollRounds(delayMs, pollMs) * pollMs;
}

/**
 * Waves of a Map whose items all take the same time: with `MaxConcurrency` c, items start as others finish, so n
 * items take ⌈n / c⌉ item durations (c = 0: all at once, one wave).
 *
 * @example
 * mapWaves(6, 4); // 2
 */
export function mapWaves(items: number, maxConcurrency: number): number {
  if (!Number.isInteger(items) || items < 0) throw new RangeError(`items must be an integer >= 0, got ${items}`);
  if (!Number.isInteger(maxConcurrency) || maxConcurrency < 0) throw new RangeError(`MaxConcurrency must be an integer >= 0, got ${maxConcurrency}`);
  if (items === 0) return 0;
  return maxConcurrency === 0 ? 1 : Math.ceil(items / maxConcurrency);
}

/**
 * The critical path: Plan + image builds (in waves) + StoreConfig + servers (task start; the emulated Raft elects a
 * leader as soon as a quorum runs) + ApplyConfigEntries + the slowest service cluster (task start + first health
 * result; the clusters run in parallel) + the ingress (the same) + Summarize.
 *
 * Registration (ECS event → EventBridge → Lambda → Consul) and the ensure/check Lambdas are not terms: they are the
 * orchestration's own overhead, which the ratio wall ÷ critical path exposes.
 */
export function criticalPath(delays: DelayModel, shape: PipelineShape, work: WorkMs): CriticalPath {
  const waves = mapWaves(shape.images, shape.buildConcurrency);
  const serviceStartMs = delays.taskStartMs + delays.healthMs;
  const polled = (ms: number) => polledDelay(ms, delays.pollMs);
  const rounds = (ms: number) => (delays.pollMs > 0 ? pollRounds(ms, delays.pollMs) : undefined);
  const terms: CriticalPathTerm[] = [
    { stage: 'Plan', kind: 'work', ms: work.plan, polledMs: work.plan, formula: 'measured' },
    {
      stage: 'BuildImages',
      kind: 'delay',
      ms: waves * delays.buildMs,
      polledMs: waves * polled(delays.buildMs),
      rounds: rounds(delays.buildMs),
      formula: `⌈${shape.images} images / MaxConcurrency ${shape.buildConcurrency || '∞'}⌉ = ${waves} waves × build`,
    },
    { stage: 'StoreConfig', kind: 'work', ms: work.storeConfig, polledMs: work.storeConfig, formula: 'measured' },
    {
      stage: 'Servers',
      kind: 'delay',
      ms: delays.taskStartMs,
      polledMs: polled(delays.taskStartMs),
      rounds: rounds(delays.taskStartMs),
      formula: 'task start (leader at quorum: no extra delay)',
    },
    { stage: 'ApplyConfigEntries', kind: 'work', ms: work.applyConfigEntries, polledMs: work.applyConfigEntries, formula: 'measured' },
  ];
  if (shape.serviceClusters > 0) {
    terms.push({
      stage: 'ServiceClusters',
      kind: 'delay',
      ms: serviceStartMs,
      polledMs: polled(serviceStartMs),
      rounds: rounds(serviceStartMs),
      formula: `max over ${shape.serviceClusters} clusters (task start + first health result)`,
    });
  }
  if (shape.hasIngress) {
    terms.push({
      stage: 'Ingress',
      kind: 'delay',
      ms: serviceStartMs,
      polledMs: polled(serviceStartMs),
      rounds: rounds(serviceStartMs),
      formula: 'task start + first health result',
    });
  }
  terms.push({ stage: 'Summarize', kind: 'work', ms: work.summarize, polledMs: work.summarize, formula: 'measured' });
  return {
    terms,
    ms: terms.reduce((total, term) => total + term.ms, 0),
    polledMs: terms.reduce((total, term) => total + term.polledMs, 0),
  };
}
