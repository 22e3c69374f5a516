import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { ALL_AWS_CLIENTS, createAwsClients } from '../layers/adapters/aws';
import type { EcsApi } from '../layers/adapters/ecs';
import type { BuildSourceS3 } from '../layers/deploy/build-source';
import type { DeploymentsSfn } from '../layers/executions/sfn-backend';

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
  clients: () => { sfn: DeploymentsSfn; ecs: Pick<EcsApi, 'describeClusters' | 'describeServices' | 'describeTaskDefinition'>; s3: BuildSourceS3 };
  /** The 6 base36 characters ending a deployment id (random unless a test fixes them). */
  randomSuffix?: () => string;
  /** How the HTTP API backend reaches the API (the global fetch unless a test gives its own). */
  fetch?: typeof fetch;
  /**
   * Calls `handler` on Ctrl-C (SIGINT) while a command follows work that goes on without it, then ends the process
   * with 130 (128 + SIGINT). Returns the function that stops listening. A test gives its own.
   */
  onInterrupt?: (handler: () => void) => () => void;
  /** Where a confirmation is read from (`meshctl destroy`): asked only when it is a terminal. */
  stdin?: { isTTY?: boolean };
  /** Asks a question on the terminal and resolves with the line typed. */
  prompt?: (question: string) => Promise<string>;
}

export function defaultCliDeps(): CliDeps {
  let clients: ReturnType<typeof createAwsClients<keyof typeof ALL_AWS_CLIENTS>> | undefined;
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    now: () => new Date(),
    sleep: (ms) => delay(ms),
    pollIntervalMs: 1000,
    stdin: process.stdin,
    prompt: async (question) => {
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return await rl.question(question);
      } finally {
        rl.close();
      }
    },
    onInterrupt: (handler) => {
      const listener = () => {
        handler();
        process.exit(130);
      };
      process.once('SIGINT', listener);
      return () => process.removeListener('SIGINT', listener);
    },
    clients: () => {
      if (!clients) {
        // The SDK reads its settings from the environment: fill the local cloud's when there are none.
        Object.assign(process.env, localCloudAwsDefaults(process.env));
        clients = createAwsClients(ALL_AWS_CLIENTS);
      }
      return clients;
    },
  };
}

/** Writes lines, each ended by a newline. */
export function writeLines(out: CliOutput, lines: readonly string[]): void {
  if (lines.length > 0) out.write(`${lines.join('\n')}\n`);
}

/**
 * Ends the process quietly when the reader of stdout goes away (`meshctl status | head -3`): the write fails with
 * EPIPE, which Node raises as an 'error' event that would otherwise crash with a stack trace. As with other
 * command-line tools, a closed pipe is not a failure of the command. Any other stream error is left to surface.
 */
export function endQuietlyOnClosedPipe(stream: NodeJS.EventEmitter, exit: (code: number) => void = (code) => process.exit(code)): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') exit(0);
    else throw error;
  });
}

/** Whether the AWS SDK has anything to go on: a region, a profile, an endpoint, credentials or a config file. */
function hasAwsConfiguration(env: NodeJS.ProcessEnv, configFileExists: (path: string) => boolean): boolean {
  const named = ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE', 'AWS_ENDPOINT_URL', 'AWS_ACCESS_KEY_ID', 'AWS_CONFIG_FILE'];
  if (named.some((name) => env[name])) return true;
  return env.HOME !== undefined && configFileExists(join(env.HOME, '.aws', 'config'));
}

/**
 * The local cloud's settings for the AWS clients when nothing at all configures AWS, so `meshctl plan` defaults
 * to the local cloud as `deploy` and `status` do (through its API) instead of failing with "Region is missing".
 * With any AWS setting present nothing is filled: a real account is never mixed with local defaults.
 */
export function localCloudAwsDefaults(env: NodeJS.ProcessEnv, configFileExists: (path: string) => boolean = existsSync): Record<string, string> {
  if (hasAwsConfiguration(env, configFileExists)) return {};
  return { AWS_ENDPOINT_URL: LOCAL_AWS_ENDPOINT, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' };
}

/** The local cloud's AWS endpoint (DESIGN.md section 4). */
export const LOCAL_AWS_ENDPOINT = 'http://127.0.0.1:4566';
