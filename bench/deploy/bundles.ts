/**
 * The functions as Lambda receives them: `serverless package` (serverless-esbuild, one bundle per function) into a
 * temporary directory, each zip's size, and each bundle extracted so it can be loaded by a fresh Node process.
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { runServerlessPackage } from '@consul-mesh/local-cloud';
import { PROJECT_ROOT } from './spec';

const run = promisify(execFile);

/** Packaging bundles every function with esbuild; a minute or two on a busy machine, never ten. */
const PACKAGE_TIMEOUT_MS = 300_000;

/** One packaged function, as `serverless-state.json` describes it. */
export type PackagedFunction = {
  name: string;
  /** `functions/steps/check-stage.handler` */
  handler: string;
  zipFile: string;
  zipBytes: number;
  /** The function's environment on Lambda: the provider's variables, then its own (string values only). */
  environment: Record<string, string>;
};

export type Packaged = {
  functions: PackagedFunction[];
  /** `custom.esbuild` as resolved: the options the bundles were built with. */
  esbuild: Record<string, unknown>;
};

/** Packaging failed or produced something other than one zip per function. */
export class PackagingFailed extends Error {
  override readonly name = 'PackagingFailed';
}

/**
 * Runs `serverless package --stage local --package <outDir>` with dummy credentials (packaging calls no AWS API,
 * but the framework insists on finding credentials) and reads what it wrote.
 */
export async function packageFunctions(outDir: string, root: string = PROJECT_ROOT): Promise<Packaged> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
  };
  try {
    await runServerlessPackage(root, ['--stage', 'local', '--package', outDir], { env, timeoutMs: PACKAGE_TIMEOUT_MS });
  } catch (error) {
    throw new PackagingFailed(error instanceof Error ? error.message : String(error), { cause: error });
  }
  return readPackaged(outDir);
}

type ServerlessState = {
  service: {
    provider?: { environment?: Record<string, unknown> };
    custom?: { esbuild?: Record<string, unknown> };
    functions: Record<string, { handler: string; environment?: Record<string, unknown> }>;
  };
};

/** The functions of a package directory, with their zip sizes. */
export async function readPackaged(outDir: string): Promise<Packaged> {
  const state = JSON.parse(await readFile(join(outDir, 'serverless-state.json'), 'utf8')) as ServerlessState;
  const strings = (values: Record<string, unknown> | undefined) =>
    Object.fromEntries(Object.entries(values ?? {}).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  const providerEnvironment = strings(state.service.provider?.environment);
  const functions: PackagedFunction[] = [];
  for (const [name, fn] of Object.entries(state.service.functions)) {
    const zipFile = join(outDir, `${name}.zip`);
    const zipBytes = await stat(zipFile).then(
      (s) => s.size,
      (error: unknown) => {
        throw new PackagingFailed(`function ${name} has no zip in ${outDir}`, { cause: error });
      },
    );
    functions.push({ name, handler: fn.handler, zipFile, zipBytes, environment: { ...providerEnvironment, ...strings(fn.environment) } });
  }
  if (functions.length === 0) throw new PackagingFailed(`no function was packaged in ${outDir}`);
  return { functions, esbuild: state.service.custom?.esbuild ?? {} };
}

/** `functions/steps/check-stage.handler` → module `functions/steps/check-stage`, export `handler`. */
export function splitHandler(handler: string): { module: string; exportName: string } {
  const dot = handler.lastIndexOf('.');
  if (dot <= 0 || dot === handler.length - 1) throw new RangeError(`handler '${handler}' is not <module>.<export>`);
  return { module: handler.slice(0, dot), exportName: handler.slice(dot + 1) };
}

export type ExtractedBundle = {
  /** The bundle's JavaScript file (what Lambda's runtime requires). */
  file: string;
  bundleBytes: number;
  sourceMapBytes: number;
  /** `unzip` of the packaged zip, or `esbuild` with the same options when `unzip` is not installed. */
  via: 'unzip' | 'esbuild';
};

/**
 * The function's bundle under `destDir`: the packaged zip extracted with `unzip` (Node's zlib reads deflate
 * streams, not zip archives), or, where `unzip` is missing, rebuilt with esbuild from `custom.esbuild`'s options
 * (serverless-esbuild deletes its own output once the zips are written).
 */
export async function extractBundle(fn: PackagedFunction, esbuildOptions: Record<string, unknown>, destDir: string, root: string = PROJECT_ROOT): Promise<ExtractedBundle> {
  const { module } = splitHandler(fn.handler);
  const file = join(destDir, `${module}.js`);
  let via: ExtractedBundle['via'] = 'unzip';
  // unzip creates the files' folders but not the destination itself.
  await mkdir(destDir, { recursive: true });
  try {
    await run('unzip', ['-q', '-o', fn.zipFile, '-d', destDir]);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    via = 'esbuild';
    await mkdir(dirname(file), { recursive: true });
    const { build } = await import('esbuild');
    await build({
      entryPoints: [join(root, `${module}.ts`)],
      outfile: file,
      bundle: esbuildOptions.bundle !== false,
      minify: esbuildOptions.minify === true,
      sourcemap: esbuildOptions.sourcemap === true,
      sourcesContent: esbuildOptions.sourcesContent !== false,
      target: typeof esbuildOptions.target === 'string' ? esbuildOptions.target : 'node22',
      platform: 'node',
      // serverless-esbuild's default output format.
      format: 'cjs',
      logLevel: 'silent',
    });
  }
  const bundleBytes = (await stat(file)).size;
  const sourceMapBytes = await stat(`${file}.map`).then(
    (s) => s.size,
    () => 0,
  );
  return { file, bundleBytes, sourceMapBytes, via };
}
