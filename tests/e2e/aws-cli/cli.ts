/**
 * Runs the real AWS CLI (`aws`, a client no one here wrote) against a local endpoint, isolated from the machine's
 * own AWS configuration.
 *
 * Every call is `aws --endpoint-url <url> --region us-east-1 --output json <service> <operation> ...` with the local
 * credentials (`test`/`test`) in the environment and HOME, `AWS_CONFIG_FILE` and `AWS_SHARED_CREDENTIALS_FILE`
 * pointing into a fresh temporary directory, so no profile, SSO session, credential process or default endpoint of
 * the machine can change what the CLI sends.
 *
 * @example
 * const cli = createAwsCli(endpoint.url);
 * const clusters = await cli.ok(['ecs', 'list-clusters']);
 * const failure = await cli.fail(['ecs', 'list-services', '--cluster', 'nope']);
 * expect(failure.stderr).toContain('(ClusterNotFoundException)');
 * cli.cleanup();
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** What one CLI invocation produced. */
export interface CliResult {
  /** The process exit code: 0 on success; 254/255 for service errors (v2/v1), 252 for usage errors. */
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout parsed as JSON; undefined when the operation printed nothing (e.g. `ssm delete-parameter`). */
  readonly json: unknown;
}

export interface RunOptions {
  /** Extra or overriding environment variables (e.g. a wrong `AWS_SECRET_ACCESS_KEY`). */
  readonly env?: Readonly<Record<string, string>>;
  /** Kills the CLI after this long; default 30 s (a waiter sleeps 15 s between polls). */
  readonly timeoutMs?: number;
  /** The command prints text, not JSON (`aws s3 cp/ls`): `json` stays undefined. */
  readonly text?: boolean;
}

export interface AwsCli {
  /** The private directory the CLI runs in (its HOME and working directory). */
  readonly dir: string;
  /** Runs `aws <args>` and reports the outcome whatever it is. */
  run(args: readonly string[], options?: RunOptions): Promise<CliResult>;
  /** Runs `aws <args>`, expects exit code 0 and returns the parsed JSON output. */
  ok(args: readonly string[], options?: RunOptions): Promise<unknown>;
  /** Runs `aws <args>` and expects it to fail (non-zero exit code). */
  fail(args: readonly string[], options?: RunOptions): Promise<CliResult>;
  /** Writes a file into `dir` and returns the `file://` reference the CLI reads parameters from. */
  fileRef(name: string, content: string): string;
  /** Removes `dir`. */
  cleanup(): void;
}

/** Debian's (and Ubuntu's) package providing `aws`; CI installs it. */
export const AWS_CLI_PACKAGE = 'awscli';

const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_OUTPUT_BYTES = 32 * 1024 * 1024;

const notInstalled = () =>
  new Error(
    `The AWS CLI ('aws') is not on PATH: these end-to-end tests drive the local cloud with it. ` +
      `Install it with 'apt-get install ${AWS_CLI_PACKAGE}' (or AWS's own installer) and run the tests again.`,
  );

/** Throws a message naming the package to install when no executable `aws` is on PATH. */
export function requireAwsCli(): void {
  const found = (process.env.PATH ?? '').split(delimiter).some((dir) => {
    if (!dir) return false;
    try {
      accessSync(join(dir, 'aws'), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
  if (!found) throw notInstalled();
}

/**
 * The CLI's environment: only PATH (and the locale) is inherited; every AWS setting is explicit. Any `AWS_*`
 * variable of the caller (a profile, `AWS_ENDPOINT_URL`, a session token) would otherwise change the request.
 */
function isolatedEnv(dir: string, overrides: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    LANG: 'C.UTF-8',
    HOME: dir,
    // Timestamps rendered in ISO form (CLI v2's default) then carry +00:00, whatever the machine's zone.
    TZ: 'UTC',
    AWS_CONFIG_FILE: join(dir, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_PAGER: '',
    AWS_CLI_AUTO_PROMPT: 'off',
    // No instance-metadata lookups: they would reach for the network if a credential were missing.
    AWS_EC2_METADATA_DISABLED: 'true',
    // One attempt: the tests assert on the first answer, and a failing call must not retry for seconds.
    AWS_MAX_ATTEMPTS: '1',
    ...overrides,
  };
}

function parseJson(stdout: string, args: readonly string[]): unknown {
  const text = stdout.trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`'aws ${args.join(' ')}' printed output that is not JSON:\n${text.slice(0, 2000)}`, { cause: error });
  }
}

/** Creates a CLI bound to `endpointUrl` (e.g. `http://127.0.0.1:54321`). Throws when `aws` is not installed. */
export function createAwsCli(endpointUrl: string): AwsCli {
  requireAwsCli();
  const dir = mkdtempSync(join(tmpdir(), 'aws-cli-e2e-'));
  // Empty files, so the CLI finds no profile at all (rather than falling back to the real home directory).
  writeFileSync(join(dir, 'config'), '');
  writeFileSync(join(dir, 'credentials'), '');

  const run = (args: readonly string[], options: RunOptions = {}): Promise<CliResult> =>
    new Promise((resolve, reject) => {
      const argv = ['--endpoint-url', endpointUrl, '--region', 'us-east-1', '--output', 'json', ...args];
      const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      execFile(
        'aws',
        argv,
        { cwd: dir, env: isolatedEnv(dir, options.env), timeout, maxBuffer: MAX_OUTPUT_BYTES, encoding: 'utf8' },
        (error, stdout, stderr) => {
          if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') return reject(notInstalled());
          if (error?.killed) {
            return reject(new Error(`'aws ${args.join(' ')}' did not finish within ${timeout} ms; stderr:\n${stderr}`));
          }
          const code = error ? (error as { code?: unknown }).code : 0;
          const exitCode = typeof code === 'number' ? code : 1;
          try {
            resolve({ exitCode, stdout, stderr, json: exitCode === 0 && !options.text ? parseJson(stdout, args) : undefined });
          } catch (parseError) {
            reject(parseError);
          }
        },
      );
    });

  return {
    dir,
    run,
    async ok(args, options) {
      const result = await run(args, options);
      if (result.exitCode !== 0) {
        throw new Error(`'aws ${args.join(' ')}' exited with ${result.exitCode}:\n${result.stderr}`);
      }
      return result.json;
    },
    async fail(args, options) {
      const result = await run(args, options);
      if (result.exitCode === 0) throw new Error(`'aws ${args.join(' ')}' succeeded but was expected to fail:\n${result.stdout}`);
      return result;
    },
    fileRef(name, content) {
      const path = join(dir, name);
      writeFileSync(path, content);
      return `file://${path}`;
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A service error as the CLI reports it on stderr. */
export interface CliServiceError {
  readonly code: string;
  readonly operation: string;
  readonly message: string;
}

const SERVICE_ERROR = /An error occurred \(([^)]+)\) when calling the (\w+) operation(?: \(reached max retries: \d+\))?: (.*)/;

/**
 * The `An error occurred (<Code>) when calling the <Operation> operation: <message>` line the CLI prints for an
 * AWS error response (read from the `__type` of the JSON body), or undefined when stderr holds none.
 */
export function serviceErrorOf(result: CliResult): CliServiceError | undefined {
  const match = SERVICE_ERROR.exec(result.stderr);
  return match ? { code: match[1], operation: match[2], message: match[3].trim() } : undefined;
}

/** CLI v1 exits with 255 on a service error, CLI v2 with 254. */
export const SERVICE_ERROR_EXIT_CODES = [254, 255];
