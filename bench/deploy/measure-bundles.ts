/**
 * The bundled functions as Lambda receives them, against the bare bundle of the SDK clients each one calls: sizes
 * of both, and cold `require()` of both in fresh Node processes, in the same run, each function's sample paired
 * with one of its bare bundle taken right after it.
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
    const bare = new Map<string, BareBundle>();
    const loaded = [];
    for (const fn of packaged.functions) {
      const bundle = await extractBundle(fn, packaged.esbuild, join(directory, 'bundles', fn.name));
      const clients = sdkClientsOf(await functionMetafile(fn.handler, packaged.esbuild));
      const key = clients.join('+');
      if (!bare.has(key)) bare.set(key, await buildBareBundle(clients, packaged.esbuild, join(directory, 'bare')));
      // Lambda's own variables a module could read at load time.
      const environment = { AWS_REGION: 'us-east-1', AWS_LAMBDA_FUNCTION_NAME: fn.name, ...fn.environment };
      const samples = { withMaps: [] as number[], without: [] as number[], bareWithMaps: [] as number[], bareWithout: [] as number[] };
      loaded.push({ fn, bundle, bare: bare.get(key) as BareBundle, environment, exportName: splitHandler(fn.handler).exportName, ...samples });
    }
    context.log(
      `cold starts on ${node}: ${sampling.samples} fresh processes per function, each followed by one of the bare bundle of its clients ` +
        `(${bare.size} distinct), and ${sampling.samplesWithoutSourceMaps} of each without NODE_OPTIONS`,
    );
    // Round-robin over the functions, so a busy moment of the machine spreads over every function instead of one;
    // each function's sample is paired with one of its bare bundle right after it (same environment, so the same
    // NODE_OPTIONS), so the ratio compares moments of equal load.
    const sample = (file: string, exportName: string, environment: Record<string, string>) => measureRequire(file, exportName, { node, environment });
    for (let round = 0; round < sampling.samples; round++) {
      for (const entry of loaded) {
        entry.withMaps.push(await sample(entry.bundle.file, entry.exportName, entry.environment));
        entry.bareWithMaps.push(await sample(entry.bare.file, entry.bare.exportName, entry.environment));
        if (round < sampling.samplesWithoutSourceMaps) {
          entry.without.push(await sample(entry.bundle.file, entry.exportName, withoutNodeOptions(entry.environment)));
          entry.bareWithout.push(await sample(entry.bare.file, entry.bare.exportName, withoutNodeOptions(entry.environment)));
        }
      }
    }
    return loaded.map(({ fn, bundle, bare: b, withMaps, without, bareWithMaps, bareWithout }) => {
      const requireMs = summarize(withMaps);
      const bareRequireMs = summarize(bareWithMaps);
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
          requireMsWithoutSourceMaps: summarize(bareWithout),
          sizeRatio: bundle.bundleBytes / b.bundleBytes,
          requireRatio: requireMs.p50 / bareRequireMs.p50,
        },
      };
    });
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
