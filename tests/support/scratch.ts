/**
 * Scratch folders for tests: `scratchDir` makes a fresh folder under the temporary directory and the test file's
 * `afterAll` removes every one it made, so a run of the suite leaves nothing behind (the suite runs twice per CI run,
 * and a temporary directory that only grows fills the disk eventually).
 * Import it at a test file's top level: it registers that file's `afterAll`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];

afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A new, empty folder named `<prefix>XXXXXX` under the temporary directory, removed after the file's tests. */
export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
