import type { ChurnLogger, ChurnMetrics } from '../../../layers/churn/ports';

/** A logger that keeps its lines, to assert on what was logged. */
export class RecordingLogger implements ChurnLogger {
  readonly lines: Array<{ level: string; message: string; attributes: Record<string, unknown> }> = [];
  debug(message: string, ...attributes: Record<string, unknown>[]) {
    this.push('debug', message, attributes);
  }
  info(message: string, ...attributes: Record<string, unknown>[]) {
    this.push('info', message, attributes);
  }
  warn(message: string, ...attributes: Record<string, unknown>[]) {
    this.push('warn', message, attributes);
  }
  error(message: string, ...attributes: Record<string, unknown>[]) {
    this.push('error', message, attributes);
  }
  private push(level: string, message: string, attributes: Record<string, unknown>[]) {
    this.lines.push({ level, message, attributes: Object.assign({}, ...attributes) });
  }
}

/** Metrics kept in memory (name → sum), as the EMF output would carry them. */
export class RecordingMetrics implements ChurnMetrics {
  readonly values: Record<string, number> = {};
  addMetric(name: string, _unit: 'Count' | 'Milliseconds', value: number) {
    this.values[name] = (this.values[name] ?? 0) + value;
  }
}
