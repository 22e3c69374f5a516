/**
 * Finds and loads a function's handler in this process, the way the Node.js runtime does on a cold start:
 * `functions/steps/build.handler` → the module `functions/steps/build` (here its TypeScript source; jest's
 * transform and tsx both compile `require`d `.ts` files), then its export `handler`.
 */
import { existsSync } from 'node:fs';
import type { LambdaContext } from './context';
import { LambdaRuntimeError } from './errors';

/** A Node.js handler: async (`(event, context) => Promise`) or callback style (`(event, context, callback)`). */
export type LambdaHandler = (
  event: unknown,
  context: LambdaContext,
  callback: (error?: unknown, result?: unknown) => void,
) => unknown;

const EXTENSIONS = ['.ts', '.js', '.cjs', '/index.ts', '/index.js'];

/** The source file of `modulePath` (absolute, without extension). */
export function resolveHandlerFile(modulePath: string): string | undefined {
  return EXTENSIONS.map((extension) => `${modulePath}${extension}`).find((file) => existsSync(file));
}

/**
 * Loads the module (running its top-level code, the function's "init") and returns the export.
 * Throws `Runtime.ImportModuleError` / `Runtime.HandlerNotFound` as Lambda reports them; an error the module's
 * own init throws passes through unchanged.
 */
export function loadHandler(modulePath: string, exportName: string, handlerText: string): LambdaHandler {
  const file = resolveHandlerFile(modulePath);
  if (!file) throw new LambdaRuntimeError('Runtime.ImportModuleError', `Error: Cannot find module '${modulePath}' (handler ${handlerText})`);
  const loaded = require(file) as Record<string, unknown>;
  const handler = loaded[exportName];
  if (typeof handler !== 'function') {
    throw new LambdaRuntimeError('Runtime.HandlerNotFound', `${handlerText} is undefined or not exported`);
  }
  return handler as LambdaHandler;
}
