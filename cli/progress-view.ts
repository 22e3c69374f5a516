import type { CliOutput } from './cli-deps';
import type { DeploymentDescription } from '../layers/executions/backend';
import { initialProgress, type DeploymentProgress } from '../layers/executions/progress';
import { renderProgressFrame, renderTransitions } from './progress-text';

/** Shows a deployment's progress while it runs. */
export interface ProgressView {
  update(progress: DeploymentProgress, description: DeploymentDescription): void;
  /** Leaves the last frame on screen and moves below it. */
  close(): void;
}

/**
 * A live view for a terminal (redrawn in place), one line per change otherwise: CI logs and pipes are not
 * terminals, and a redrawn frame there would be a wall of repeated frames. `NO_COLOR` (no-color.org) and
 * `TERM=dumb` ask for plain output: the line view, with no escape sequences at all.
 */
export function createProgressView(out: CliOutput, now: () => Date, env: NodeJS.ProcessEnv = {}): ProgressView {
  const plain = (env.NO_COLOR !== undefined && env.NO_COLOR !== '') || env.TERM === 'dumb';
  return out.isTTY && !plain ? new TerminalView(out, now) : new LineView(out);
}

/** Prints each stage transition, service count change and image state change once, as it happens. */
export class LineView implements ProgressView {
  private last = initialProgress();

  constructor(private readonly out: CliOutput) {}

  update(progress: DeploymentProgress): void {
    const lines = renderTransitions(this.last, progress);
    if (lines.length > 0) this.out.write(`${lines.join('\n')}\n`);
    this.last = progress;
  }

  close(): void {}
}

/**
 * Redraws the frame in place with ANSI escapes: cursor up over the previous frame (`ESC[<n>A`), to column 0,
 * erase to the end of the screen (`ESC[J`). Lines are cut to the terminal's width and the frame to its height,
 * since a wrapped or scrolled line would make the cursor-up count wrong.
 */
export class FrameWriter {
  private drawn = 0;

  constructor(private readonly out: CliOutput) {}

  draw(lines: readonly string[]): void {
    const columns = Math.max(20, (this.out.columns ?? 80) - 1);
    const rows = Math.max(3, (this.out.rows ?? 24) - 1);
    let frame = lines.map((l) => (l.length > columns ? `${l.slice(0, columns - 1)}…` : l));
    if (frame.length > rows) frame = [...frame.slice(0, rows - 1), `  … ${frame.length - rows + 1} more lines`];
    const erase = this.drawn > 0 ? `\x1b[${this.drawn}A\r\x1b[J` : '';
    this.out.write(`${erase}${frame.join('\n')}\n`);
    this.drawn = frame.length;
  }

  /** Leaves the last frame on screen: the next draw starts below it. */
  release(): void {
    this.drawn = 0;
  }
}

/** The deployment's frame (header, stages, their services), redrawn in place on a terminal. */
export class TerminalView implements ProgressView {
  private readonly frame: FrameWriter;

  constructor(
    out: CliOutput,
    private readonly now: () => Date,
  ) {
    this.frame = new FrameWriter(out);
  }

  update(progress: DeploymentProgress, description: DeploymentDescription): void {
    const elapsed = description.startedAt ? formatDuration((description.stoppedAt ?? this.now()).getTime() - description.startedAt.getTime()) : '';
    const header = `${description.mesh ?? ''} ${description.deploymentId ?? description.name}  ${description.status}  ${elapsed}`.trim();
    this.frame.draw(renderProgressFrame(header, progress));
  }

  close(): void {
    this.frame.release();
  }
}

/** `42s`, `3m05s`, `1h02m`. */
export function formatDuration(ms: number): string {
  // Under ten seconds a tenth of a second is worth showing: "took 0s" reads as if nothing ran.
  if (ms < 10_000) return `${(Math.max(0, ms) / 1000).toFixed(1)}s`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
