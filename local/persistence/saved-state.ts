/**
 * Reading the data directory at start. Every file is read and validated before anything starts, so a bad file
 * stops the start with an error naming it, and nothing is silently discarded: a missing file means that service
 * starts empty; an unreadable, truncated or invalid one is a {@link PersistedStateError} unless `reset` is given,
 * which deletes the saved state and starts empty.
 */
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isTemporaryFile } from './atomic-write';
import { PersistedStateError } from './errors';
import { decodeState, type StateFormat } from './format';

/** What was found in the data directory, by format. */
export class SavedState {
  constructor(private readonly data: ReadonlyMap<string, unknown>) {}

  /** The saved data of one service, or undefined when it has no file (a first start). */
  get<T>(format: StateFormat<T>): T | undefined {
    return this.data.get(format.file) as T | undefined;
  }

  /** Files that were read, for the start banner. */
  get files(): string[] {
    return [...this.data.keys()];
  }
}

export interface LoadOptions {
  /** Discard the saved state (delete the files) and start empty. */
  readonly reset?: boolean;
}

/**
 * Creates the directory if needed (readable by its owner only: the state holds secrets), removes the temporary
 * files of writes a crash interrupted, and reads each format's file.
 */
export async function loadSavedState(directory: string, formats: readonly StateFormat<unknown>[], options: LoadOptions = {}): Promise<SavedState> {
  try {
    await mkdir(directory, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new PersistedStateError(directory, `the data directory cannot be created: ${(error as Error).message}`, { cause: error });
  }
  // A temporary file is a write that never reached its rename: the file it was meant to replace is intact.
  for (const name of await readdir(directory)) {
    if (isTemporaryFile(name)) await rm(join(directory, name), { force: true });
  }
  const data = new Map<string, unknown>();
  for (const format of formats) {
    const path = join(directory, format.file);
    if (options.reset) {
      await rm(path, { force: true });
      continue;
    }
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new PersistedStateError(path, `it cannot be read: ${(error as Error).message}`, { cause: error });
    }
    data.set(format.file, decodeState(format, path, text));
  }
  return new SavedState(data);
}
