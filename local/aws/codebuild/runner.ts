/**
 * Drives builds through their phases on timers: each phase takes `phaseDelayMs`, then its work runs and the
 * next phase begins (see `phases.ts` for where a failure leads). StopBuild and close() cancel the timers.
 */
import { nextPhase, type BuildStatus, type PhaseType } from './phases';
import type { BuildSimulation, PhaseOutcome } from './simulation';
import type { StoredBuild } from './store';

interface Running {
  readonly build: StoredBuild;
  readonly simulation: BuildSimulation;
  timer?: NodeJS.Timeout;
  failed: boolean;
  /** An unexpected error in the simulation: CodeBuild calls that a FAULT, not a FAILED build. */
  faulted: boolean;
}

/** CodeBuild's log line prefix: `[Container] 2024/05/01 12:00:00.123456`. */
export function logLine(text: string, now = new Date()): string {
  const iso = now.toISOString();
  return `[Container] ${iso.slice(0, 10).replace(/-/g, '/')} ${iso.slice(11, 23)} ${text}`;
}

export class BuildRunner {
  private readonly running = new Map<string, Running>();

  /** `onComplete` is told each time a build reaches COMPLETED (so its owner can note the change). */
  constructor(
    private readonly phaseDelayMs: number,
    private readonly onComplete?: (build: StoredBuild) => void,
  ) {}

  /** Record SUBMITTED and start the phase clock. */
  start(build: StoredBuild, simulation: BuildSimulation): void {
    const running: Running = { build, simulation, failed: false, faulted: false };
    this.running.set(build.id, running);
    this.enter(running, 'SUBMITTED');
  }

  isRunning(buildId: string): boolean {
    return this.running.has(buildId);
  }

  /** Stop a running build now: the current phase and the build end STOPPED. */
  stop(buildId: string): void {
    const running = this.running.get(buildId);
    if (!running) return;
    clearTimeout(running.timer);
    const current = running.build.phases[running.build.phases.length - 1];
    current.phaseStatus = 'STOPPED';
    current.endTime = Date.now();
    current.contexts = [];
    running.build.log.push(logLine(`Phase complete: ${current.phaseType} State: STOPPED`));
    this.complete(running, 'STOPPED');
  }

  /** Cancel every timer; builds still running stay IN_PROGRESS. */
  close(): void {
    for (const running of this.running.values()) {
      clearTimeout(running.timer);
      running.simulation.dispose();
    }
    this.running.clear();
  }

  private enter(running: Running, phase: PhaseType): void {
    running.build.phases.push({ phaseType: phase, startTime: Date.now() });
    running.build.currentPhase = phase;
    running.build.log.push(logLine(`Entering phase ${phase}`));
    running.timer = setTimeout(() => this.finishPhase(running), this.phaseDelayMs);
  }

  private finishPhase(running: Running): void {
    const { build } = running;
    const current = build.phases[build.phases.length - 1];
    const { outcome, fault } = this.runPhase(running, current.phaseType);
    current.endTime = Date.now();
    current.phaseStatus = outcome.ok ? 'SUCCEEDED' : fault ? 'FAULT' : 'FAILED';
    current.contexts = outcome.ok ? [] : [outcome.context];
    build.log.push(logLine(`Phase complete: ${current.phaseType} State: ${current.phaseStatus}`));
    if (!outcome.ok) {
      running.failed = true;
      build.log.push(logLine(`Phase context status code: ${outcome.context.statusCode} Message: ${outcome.context.message}`));
    }
    const next = nextPhase(current.phaseType, !outcome.ok);
    if (next === 'COMPLETED') this.complete(running, running.faulted ? 'FAULT' : running.failed ? 'FAILED' : 'SUCCEEDED');
    else this.enter(running, next);
  }

  private runPhase(running: Running, phase: PhaseType): { outcome: PhaseOutcome; fault: boolean } {
    try {
      return { outcome: running.simulation.run(phase), fault: false };
    } catch (error) {
      running.faulted = true;
      return { outcome: { ok: false, context: { statusCode: 'INTERNAL_ERROR', message: (error as Error).message } }, fault: true };
    }
  }

  private complete(running: Running, status: BuildStatus): void {
    const { build } = running;
    const now = Date.now();
    build.phases.push({ phaseType: 'COMPLETED', startTime: now });
    build.currentPhase = 'COMPLETED';
    build.buildStatus = status;
    build.buildComplete = true;
    build.endTime = now;
    build.exportedEnvironmentVariables = running.simulation.exportedVariables();
    build.log.push(logLine(`Build ${status}`));
    running.simulation.dispose();
    this.running.delete(build.id);
    this.onComplete?.(build);
  }
}
