/**
 * Per-function environment variables for functions that all run in this one process.
 *
 * On AWS each function has its own sandbox and its own `process.env`. Here `process.env` is global, and two
 * functions with different values for the same variable (`GREETING=hello` and `GREETING=bonjour`) can be running
 * at the same time, interleaved at every `await`. Setting and restoring variables around an invocation would leak
 * one function's values into the other. Instead, `process.env` is replaced once by a proxy that reads the
 * variables of the function whose invocation is running — found through `AsyncLocalStorage`, which follows the
 * invocation across `await`s, timers and callbacks — and falls back to the real environment. Outside any
 * invocation the proxy behaves exactly like the original object, so the rest of the process sees no change.
 *
 * Each function's variables live in one object kept across invocations, as a warm sandbox keeps them: a handler
 * that sets `process.env.X` sees it in its next invocation, and no other function does.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** A function's variables; `undefined` marks one the function deleted (hiding the process-wide value). */
export type SandboxEnvironment = Record<string, string | undefined>;

const storage = new AsyncLocalStorage<SandboxEnvironment>();
const INSTALLED = Symbol.for('local-cloud.lambda.scoped-environment');

function install(): void {
  const base = process.env as Record<string | symbol, unknown>;
  if (base[INSTALLED]) return;
  const visible = (scope: SandboxEnvironment | undefined, key: string): boolean =>
    scope && Object.hasOwn(scope, key) ? scope[key] !== undefined : Object.hasOwn(base, key);
  const proxy = new Proxy(base, {
    get(target, key) {
      if (key === INSTALLED) return true;
      const scope = storage.getStore();
      if (typeof key === 'string' && scope && Object.hasOwn(scope, key)) return scope[key];
      return Reflect.get(target, key);
    },
    set(target, key, value) {
      const scope = storage.getStore();
      // process.env stores strings only; assigning a number stores its text (Node's own rule).
      if (typeof key === 'string' && scope) scope[key] = String(value);
      else Reflect.set(target, key, typeof key === 'string' ? String(value) : value);
      return true;
    },
    deleteProperty(target, key) {
      const scope = storage.getStore();
      if (typeof key === 'string' && scope) scope[key] = undefined;
      else Reflect.deleteProperty(target, key);
      return true;
    },
    has(target, key) {
      return typeof key === 'string' ? visible(storage.getStore(), key) : Reflect.has(target, key);
    },
    ownKeys(target) {
      const scope = storage.getStore();
      if (!scope) return Reflect.ownKeys(target);
      const keys = new Set<string | symbol>(Reflect.ownKeys(target));
      for (const [key, value] of Object.entries(scope)) {
        if (value === undefined) keys.delete(key);
        else keys.add(key);
      }
      return [...keys];
    },
    getOwnPropertyDescriptor(target, key) {
      const scope = storage.getStore();
      if (typeof key === 'string' && scope && Object.hasOwn(scope, key)) {
        const value = scope[key];
        return value === undefined ? undefined : { value, writable: true, enumerable: true, configurable: true };
      }
      return Reflect.getOwnPropertyDescriptor(target, key);
    },
  });
  process.env = proxy as NodeJS.ProcessEnv;
}

/**
 * Runs `fn` with `environment` as the values `process.env` shows (on top of the process-wide ones), for
 * everything `fn` starts, including what continues after it returns a promise.
 */
export function runWithEnvironment<T>(environment: SandboxEnvironment, fn: () => T): T {
  install();
  return storage.run(environment, fn);
}
