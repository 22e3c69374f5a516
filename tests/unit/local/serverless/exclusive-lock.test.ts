/**
 * The lock file of the local cloud's serverless cache and packaging: a lock whose pid cannot be written (a full
 * disk) closes its file handle and leaves no lock file behind, so the error surfaces instead of every later caller
 * waiting on a lock nobody holds (and Node warning about a descriptor closed on garbage collection).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import * as fsPromises from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

jest.mock('node:fs/promises', () => {
  const actual = jest.requireActual<typeof import('node:fs/promises')>('node:fs/promises');
  return { ...actual, open: jest.fn(actual.open) };
});

import { withExclusiveLock } from '../../../../local/serverless/cache';

const open = fsPromises.open as jest.MockedFunction<typeof fsPromises.open>;

describe('withExclusiveLock', () => {
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'exclusive-lock-'));
  });
  afterEach(() => {
    rmSync(directory, { recursive: true, force: true });
    open.mockClear();
  });

  it('runs the work while holding the lock file and removes it afterwards', async () => {
    const lockFile = join(directory, 'a.lock');
    const seen = await withExclusiveLock(lockFile, async () => existsSync(lockFile));
    expect(seen).toBe(true);
    expect(existsSync(lockFile)).toBe(false);
  });

  it('a lock whose pid cannot be written closes its handle, removes the file and fails with the write error', async () => {
    const lockFile = join(directory, 'b.lock');
    const actualOpen = jest.requireActual<typeof import('node:fs/promises')>('node:fs/promises').open;
    let handle: fsPromises.FileHandle | undefined;
    open.mockImplementationOnce(async (...args: Parameters<typeof actualOpen>) => {
      handle = await actualOpen(...args);
      const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      jest.spyOn(handle, 'writeFile').mockRejectedValueOnce(full);
      return handle;
    });
    const work = jest.fn(async () => 'done');
    await expect(withExclusiveLock(lockFile, work)).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(work).not.toHaveBeenCalled();
    expect(existsSync(lockFile)).toBe(false);
    // A closed handle has no descriptor any more (-1).
    expect(handle?.fd).toBe(-1);
  });
});
