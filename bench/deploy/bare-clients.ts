/**
 * The yardstick a function's bundle is measured against: a bare esbuild bundle of exactly the AWS SDK clients the
 * function calls, built with the same options. What the function's bundle adds beyond it (its own code, zod, the
 * Powertools logger, a YAML parser, node-forge...) is what the function pays at every cold start on top of the
 * clients it cannot do without.
 *
 * The clients a function calls are read from its own bundle's esbuild metafile (the `@aws-sdk/client-*` packages
 * among its inputs); the bundle-contents test (tests/integration/serverless/bundle-contents.test.ts) checks that
 * each of those is a client whose Commands the function constructs, so the list is what it calls, not what it
 * happens to import.
 */
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { BuildOptions, Metafile } from 'esbuild';
import { splitHandler } from './bundles';
import { PROJECT_ROOT } from './spec';

/**
 * The SDK v3 client packages (`@aws-sdk/client-ssm`, ...) with code in a bundle's output, sorted. The output's
 * inputs, not the metafile's: esbuild lists there every file it parsed, including packages tree shaking dropped.
 */
export function sdkClientsOf(metafile: Metafile): string[] {
  const clients = new Set<string>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const found = /(?:^|\/)node_modules\/(@aws-sdk\/client-[a-z0-9-]+)\//.exec(input);
      if (found && bytesInOutput > 0) clients.add(found[1]);
    }
  }
  return [...clients].sort();
}

/**
 * The esbuild options of `custom.esbuild` that shape the output (what serverless-esbuild passes to esbuild), for
 * building something the way the functions are built. serverless-esbuild bundles CommonJS for Node unless told
 * otherwise.
 */
export function outputOptions(esbuild: Record<string, unknown>): BuildOptions {
  const pick = <T>(key: string, fallback: T): T => (esbuild[key] === undefined ? fallback : (esbuild[key] as T));
  return {
    bundle: pick('bundle', true),
    minify: pick('minify', false),
    sourcemap: pick('sourcemap', false),
    sourcesContent: pick('sourcesContent', true),
    target: pick('target', 'node22'),
    platform: 'node',
    format: pick('format', 'cjs'),
    logLevel: 'silent',
  };
}

/** A function's bundle rebuilt with the packaged options, for its metafile (serverless-esbuild keeps none). */
export async function functionMetafile(handler: string, esbuild: Record<string, unknown>, root: string = PROJECT_ROOT): Promise<Metafile> {
  const { build } = await import('esbuild');
  const { module } = splitHandler(handler);
  const result = await build({
    ...outputOptions(esbuild),
    entryPoints: [join(root, `${module}.ts`)],
    absWorkingDir: root,
    outfile: join(root, '.esbuild', 'metafile-only.js'),
    write: false,
    metafile: true,
  });
  return result.metafile;
}

export type BareBundle = {
  /** `@aws-sdk/client-ecs+@aws-sdk/client-ssm` */
  key: string;
  clients: string[];
  file: string;
  bundleBytes: number;
  sourceMapBytes: number;
  /** What the timing child calls to check the bundle loaded (a no-op next to the clients). */
  exportName: string;
};

/** The name under which a bare bundle's no-op function is exported (the cold-start child checks it is a function). */
export const BARE_EXPORT = 'handler';

/** The entry of a bare bundle: every export of each client package, nothing else but a no-op to check the load. */
export function bareEntry(clients: readonly string[]): string {
  return [...clients.map((client) => `export * from ${JSON.stringify(client)};`), `export function ${BARE_EXPORT}() {}`].join('\n');
}

/** Builds the bare bundle of `clients` under `destDir` with the functions' own esbuild options. */
export async function buildBareBundle(clients: readonly string[], esbuild: Record<string, unknown>, destDir: string, root: string = PROJECT_ROOT): Promise<BareBundle> {
  const { build } = await import('esbuild');
  const key = clients.join('+') || '(no client)';
  const file = join(destDir, `${clients.map((c) => c.replace(/^@aws-sdk\/client-/, '')).join('+') || 'none'}.js`);
  await mkdir(destDir, { recursive: true });
  await build({
    ...outputOptions(esbuild),
    stdin: { contents: bareEntry(clients), resolveDir: root, loader: 'js', sourcefile: 'bare-clients.js' },
    absWorkingDir: root,
    outfile: file,
  });
  const bundleBytes = (await stat(file)).size;
  const sourceMapBytes = await stat(`${file}.map`).then(
    (s) => s.size,
    () => 0,
  );
  return { key, clients: [...clients], file, bundleBytes, sourceMapBytes, exportName: BARE_EXPORT };
}

/** The targets of issue 12: a function's bundle and its cold require at most 1.25 × those of its bare bundle. */
export const BARE_RATIO_TARGET = 1.25;
