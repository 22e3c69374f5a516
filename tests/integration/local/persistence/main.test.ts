/**
 * `npm run local` (bin/local.ts) as a user runs it: with `--data-dir` it says where the state is kept and saves
 * it on SIGTERM; with a damaged file it exits non-zero naming the file, before binding any port.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, tempDir } from './harness';

const dir = tempDir('local-main-');
afterAll(() => dir.remove());

const ENV = { ...process.env, LOCAL_AWS_PORT: '0', LOCAL_CONSUL_PORT: '0', LOCAL_HTTP_API_PORT: '0', LOCAL_DATA_DIR: '' };
const MAIN = ['--import', 'tsx', join(ROOT, 'bin/local.ts')];

it('runs with --data-dir, prints where the state is kept, and saves every service on SIGTERM', async () => {
  const child = spawn(process.execPath, [...MAIN, '--data-dir', dir.path], { cwd: ROOT, env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  // The Consul command the banner suggests answers on a cloud with no mesh yet (a catalog read would be a 500,
  // "No cluster leader").
  let hinted: Promise<number> | undefined;
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (stdout.includes('press Ctrl-C to stop') && hinted === undefined) {
      const url = /Consul API +\S+ +\(curl ([^\s)]+)/.exec(stdout)?.[1];
      hinted = (url ? fetch(url).then((response) => response.status) : Promise.resolve(-1)).finally(() => child.kill('SIGTERM'));
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));

  expect(await hinted).toBe(200);
  expect(stdout).toContain(`state         kept in ${dir.path}`);
  expect(code).toBe(0);
  expect(JSON.parse(readFileSync(join(dir.path, 'ecs.json'), 'utf8'))).toMatchObject({ service: 'ecs', version: 1 });
});

it('exits non-zero naming the damaged file (LOCAL_DATA_DIR)', () => {
  const file = join(dir.path, 'consul.json');
  writeFileSync(file, '{"service":"consul","version":1,"data":{"state":');

  const result = spawnSync(process.execPath, MAIN, { cwd: ROOT, env: { ...ENV, LOCAL_DATA_DIR: dir.path }, encoding: 'utf8', timeout: 30_000 });

  expect(result.status).toBe(1);
  expect(result.stderr).toContain(`PersistedStateError: saved state ${file} cannot be used`);
  expect(result.stdout).not.toContain('local cloud running');
});
