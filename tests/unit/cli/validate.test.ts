import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateCommand } from '../../../cli/validate';
import { scratchDir } from '../../support/scratch';

function capture() {
  const lines: string[] = [];
  return { lines, out: { log: (s: string) => lines.push(s), error: (s: string) => lines.push(s) } };
}

describe('meshctl validate', () => {
  it('exits 0 for the reference spec and says what it holds', () => {
    const { lines, out } = capture();
    expect(validateCommand('examples/mesh.yaml', out)).toBe(0);
    expect(lines).toEqual(['examples/mesh.yaml: valid (mesh "reference-mesh", 2 clusters, 4 services, 3 Consul servers)']);
  });

  it('exits non-zero with one line per problem, each naming its path', () => {
    const dir = scratchDir('meshctl-');
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'name: shop\nconsul: {servers: {count: 4}}\nclusters:\n  - name: c1\n    services:\n      - {name: users, image: "users:1.0.0", port: 8080, extra: 1}\n');
    const { lines, out } = capture();
    expect(validateCommand(file, out)).toBe(1);
    expect(lines).toEqual([
      `${file}: clusters[0].services[0].extra: unknown key`,
      `${file}: consul.servers.count: must be 1, 3 or 5 (an odd number keeps a Raft quorum)`,
    ]);
  });

  it('counts in the right number: 1 cluster, 1 service, 1 Consul server', () => {
    const dir = scratchDir('meshctl-');
    const file = join(dir, 'one.yaml');
    writeFileSync(file, 'name: shop\nconsul: {servers: {count: 1}}\nclusters:\n  - name: c1\n    services:\n      - {name: users, image: "users:1.0.0", port: 8080}\n');
    const { lines, out } = capture();
    expect(validateCommand(file, out)).toBe(0);
    expect(lines).toEqual([`${file}: valid (mesh "shop", 1 cluster, 1 service, 1 Consul server)`]);
  });

  it('runs as `npx meshctl validate` through the package bin', () => {
    const ok = execFileSync(process.execPath, ['bin/meshctl.cjs', 'validate', 'examples/mesh.yaml'], { encoding: 'utf8' });
    expect(ok).toContain('valid (mesh "reference-mesh"');
    const bad = spawnSync(process.execPath, ['bin/meshctl.cjs', 'validate', 'examples/missing.yaml'], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr.trim()).toBe('examples/missing.yaml: (file): cannot read examples/missing.yaml: ENOENT');
  });
});
