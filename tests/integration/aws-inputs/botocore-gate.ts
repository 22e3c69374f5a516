import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import type { LimitIssue, RecordedCall } from './aws-limits';

/** What validate_inputs.py answers: every finding names the call's origin, the operation, the field and the problem. */
export interface BotocoreReport {
  botocore: string;
  checked: number;
  operations: Record<string, number>;
  errors: LimitIssue[];
  /** Model patterns this machine's Python could not compile (Java regex syntax), hence not checked. */
  skippedPatterns: string[];
}

const SCRIPT = resolve(__dirname, 'validate_inputs.py');

/**
 * Validates recorded AWS calls with botocore's own service models (the models boto3 and the AWS CLI ship), in one
 * Python process for all of them. `PYTHON` picks the interpreter (default `python3`).
 *
 * @throws Error when Python or botocore cannot run: a gate that cannot check must not pass.
 */
export function validateWithBotocore(calls: RecordedCall[]): BotocoreReport {
  const python = process.env.PYTHON ?? 'python3';
  const run = spawnSync(python, [SCRIPT], { input: JSON.stringify({ calls }), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 120_000 });
  if (run.error) throw new Error(`cannot run ${python} ${SCRIPT}: ${run.error.message}`);
  if (run.status !== 0) throw new Error(`${python} ${SCRIPT} exited ${String(run.status)}: ${run.stderr}`);
  return JSON.parse(run.stdout) as BotocoreReport;
}

/** One line per finding, for a failure message that says what to fix. */
export function formatIssues(issues: LimitIssue[]): string {
  return issues.map((i) => `${i.operation} ${i.field}: ${i.problem}${i.origin ? ` [${i.origin}]` : ''}`).join('\n');
}
