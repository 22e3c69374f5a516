import type { Metafile } from 'esbuild';
import { bareEntry, BARE_EXPORT, outputOptions, sdkClientsOf } from '../../../bench/deploy/bare-clients';
import { bundleTable, type BundleFigure } from '../../../bench/deploy/report';
import { summarize } from '../../../bench/lib/stats';
import { renderTable } from '../../../bench/lib/table';

const output = (inputs: Record<string, number>): Metafile => ({
  inputs: {},
  outputs: { 'out.js': { bytes: 1, imports: [], exports: [], inputs: Object.fromEntries(Object.entries(inputs).map(([k, bytesInOutput]) => [k, { bytesInOutput }])) } },
});

describe('the bare bundle of a function\'s SDK clients', () => {
  it('reads the clients with code in the output, not those tree shaking dropped', () => {
    const metafile = output({
      'node_modules/@aws-sdk/client-ssm/dist-es/SSMClient.js': 900,
      'node_modules/@aws-sdk/client-ssm/dist-es/commands/GetParameterCommand.js': 300,
      'node_modules/@aws-sdk/client-ecs/dist-es/index.js': 0,
      'node_modules/@aws-sdk/client-sfn/dist-es/SFNClient.js': 12,
      'node_modules/@aws-sdk/core/dist-es/index.js': 50,
      'layers/adapters/aws.ts': 40,
    });
    expect(sdkClientsOf(metafile)).toEqual(['@aws-sdk/client-sfn', '@aws-sdk/client-ssm']);
  });

  it('exports every client package and a no-op to check the load, nothing else', () => {
    expect(bareEntry(['@aws-sdk/client-ecs', '@aws-sdk/client-ssm'])).toBe(
      `export * from "@aws-sdk/client-ecs";\nexport * from "@aws-sdk/client-ssm";\nexport function ${BARE_EXPORT}() {}`,
    );
  });

  it('builds with the functions\' own esbuild options', () => {
    expect(outputOptions({ minify: true, sourcemap: true, sourcesContent: false, target: 'node22', exclude: [] })).toEqual(
      expect.objectContaining({ bundle: true, minify: true, sourcemap: true, sourcesContent: false, target: 'node22', platform: 'node', format: 'cjs' }),
    );
  });

  it('reports both ratios per function against the 1.25 target', () => {
    const figure = (name: string, bundleBytes: number, requireP50: number): BundleFigure => ({
      name,
      handler: `functions/x/${name}.handler`,
      zipBytes: 2048,
      bundleBytes,
      sourceMapBytes: 4096,
      via: 'unzip',
      requireMs: summarize([requireP50, requireP50]),
      requireMsWithoutSourceMaps: summarize([requireP50 - 10]),
      bare: {
        clients: ['@aws-sdk/client-ssm'],
        bundleBytes: 1024 * 600,
        sourceMapBytes: 1,
        requireMs: summarize([100, 100]),
        requireMsWithoutSourceMaps: summarize([90]),
        sizeRatio: bundleBytes / (1024 * 600),
        requireRatio: requireP50 / 100,
      },
    });
    const text = renderTable(bundleTable([figure('lean', 1024 * 700, 120), figure('heavy', 1024 * 900, 120), figure('slow', 1024 * 700, 130)], 2, 1));
    expect(text).toMatch(/lean .* ssm\s+600 KiB\s+100\s+1\.17×\s+1\.20×\s+yes/);
    expect(text).toMatch(/heavy .* 1\.50×\s+1\.20×\s+NO/);
    expect(text).toMatch(/slow .* 1\.17×\s+1\.30×\s+NO/);
  });
});
