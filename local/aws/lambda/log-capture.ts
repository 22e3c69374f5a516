/**
 * A function's stdout and stderr, as Lambda handles them: every line an invocation writes becomes an event of the
 * function's log group `/aws/lambda/<function name>`, in its sandbox's stream (Lambda Developer Guide, "Sending Lambda
 * function logs to CloudWatch Logs"). Powertools' Logger writes its JSON lines straight to `process.stdout`, so each
 * of its lines arrives as one event, unprefixed.
 *
 * Functions run in this one process, so `process.stdout.write` is wrapped once: a write made inside an invocation
 * (found through `AsyncLocalStorage`, which follows it across `await`s and timers) goes to that invocation's sink,
 * and to the terminal only when the sink echoes; any other write is untouched.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** Where one sandbox's lines go. */
export interface LogSink {
  /** Receives each complete line (without its newline) with the time it was written. */
  line(message: string, timestamp: number): void;
  /** Also write a line to the process's own stdout/stderr (what `npm start --verbose` shows). */
  readonly echo: boolean | ((line: string) => boolean);
}

type Scope = { sink: LogSink; partial: { text: string } };
const INSTALLED = Symbol.for('local-cloud.lambda.log-capture');
// One store per process, kept on the stream it serves: a second copy of this module (a test runner's fresh module
// registry, with its own globals, in the same process) must find the invocations of the wrapper the first installed.
const STORAGE = Symbol.for('local-cloud.lambda.log-capture.storage');
const holder = process.stdout as unknown as Record<symbol, AsyncLocalStorage<Scope> | undefined>;
const storage: AsyncLocalStorage<Scope> = (holder[STORAGE] ??= new AsyncLocalStorage<Scope>());

type Write = typeof process.stdout.write;

function wrap(stream: NodeJS.WriteStream): void {
  const holder = stream as unknown as Record<symbol, unknown>;
  if (holder[INSTALLED]) return;
  holder[INSTALLED] = true;
  const original: Write = stream.write.bind(stream);
  stream.write = function write(chunk: unknown, encoding?: unknown, callback?: unknown): boolean {
    const scope = storage.getStore();
    if (!scope) return (original as (...args: unknown[]) => boolean)(chunk, encoding, callback);
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
    collect(scope, text);
    const { echo } = scope.sink;
    if (echo === true || (typeof echo === 'function' && echo(text))) return (original as (...args: unknown[]) => boolean)(chunk, encoding, callback);
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') process.nextTick(done as () => void);
    return true;
  } as Write;
}

function collect(scope: Scope, text: string): void {
  const now = Date.now();
  const lines = (scope.partial.text + text).split('\n');
  scope.partial.text = lines.pop() ?? '';
  for (const line of lines) if (line.trim() !== '') scope.sink.line(line, now);
}

/** Wraps stdout and stderr once (the runtime does it when it is created, before anything else may wrap them). */
export function installLogCapture(): void {
  wrap(process.stdout);
  wrap(process.stderr);
}

/**
 * Runs `fn` (an invocation) with its output sent to `sink`; resolves nothing itself. Returns a `flush` that emits a
 * last line written without its newline.
 */
export function runWithLogSink<T>(sink: LogSink, fn: () => T): { result: T; flush(): void } {
  installLogCapture();
  const scope = { sink, partial: { text: '' } };
  const result = storage.run(scope, fn);
  return {
    result,
    flush() {
      if (scope.partial.text.trim() !== '') sink.line(scope.partial.text, Date.now());
      scope.partial.text = '';
    },
  };
}

/** Writes a line to the current invocation's log (the runtime's own START/END/REPORT lines), outside any capture. */
export function platformLine(sink: LogSink, message: string): void {
  sink.line(message, Date.now());
}
