import { setTimeout as delay } from 'node:timers/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { createAwsClients } from '../layers/adapters/aws';
import type { PlanClients } from './plan';

/** Where a command writes: a stream, with the terminal facts the live view needs when it is one. */
export interface CliOutput {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
  rows?: number;
}

/**
 * Everything a command takes from the outside world, in one place (the wiring), so tests give their own:
 * streams, clock, sleep and AWS clients. The clients resolve region, credentials and `AWS_ENDPOINT_URL`
 * themselves (layers/adapters/aws.ts).
 */
export interface CliDeps {
  stdout: CliOutput;
  stderr: CliOutput;
  env: NodeJS.ProcessEnv;
  /** The directory build contexts are relative to (the repository root when run as `npx meshctl`). */
  cwd: string;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
  /** How often the live view polls DescribeExecution and GetExecutionHistory. */
  pollIntervalMs: number;
  clients: () => { sfn: Pick<SFNClient, 'send'>; ecs: PlanClients['ecs']; s3: Pick<S3Client, 'send'> };
  /** The 6 base36 characters ending a deployment id (random unless a test fixes them). */
  randomSuffix?: () => string;
  /** How the HTTP API backend reaches the API (the global fetch unless a test gives its own). */
  fetch?: typeof fetch;
}

export function defaultCliDeps(): CliDeps {
  let clients: ReturnType<typeof createAwsClients> | undefined;
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    now: () => new Date(),
    sleep: (ms) => delay(ms),
    pollIntervalMs: 1000,
    clients: () => (clients ??= createAwsClients()),
  };
}

/** Writes lines, each ended by a newline. */
export function writeLines(out: CliOutput, lines: readonly string[]): void {
  if (lines.length > 0) out.write(`${lines.join('\n')}\n`);
}
