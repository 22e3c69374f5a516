/**
 * The digest of a simulated image: sha256 over the build context (every file's relative path and content, in
 * sorted path order), plus the Dockerfile when it lies outside the context. The same content always gives the
 * same digest; any change to a file, a name or the Dockerfile gives another one. `.git` and `node_modules` are
 * not part of a context, as for the content hash the deployment tags images with (`layers/build-context.ts`).
 * The platform the image is built for is hashed too: the same context built for arm64 and for amd64 gives two images
 * (their configs differ), as a registry sees them.
 */
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';

export interface ContextDigest {
  /** `sha256:<64 hex>`. */
  readonly digest: string;
  /** Total bytes of the files hashed (the simulated image size). */
  readonly sizeBytes: number;
  readonly fileCount: number;
}

const SKIPPED = new Set(['.git', 'node_modules']);

function listFiles(root: string, dir: string, out: string[]): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIPPED.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) listFiles(root, path, out);
    else out.push(relative(root, path).split(sep).join('/'));
  }
}

export function digestBuildContext(contextDir: string, dockerfilePath: string, platform?: string): ContextDigest {
  const files: string[] = [];
  listFiles(contextDir, contextDir, files);
  files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const hash = createHash('sha256');
  let sizeBytes = 0;
  const add = (label: string, content: Buffer) => {
    hash.update(`${label}\0${content.length}\0`);
    hash.update(content);
    sizeBytes += content.length;
  };
  for (const file of files) {
    const path = join(contextDir, ...file.split('/'));
    // A symbolic link is part of the context as a link, not as what it points to.
    const content = lstatSync(path).isSymbolicLink() ? Buffer.from(readlinkSync(path)) : readFileSync(path);
    add(file, content);
  }
  const inside = relative(contextDir, dockerfilePath);
  if (inside.startsWith('..') || isAbsolute(inside)) add('\0Dockerfile', readFileSync(dockerfilePath));
  if (platform !== undefined) hash.update(`\0platform\0${platform}`);
  return { digest: `sha256:${hash.digest('hex')}`, sizeBytes, fileCount: files.length };
}
