/**
 * Crash-safe file replacement: the new content goes to a temporary file in the same directory, is flushed to disk
 * (fsync), and only then renamed over the old file; the directory is fsynced so the rename itself survives a power
 * loss. `rename(2)` within one file system is atomic (POSIX), so a reader — or the next start after a crash —
 * sees the old file or the new one, never a partial one. A crash before the rename leaves the old file intact and
 * a stray temporary file, which {@link isTemporaryFile} recognises so it can be cleaned up.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface AtomicWriteOptions {
  /** File mode of a newly created file; default 0o600 (saved state may hold secrets). */
  readonly mode?: number;
  /**
   * Runs after the temporary file is written and flushed, just before the rename. Tests use it to stand for a
   * crash at the worst moment; an error thrown here aborts the write (the temporary file is removed).
   */
  readonly beforeRename?: (temporaryPath: string) => void | Promise<void>;
}

/** Temporary files are hidden and named after their target: `.ssm.json.<pid>.<random>.tmp`. */
export function isTemporaryFile(name: string): boolean {
  return /^\..+\.\d+\.[0-9a-f]+\.tmp$/.test(name);
}

/**
 * Replaces `path` with `data` atomically (see the module comment).
 *
 * @example
 * await writeFileAtomic('/var/lib/local-cloud/ssm.json', JSON.stringify(state));
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const directory = dirname(path);
  const temporary = join(directory, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    // `wx`: never reuse a file that happens to exist under the temporary name.
    const handle = await open(temporary, 'wx', options.mode ?? 0o600);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await options.beforeRename?.(temporary);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  await syncDirectory(directory);
}

/** fsync of a directory makes a rename in it durable; platforms that cannot (Windows) simply skip it. */
async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'EPERM' && code !== 'EISDIR') throw error;
  } finally {
    await handle.close();
  }
}
