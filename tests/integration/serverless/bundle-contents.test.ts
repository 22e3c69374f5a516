import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Metafile } from 'esbuild';
import { BARE_RATIO_TARGET, buildBareBundle, functionMetafile, sdkClientsOf } from '../../../bench/deploy/bare-clients';
import { splitHandler } from '../../../bench/deploy/bundles';
import { loadResolvedDocument } from '@consul-mesh/local-cloud';
import { bundleHandler } from './iam-closure/sdk-calls';

const ROOT = resolve(__dirname, '../../..');

type Document = { functions: Record<string, { handler: string }>; custom?: { esbuild?: Record<string, unknown> } };

/** The zod files with code in the bundle's output. */
function zodLocales(metafile: Metafile): string[] {
  return Object.values(metafile.outputs).flatMap((output) =>
    Object.entries(output.inputs)
      .filter(([input, { bytesInOutput }]) => bytesInOutput > 0 && /node_modules\/zod\/v4\/locales\//.test(input))
      .map(([input]) => input.replace(/^.*\/locales\//, '')),
  );
}

/**
 * The bundle-contents rule of issue 12: a function's bundle (built with serverless.yml's own esbuild options, as
 * `serverless package` builds it) holds the SDK clients whose Commands it constructs, and no other. The Commands
 * are those the IAM closure gate reads from the tree-shaken bundle (iam-closure/sdk-calls.ts); a client in the
 * output without one is a client the function loads at every cold start and never calls.
 */
describe('what each function bundles', () => {
  let document: Document;
  const built = new Map<string, { metafile: Metafile; called: string[] }>();

  beforeAll(async () => {
    document = (await loadResolvedDocument(ROOT, { stage: 'local' })) as unknown as Document;
    for (const [name, fn] of Object.entries(document.functions)) {
      const metafile = await functionMetafile(fn.handler, document.custom?.esbuild ?? {}, ROOT);
      const { calls } = await bundleHandler(`${splitHandler(fn.handler).module}.ts`, ROOT);
      built.set(name, { metafile, called: [...new Set(calls.map((c) => c.module))].sort() });
    }
  }, 600_000);

  it('builds every function of serverless.yml', () => {
    expect(built.size).toBe(Object.keys(document.functions).length);
    expect(built.size).toBeGreaterThan(30);
  });

  it('bundles exactly the SDK clients each function calls', () => {
    const wrong = [...built].flatMap(([name, { metafile, called }]) => {
      const bundled = sdkClientsOf(metafile);
      return bundled.join() === called.join() ? [] : [{ function: name, bundled, called }];
    });
    expect(wrong).toEqual([]);
    // Anchors: the authorizer reads one SSM parameter; a rollout's update step calls ECS alone.
    expect(sdkClientsOf(built.get('authorize')!.metafile)).toEqual(['@aws-sdk/client-ssm']);
    expect(sdkClientsOf(built.get('rolloutUpdate')!.metafile)).toEqual(['@aws-sdk/client-ecs']);
  });

  it('bundles nothing of the local cloud (the workspace package local/ is for this machine only)', () => {
    const withLocal = [...built].flatMap(([name, { metafile }]) => {
      const inputs = Object.keys(metafile.inputs).filter((input) => /^(local\/|node_modules\/@consul-mesh\/local-cloud\/)/.test(input));
      return inputs.length > 0 ? [{ function: name, inputs }] : [];
    });
    expect(withLocal).toEqual([]);
  });

  it('bundles zod without its translations (a `{ z }` import of zod defeats tree shaking and brings them all)', () => {
    const withLocales = [...built].flatMap(([name, { metafile }]) => {
      const locales = zodLocales(metafile).filter((file) => file !== 'en.js');
      return locales.length > 0 ? [{ function: name, locales: locales.length }] : [];
    });
    expect(withLocales).toEqual([]);
  });

  it('bundles no full zod where every schema is a zod/mini one (the step input, task-event and API functions)', () => {
    // zod's classic API (`import * as z from 'zod'`) is about 100 KiB of a bundle; zod/mini schemas share its core
    // and cost a third of that. One classic import anywhere in a function's module closure brings it all back.
    const classic = (name: string) =>
      Object.values(built.get(name)!.metafile.outputs).flatMap((output) =>
        Object.entries(output.inputs)
          .filter(([input, { bytesInOutput }]) => bytesInOutput > 0 && /node_modules\/zod\/v4\/classic\//.test(input))
          .map(([input]) => input.replace(/^.*\/classic\//, '')),
      );
    expect({ ensureStage: classic('ensureStage'), taskStateChange: classic('taskStateChange'), api: classic('api') }).toEqual({
      ensureStage: [],
      taskStateChange: [],
      api: [],
    });
    // Anchor: a rollout's first step still validates with the classic API, so the check above does see it when it is there.
    expect(classic('rolloutPrepare').length).toBeGreaterThan(0);
  });

  it(`bundles at most ${BARE_RATIO_TARGET}× a bare bundle of the SDK clients each function calls (issue 12's size target)`, async () => {
    // The same yardstick as `npm run bench -- deploy` (bench/deploy/bare-clients.ts), without the timing: the API
    // function was at 1.35× while it bundled the yaml package (115 KiB) and classic zod (70 KiB more than zod/mini).
    const directory = await mkdtemp(join(tmpdir(), 'bare-bundles-'));
    try {
      const bare = new Map<string, number>();
      const ratios: Record<string, number> = {};
      for (const [name, { metafile }] of built) {
        const clients = sdkClientsOf(metafile);
        const key = clients.join('+');
        if (!bare.has(key)) bare.set(key, (await buildBareBundle(clients, document.custom?.esbuild ?? {}, directory, ROOT)).bundleBytes);
        const bytes = Object.entries(metafile.outputs).find(([file]) => file.endsWith('.js'))![1].bytes;
        ratios[name] = Math.round((bytes / bare.get(key)!) * 1000) / 1000;
      }
      const over = Object.entries(ratios).filter(([, ratio]) => ratio > BARE_RATIO_TARGET);
      expect(over).toEqual([]);
      // Anchor: the ratios are of real bundles (each holds more than its clients).
      expect(ratios.api).toBeGreaterThan(1);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  }, 300_000);
});
