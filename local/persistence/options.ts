/**
 * The persistence options of `npm run local`: `--data-dir <dir>` (or `--data-dir=<dir>`, or the environment
 * variable `LOCAL_DATA_DIR`) keeps the state in that directory across restarts; `--reset` discards what is saved
 * there and starts empty.
 */

/** A command line that cannot be understood; the message names the argument. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface DataDirOptions {
  /** Where the state is kept; undefined = in memory only. */
  readonly dataDir?: string;
  /** Discard the saved state (needs a data directory). */
  readonly reset: boolean;
}

/**
 * Reads the options from the arguments after the script name; the command line wins over the environment.
 *
 * @example
 * parseDataDirOptions(['--data-dir', '.local-state'], process.env); // { dataDir: '.local-state', reset: false }
 */
export function parseDataDirOptions(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): DataDirOptions {
  let dataDir = env.LOCAL_DATA_DIR === '' ? undefined : env.LOCAL_DATA_DIR;
  let reset = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--reset') reset = true;
    else if (arg === '--data-dir') {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('--') || value === '') throw new UsageError('--data-dir needs a directory');
      dataDir = value;
      i += 1;
    } else if (arg.startsWith('--data-dir=')) {
      const value = arg.slice('--data-dir='.length);
      if (value === '') throw new UsageError('--data-dir needs a directory');
      dataDir = value;
    } else throw new UsageError(`unknown argument "${arg}" (known: --data-dir <dir>, --reset)`);
  }
  if (reset && dataDir === undefined) throw new UsageError('--reset needs --data-dir <dir> (or LOCAL_DATA_DIR)');
  return { dataDir, reset };
}
