/**
 * The temp-file + fsync + rename protocol: a write interrupted at any point leaves the previous file whole, and
 * the leftovers of an interrupted write are recognised and cleaned up at the next start.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { isTemporaryFile, writeFileAtomic } from '../../../../local/persistence/atomic-write';
import { encodeState, type StateFormat } from '../../../../local/persistence/format';
import { loadSavedState } from '../../../../local/persistence/saved-state';
import { ROOT, tempDir } from './harness';

const dir = tempDir('atomic-write-');
afterAll(() => dir.remove());

const COUNTER: StateFormat<{ n: number }> = { service: 'counter', file: 'counter.json', version: 1, schema: z.object({ n: z.number() }) };

describe('writeFileAtomic', () => {
  it('replaces the file, readable by its owner only, leaving no temporary file', async () => {
    const path = join(dir.path, 'plain.json');

    await writeFileAtomic(path, '{"v":1}');
    await writeFileAtomic(path, '{"v":2}');

    expect(readFileSync(path, 'utf8')).toBe('{"v":2}');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir.path).filter(isTemporaryFile)).toEqual([]);
  });

  it('keeps the old file intact when the write fails between the flush and the rename', async () => {
    const path = join(dir.path, 'interrupted.json');
    await writeFileAtomic(path, '{"v":"old"}');
    let temporary = '';

    const write = writeFileAtomic(path, '{"v":"new"}', {
      beforeRename: (tmp) => {
        temporary = tmp;
        // The new content is complete and on disk at this point; only the rename is missing.
        expect(readFileSync(tmp, 'utf8')).toBe('{"v":"new"}');
        throw new Error('simulated crash');
      },
    });

    await expect(write).rejects.toThrow('simulated crash');
    expect(readFileSync(path, 'utf8')).toBe('{"v":"old"}');
    expect(readdirSync(dir.path)).not.toContain(basename(temporary));
  });

  it('leaves the old file whole when the process is killed before the rename, and the next load ignores the leftover', async () => {
    const path = join(dir.path, COUNTER.file);
    writeFileSync(path, encodeState(COUNTER, { n: 1 }));

    const child = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, 'fixtures/write-then-die.ts'), path, encodeState(COUNTER, { n: 2 })], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 20_000,
    });

    expect(child.signal).toBe('SIGKILL');
    expect(JSON.parse(readFileSync(path, 'utf8')).data).toEqual({ n: 1 });
    const leftovers = readdirSync(dir.path).filter(isTemporaryFile);
    expect(leftovers).toHaveLength(1);
    const saved = await loadSavedState(dir.path, [COUNTER]);
    expect(saved.get(COUNTER)).toEqual({ n: 1 });
    expect(readdirSync(dir.path).filter(isTemporaryFile)).toEqual([]);
  });
});
