/**
 * The build context as read once: its content hash and its zip come from the same files, so what the build
 * downloads is exactly what was hashed.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { hashBuildContext, readBuildContext, zipContextFiles } from '../../../layers/build-context';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ctx-zip-'));
  const write = (path: string, content: string) => {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  };
  write('Dockerfile', 'FROM scratch\n');
  write('src/app.js', 'console.log(1);\n');
  write('entrypoint.sh', '#!/bin/sh\n');
  chmodSync(join(dir, 'entrypoint.sh'), 0o755);
  write('node_modules/x/index.js', 'not part of the context');
  write('.git/HEAD', 'not part of the context');
  symlinkSync('src/app.js', join(dir, 'link.js'));
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the zip of a build context', () => {
  it('holds exactly the files that were hashed, byte for byte', () => {
    const read = readBuildContext(dir);
    const entries = unzipSync(zipContextFiles(read.files));
    expect(Object.keys(entries).sort()).toEqual(['Dockerfile', 'entrypoint.sh', 'src/app.js']);
    for (const file of read.files) expect(Buffer.from(entries[file.path]).equals(file.content)).toBe(true);
    expect(read.contentHash).toBe(hashBuildContext(dir));
  });

  it('is the same bytes for the same files (no timestamps of the machine)', () => {
    const first = zipContextFiles(readBuildContext(dir).files);
    writeFileSync(join(dir, 'src/app.js'), 'console.log(1);\n'); // same content, new mtime
    expect(Buffer.from(zipContextFiles(readBuildContext(dir).files)).equals(Buffer.from(first))).toBe(true);
  });

  it('changes with a file, and so does the hash', () => {
    const before = readBuildContext(dir);
    writeFileSync(join(dir, 'src/app.js'), 'console.log(2);\n');
    const after = readBuildContext(dir);
    expect(after.contentHash).not.toBe(before.contentHash);
    expect(Buffer.from(unzipSync(zipContextFiles(after.files))['src/app.js']).toString()).toBe('console.log(2);\n');
  });

  it('keeps an executable script executable (Unix mode in the entry attributes)', () => {
    const zip = Buffer.from(zipContextFiles(readBuildContext(dir).files));
    // Central directory entries: signature 0x02014b50, external attributes at offset 38, name at 46.
    const modes: Record<string, number> = {};
    for (let at = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])); at >= 0; at = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), at + 4)) {
      const nameLength = zip.readUInt16LE(at + 28);
      modes[zip.subarray(at + 46, at + 46 + nameLength).toString()] = zip.readUInt32LE(at + 38) >>> 16;
    }
    expect(modes['entrypoint.sh'] & 0o777).toBe(0o755);
    expect(modes.Dockerfile & 0o777).toBe(0o644);
  });
});
