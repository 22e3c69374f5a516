/**
 * The one control surface for fault injection in the local cloud.
 *
 * Every emulated service receives the same `Faults` instance and consults it at the point where the real
 * fault would happen (the AWS endpoint before dispatch, the ECS scheduler when a task starts, CodeBuild when a
 * build runs, the Consul API on every request, the ECS event emitter when a task event leaves). Tests use this
 * TypeScript API; the admin HTTP route of the local cloud maps onto the same methods.
 */

export interface EventFaults {
  /** Share (0..1) of task events delivered twice. */
  duplicate: number;
  /** Share (0..1) of task events held back by `delayMs` before delivery (so later ones overtake them). */
  delay: number;
  delayMs: number;
  /** Share (0..1) of task events swapped with the next one of the same task. */
  reorder: number;
  /** Share (0..1) of task events never delivered. */
  drop: number;
}

export interface FaultSettings {
  /** Share (0..1) of AWS API calls answered with ThrottlingException (optionally limited to some targets). */
  throttleShare: number;
  /** If set, throttling applies only to operations whose `X-Amz-Target` starts with one of these prefixes. */
  throttleTargets: string[];
  /** Extra latency added to every AWS API call, in ms. */
  latencyMs: number;
  /** Share (0..1) of new ECS tasks that stop right after starting (as a crashing image does). */
  failTaskStarts: number;
  /** When true, every CodeBuild build ends FAILED in its BUILD phase with the given reason. */
  failBuilds: boolean;
  failBuildReason: string;
  /** Epoch ms until which the Consul HTTP API refuses every request (connection-level outage). */
  consulDownUntil: number;
  events: EventFaults;
}

export function defaultFaultSettings(): FaultSettings {
  return {
    throttleShare: 0,
    throttleTargets: [],
    latencyMs: 0,
    failTaskStarts: 0,
    failBuilds: false,
    failBuildReason: 'injected build failure',
    consulDownUntil: 0,
    events: { duplicate: 0, delay: 0, delayMs: 0, reorder: 0, drop: 0 },
  };
}

/** A seeded PRNG (mulberry32) so fault sequences are reproducible in tests. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Faults {
  private settings: FaultSettings = defaultFaultSettings();
  private random: () => number;
  /** Actions registered by services for one-shot faults ("stop N random tasks now"). */
  private stopRandomTasksAction?: (count: number) => Promise<string[]> | string[];
  private stopConsulServersAction?: (region?: string) => string[];

  constructor(seed = 1) {
    this.random = mulberry32(seed);
  }

  get current(): Readonly<FaultSettings> {
    return this.settings;
  }

  /** Merge new settings in (partial); `events` is merged key by key. */
  set(update: Partial<Omit<FaultSettings, 'events'>> & { events?: Partial<EventFaults> }): FaultSettings {
    const { events, ...rest } = update;
    this.settings = { ...this.settings, ...rest, events: { ...this.settings.events, ...(events ?? {}) } };
    return this.settings;
  }

  reset(seed?: number): void {
    this.settings = defaultFaultSettings();
    if (seed !== undefined) this.random = mulberry32(seed);
  }

  /** True with probability `share`; uses the seeded PRNG. */
  roll(share: number): boolean {
    return share > 0 && this.random() < share;
  }

  /** A number in [0, n). */
  pick(n: number): number {
    return Math.floor(this.random() * n);
  }

  shouldThrottle(target: string): boolean {
    const { throttleShare, throttleTargets } = this.settings;
    if (throttleShare <= 0) return false;
    if (throttleTargets.length > 0 && !throttleTargets.some((p) => target.startsWith(p))) return false;
    return this.roll(throttleShare);
  }

  consulDown(now = Date.now()): boolean {
    return now < this.settings.consulDownUntil;
  }

  /** Take the Consul API down for `ms` milliseconds from now. */
  takeConsulDown(ms: number): void {
    this.settings.consulDownUntil = Date.now() + ms;
  }

  /** Registered by the ECS simulation. */
  onStopRandomTasks(action: (count: number) => Promise<string[]> | string[]): void {
    this.stopRandomTasksAction = action;
  }

  /** Registered by the local cloud: crashes every running Consul server task at once. */
  onStopConsulServers(action: (region?: string) => string[]): void {
    this.stopConsulServersAction = action;
  }

  /**
   * Every Consul server task stops at once (an AZ outage, a bad image rolled to all of them): their data
   * directories go with them, and the servers ECS starts next bootstrap a new, empty datacenter. Returns their ARNs.
   * `region`: only that region's servers (one datacenter of two), else every region's.
   */
  stopConsulServers(region?: string): string[] {
    return this.stopConsulServersAction?.(region) ?? [];
  }

  /** Stop `count` random RUNNING tasks; returns their ARNs. */
  async stopRandomTasks(count: number): Promise<string[]> {
    if (!this.stopRandomTasksAction) return [];
    return this.stopRandomTasksAction(count);
  }
}
