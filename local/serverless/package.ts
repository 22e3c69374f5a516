/**
 * The packaged CloudFormation template (`serverless package`), for what only packaging creates: the IAM roles of
 * serverless-iam-roles-per-function and serverless-step-functions, each function's and state machine's role.
 *
 * Packaging bundles every function and takes tens of seconds, so the template's principals (roles, functions,
 * state machines, build projects) are cached in `<appDir>/node_modules/.cache/local-cloud/template-<hash>.json`
 * under the same key as `serverless print`'s cache (serverless.yml, the files it includes, the variables it reads,
 * the options): the roles depend on the configuration, not on the handlers' code. Not in `.serverless/`: packaging
 * empties that directory.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configCacheKey, readOrProduce, withExclusiveLock } from './cache';
import { ServerlessConfigError } from './errors';
import { serverlessBinary, type PrintOptions } from './print';

/** Bundling all functions on a busy machine can take a minute or two. */
const PACKAGE_TIMEOUT_MS = 300_000;

/** The resource types the local cloud reads from the packaged template (IAM principals and what runs as them). */
const KEPT_TYPES = new Set(['AWS::IAM::Role', 'AWS::Lambda::Function', 'AWS::StepFunctions::StateMachine', 'AWS::CodeBuild::Project', 'AWS::Logs::LogGroup']);

/** Properties kept of a function (its code location and environment change with every build and are not needed). */
const FUNCTION_PROPERTIES = ['FunctionName', 'Role'];

export interface PackagedTemplate {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}

/**
 * Runs `work` (a `serverless package` of `appDir`) while no other packaging of the same directory runs, in this
 * process or another: serverless-esbuild bundles into one work folder of the application (`.esbuild/`), so two
 * packagings at once (parallel jest workers, the local cloud's first start next to the package tests) would
 * overwrite each other's bundles.
 */
export function withPackagingLock<T>(appDir: string, work: () => Promise<T>): Promise<T> {
  return withExclusiveLock(join(appDir, 'node_modules', '.cache', 'local-cloud', 'package.lock'), work, PACKAGE_TIMEOUT_MS + 60_000);
}

/** The arguments after `serverless package`. */
export function packageArguments(options: PrintOptions, outDir: string): string[] {
  const args = ['--package', outDir];
  if (options.stage) args.push('--stage', options.stage);
  if (options.region) args.push('--region', options.region);
  for (const [key, value] of Object.entries(options.params ?? {}).sort(([a], [b]) => a.localeCompare(b))) args.push('--param', `${key}=${value}`);
  return args;
}

export interface ServerlessPackageOptions {
  /** The child's environment (credentials, telemetry switches); TMPDIR is set by {@link runServerlessPackage}. */
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/**
 * Runs `serverless package <args>` in `appDir` while holding the packaging lock, with a TMPDIR of its own that is
 * removed afterwards. serverless-esbuild zips each function from a temporary folder under TMPDIR and then fails to
 * remove it (a non-recursive remove of a non-empty folder, its error swallowed): about 5 MB per function, some
 * 200 MB per packaging, left behind for ever: runs of the test suite had left tens of gigabytes there.
 * Rejects with {@link ServerlessConfigError} naming stderr (or stdout) when packaging fails.
 */
export async function runServerlessPackage(appDir: string, args: string[], options: ServerlessPackageOptions = {}): Promise<{ stdout: string; stderr: string }> {
  const scratch = await mkdtemp(join(tmpdir(), 'sls-tmp-'));
  const env: NodeJS.ProcessEnv = { ...(options.env ?? process.env), TMPDIR: scratch, TMP: scratch, TEMP: scratch };
  try {
    return await withPackagingLock(appDir, () => new Promise((resolve, reject) => {
      execFile(process.execPath, [serverlessBinary(), 'package', ...args], { cwd: appDir, env, timeout: options.timeoutMs ?? PACKAGE_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
        if (error) reject(new ServerlessConfigError(`serverless package failed in ${appDir}: ${stderr.trim() || stdout.trim() || error.message}`, { cause: error }));
        else resolve({ stdout, stderr });
      });
    }));
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function packageTemplate(appDir: string, options: PrintOptions): Promise<PackagedTemplate> {
  const outDir = await mkdtemp(join(tmpdir(), 'local-package-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // Packaging calls no AWS API, but the framework insists on finding credentials.
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'dummy',
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
  };
  try {
    await runServerlessPackage(appDir, packageArguments(options, outDir), { env });
    const template = JSON.parse(await readFile(join(outDir, 'cloudformation-template-update-stack.json'), 'utf8')) as PackagedTemplate;
    const resources: PackagedTemplate['Resources'] = {};
    for (const [id, resource] of Object.entries(template.Resources ?? {})) {
      if (!KEPT_TYPES.has(resource.Type)) continue;
      const properties = resource.Type === 'AWS::Lambda::Function' ? Object.fromEntries(FUNCTION_PROPERTIES.map((key) => [key, resource.Properties?.[key]])) : resource.Properties;
      resources[id] = { Type: resource.Type, Properties: properties };
    }
    return { Resources: resources };
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

/**
 * The packaged template's principals for these options, from the cache when serverless.yml has not changed.
 * `onPackage` is called when it is not cached and `serverless package` runs (tens of seconds).
 */
export async function loadPackagedTemplate(appDir: string, options: PrintOptions = {}, onPackage?: () => void): Promise<PackagedTemplate> {
  const file = join(appDir, 'node_modules', '.cache', 'local-cloud', `template-${configCacheKey(appDir, options)}.json`);
  return (await readOrProduce(file, async () => (await packageTemplate(appDir, options)) as unknown as Record<string, unknown>, onPackage)) as unknown as PackagedTemplate;
}
