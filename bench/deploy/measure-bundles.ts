/**
 * The bundled functions as Lambda receives them, against the bare bundle of the SDK clients each one calls: sizes
 * of both, and cold `require()` of both in fresh Node processes, sampled round-robin in the same run so a busy
 * moment of the machine falls on every function and every bare bundle alike.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchmarkContext } from '../lib/benchmark';
import { summarize } from '../lib/stats';
import { buildBareBundle, functionMetafile, sdkClientsOf, type BareBundle } from './bare-clients';
import { extractBundle, packageFunctions, splitHandler } from './bundles';
import { measureRequire, withoutNodeOptions } from './cold-start';
import type { BundleFigure } from './report';

export type BundleSampling = {
  /** Cold-start samples per function and per bare bundle, with the function's own environment. */
  samples: number;
  /** Samples without NODE_OPTIONS (fewer: they only show what source-map support costs). */
  samplesWithoutSourceMaps: number;
};

export async function measureBundles(context: BenchmarkContext, node: string, sampling: BundleSampling): Promise<BundleFigure[]> {
  const directory = await mkdtemp(join(tmpdir(), 'deploy-bench-'));
  try {
    context.log('serverless package --stage local (one esbuild bundle per function)');
    const packaged = await packageFunctions(join(directory, 'package'));
    const bare = new Map<string, BareBundle & { withMaps: number[]; without: number[] }>();
    const loaded = [];
    for (const fn of packaged.functions) {
      const bundle = await extractBundle(fn, packaged.esbuild, join(directory, 'bundles', fn.name));
      const clients = sdkClientsOf(await functionMetafile(fn.handler, packaged.esbuild));
      const key = clients.join('+');
      if (!bare.has(key)) bare.set(key, { ...(await buildBareBundle(clients, packaged.esbuild, join(directory, 'bare'))), withMaps: [], without: [] });
      // Lambda's own variables a module could read at load time.
      const environment = { AWS_REGION: 'us-east-1', AWS_LAMBDA_FUNCTION_NAME: fn.name, ...fn.environment };
      loaded.push({ fn, bundle, bareKey: key, environment, exportName: splitHandler(fn.handler).exportName, withMaps: [] as number[], without: [] as number[] });
    }
    context.log(
      `cold starts on ${node}: ${sampling.samples} fresh processes per function and per bare bundle of its clients (${bare.size} distinct), ` +
        `and ${sampling.samplesWithoutSourceMaps} without NODE_OPTIONS`,
    );
    // Bare bundles load with the environment of the first function that calls their clients (same NODE_OPTIONS).
    const bareEnvironment = new Map<string, Record<string, string>>();
    for (const entry of loaded) if (!bareEnvironment.has(entry.bareKey)) bareEnvironment.set(entry.bareKey, entry.environment);
    for (let sample = 0; sample < sampling.samples; sample++) {
      for (const entry of loaded) {
        entry.withMaps.push(await measureRequire(entry.bundle.file, entry.exportName, { node, environment: entry.environment }));
        if (sample < sampling.samplesWithoutSourceMaps) {
          entry.without.push(await measureRequire(entry.bundle.file, entry.exportName, { node, environment: withoutNodeOptions(entry.environment) }));
        }
      }
      for (const [key, b] of bare) {
        const environment = bareEnvironment.get(key) ?? {};
        b.withMaps.push(await measureRequire(b.file, b.exportName, { node, environment }));
        if (sample < sampling.samplesWithoutSourceMaps) b.without.push(await measureRequire(b.file, b.exportName, { node, environment: withoutNodeOptions(environment) }));
      }
    }
    return loaded.map(({ fn, bundle, bareKey, withMaps, without }) => {
      const b = bare.get(bareKey) as BareBundle & { withMaps: number[]; without: number[] };
      const requireMs = summarize(withMaps);
      const bareRequireMs = summarize(b.withMaps);
      return {
        name: fn.name,
        handler: fn.handler,
        zipBytes: fn.zipBytes,
        bundleBytes: bundle.bundleBytes,
        sourceMapBytes: bundle.sourceMapBytes,
        via: bundle.via,
        requireMs,
        requireMsWithoutSourceMaps: summarize(without),
        bare: {
          clients: b.clients,
          bundleBytes: b.bundleBytes,
          sourceMapBytes: b.sourceMapBytes,
          requireMs: bareRequireMs,
          requireMsWithoutSourceMaps: summarize(b.without),
          sizeRatio: bundle.bundleBytes / b.bundleBytes,
          requireRatio: requireMs.p50 / bareRequireMs.p50,
        },
      };
    });
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
