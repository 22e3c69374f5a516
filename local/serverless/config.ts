/**
 * Loads the application's `serverless.yml` the way the Serverless Framework resolves it, for the local cloud.
 *
 * @example
 * const config = await loadServerlessConfig(process.cwd(), { stage: 'local' });
 * for (const fn of config.functions) console.log(fn.key, fn.handler, fn.timeout);
 */
import { resolve } from 'node:path';
import { buildServerlessConfig, type BuildOptions } from './build';
import { cacheFilePath, configCacheKey, readOrProduce } from './cache';
import type { ServerlessConfig } from './model';
import { printServerlessConfig, type PrintOptions } from './print';

export interface LoadOptions extends PrintOptions {
  /** Resolves `Ref`/`Fn::GetAtt` to resources of `resources:` that the local cloud provides. */
  readonly resolveExternal?: BuildOptions['resolveExternal'];
  /** Replaces `serverless print` (tests count calls with it); receives the app directory and the options. */
  readonly print?: (appDir: string, options: PrintOptions) => Promise<Record<string, unknown>>;
}

/** Same process, same inputs: one `serverless print` in flight at most. */
const inFlight = new Map<string, Promise<Record<string, unknown>>>();

/**
 * The resolved document `serverless print --format json` produces, from the cache when its inputs are unchanged
 * (see `cache.ts` for the key and the locking).
 */
export function loadResolvedDocument(appDir: string, options: LoadOptions = {}): Promise<Record<string, unknown>> {
  const dir = resolve(appDir);
  const printOptions: PrintOptions = { stage: options.stage, region: options.region, params: options.params };
  const file = cacheFilePath(dir, configCacheKey(dir, printOptions));
  let pending = inFlight.get(file);
  if (!pending) {
    const print = options.print ?? printServerlessConfig;
    pending = readOrProduce(file, () => print(dir, printOptions));
    inFlight.set(file, pending);
    void pending.then(
      () => inFlight.delete(file),
      () => inFlight.delete(file),
    );
  }
  return pending;
}

/** The typed configuration of the application in `appDir` (see `ServerlessConfig`). */
export async function loadServerlessConfig(appDir: string, options: LoadOptions = {}): Promise<ServerlessConfig> {
  const dir = resolve(appDir);
  const document = await loadResolvedDocument(dir, options);
  return buildServerlessConfig(document, { appDir: dir, resolveExternal: options.resolveExternal });
}
