/**
 * Runs `serverless print --format json` in the application's directory: the Serverless Framework resolves every
 * variable (`${file(...)}`, `${sls:stage}`, `${opt:...}`, `${param:...}`, `${env:...}`, `${self:...}`) exactly as
 * `serverless deploy` would, offline, and leaves CloudFormation intrinsics (`Fn::GetAtt`, `Ref`) as they are.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ServerlessConfigError } from './errors';

export interface PrintOptions {
  /** `--stage`; default: the file's `provider.stage`. */
  readonly stage?: string;
  /** `--region`; default: the file's `provider.region`. */
  readonly region?: string;
  /** `--param "key=value"` for each entry (read by `${param:key}`). */
  readonly params?: Readonly<Record<string, string>>;
}

/** Resolving a large service takes a few seconds; a minute means something hangs. */
const PRINT_TIMEOUT_MS = 60_000;

/** The CLI entry point of the installed framework (the `serverless` package is osls). */
export function serverlessBinary(): string {
  const packageJson = require.resolve('serverless/package.json');
  const manifest = JSON.parse(readFileSync(packageJson, 'utf8')) as { bin?: string | Record<string, string> };
  const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin?.serverless ?? manifest.bin?.sls;
  if (!bin) throw new ServerlessConfigError('the installed serverless package declares no binary');
  return join(dirname(packageJson), bin);
}

/** The CLI arguments for `print` with these options. */
export function printArguments(options: PrintOptions): string[] {
  const args = ['print', '--format', 'json'];
  if (options.stage) args.push('--stage', options.stage);
  if (options.region) args.push('--region', options.region);
  for (const [key, value] of Object.entries(options.params ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    args.push('--param', `${key}=${value}`);
  }
  return args;
}

/**
 * The fully resolved configuration, as a plain object.
 *
 * Credentials are only needed because the framework insists on finding some; dummies are supplied when the
 * environment has none (no variable used here calls AWS: `${aws:accountId}` would, and is not supported).
 */
export function printServerlessConfig(appDir: string, options: PrintOptions = {}): Promise<Record<string, unknown>> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'test',
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'test',
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
  };
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [serverlessBinary(), ...printArguments(options)],
      { cwd: appDir, env, timeout: PRINT_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          const detail = stderr.trim() || stdout.trim() || error.message;
          reject(new ServerlessConfigError(`serverless print failed in ${appDir}: ${detail}`, { cause: error }));
          return;
        }
        try {
          resolve(parsePrintOutput(stdout));
        } catch (parseError) {
          reject(parseError);
        }
      },
    );
  });
}

/** The JSON document in the output (plugins may print a line or two before it). */
export function parsePrintOutput(stdout: string): Record<string, unknown> {
  const start = stdout.indexOf('{');
  const end = stdout.lastIndexOf('}');
  if (start < 0 || end < start) throw new ServerlessConfigError('serverless print produced no JSON document');
  const parsed: unknown = JSON.parse(stdout.slice(start, end + 1));
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ServerlessConfigError('serverless print produced JSON that is not an object');
  }
  return parsed as Record<string, unknown>;
}
