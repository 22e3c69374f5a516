import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { cpSync, existsSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { uiCommand } from '../../../cli/ui-command';
import { defaultCliDeps } from '../../../cli/cli-deps';
import { ensureUiBuilt, hashInputs, isFresh } from '../../../cli/ui/build';
import { scratchDir } from '../../support/scratch';

/** `meshctl ui` as a command: it builds the dashboard when needed, prints where it serves, and names a taken port. */
describe('meshctl ui', () => {
  const output = () => {
    let text = '';
    return { stream: { write: (s: string) => (text += s) }, text: () => text };
  };

  it('serves the dashboard on 127.0.0.1 with the API named, until told to stop', async () => {
    const out = output();
    const err = output();
    let stop: () => void = () => undefined;
    const stopped = new Promise<void>((done) => (stop = done));
    const running = uiCommand({ port: 0, apiUrl: 'http://127.0.0.1:3999', token: 't'.repeat(20) }, { ...defaultCliDeps(), stdout: out.stream, stderr: err.stream, env: {} }, stopped);
    const deadline = Date.now() + 60_000;
    while (!out.text().includes('Dashboard:') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const url = /Dashboard: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out.text())?.[1] as string;
    expect(out.text()).toContain('(HTTP API http://127.0.0.1:3999)');
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="app">');
    stop();
    expect(await running).toBe(0);
    await expect(fetch(url)).rejects.toThrow();
  }, 90_000);

  it('exits 1 naming --port when the port is taken', async () => {
    const taken: Server = createServer();
    await new Promise<void>((done) => taken.listen(0, '127.0.0.1', done));
    const port = (taken.address() as AddressInfo).port;
    const err = output();
    try {
      const code = await uiCommand({ port, apiUrl: 'http://127.0.0.1:3999', token: 't'.repeat(20) }, { ...defaultCliDeps(), stdout: output().stream, stderr: err.stream, env: {} }, Promise.resolve());
      expect(code).toBe(1);
      expect(err.text()).toContain(`meshctl ui: port ${port} is in use: pass --port <n>`);
    } finally {
      taken.close();
    }
  }, 90_000);

  it('refuses a non-local API without a token, as every command does', async () => {
    await expect(uiCommand({ port: 0, apiUrl: 'https://api.example' }, { ...defaultCliDeps(), env: {} }, Promise.resolve())).rejects.toMatchObject({ name: 'MissingToken' });
  });
});

describe('the dashboard build record', () => {
  it('is fresh while the files it was built from are unchanged, and stale once one changes or the record is gone', () => {
    const root = scratchDir('ui-build-');
    mkdirSync(join(root, 'ui', 'dist'), { recursive: true });
    writeFileSync(join(root, 'ui', 'a.ts'), 'export const a = 1;');
    writeFileSync(join(root, 'package-lock.json'), '{}');
    writeFileSync(join(root, 'ui', 'dist', 'index.html'), '<html></html>');
    const dist = join(root, 'ui', 'dist');
    expect(isFresh(dist, root)).toBe(false);
    writeFileSync(join(dist, '.build.json'), JSON.stringify({ inputs: ['ui/a.ts'], hash: hashInputs(['ui/a.ts'], root) }));
    expect(isFresh(dist, root)).toBe(true);
    writeFileSync(join(root, 'ui', 'a.ts'), 'export const a = 2;');
    expect(isFresh(dist, root)).toBe(false);
    writeFileSync(join(root, 'ui', 'a.ts'), 'export const a = 1;');
    writeFileSync(join(root, 'package-lock.json'), '{"lockfileVersion":3}');
    expect(isFresh(dist, root)).toBe(false);
  });
});

describe('ensureUiBuilt', () => {
  it('builds once when several processes ask at the same time, then reuses the fresh build', async () => {
    // A copy of ui/ next to it, so the repository's own build (which other tests serve) is left alone.
    const root = resolve(__dirname, '../../..');
    const uiDir = mkdtempSync(join(root, '.ui-build-test-'));
    try {
      cpSync(join(root, 'ui'), uiDir, { recursive: true, filter: (src) => !/[/\\](dist|\.dist-[^/\\]*)$/.test(src) });
      const results = await Promise.all([ensureUiBuilt({ uiDir }), ensureUiBuilt({ uiDir }), ensureUiBuilt({ uiDir })]);
      expect(results.filter((r) => r.built)).toHaveLength(1);
      expect(existsSync(join(uiDir, 'dist', 'index.html'))).toBe(true);
      expect(isFresh(join(uiDir, 'dist'), root)).toBe(true);
      expect(await ensureUiBuilt({ uiDir })).toEqual({ dir: join(uiDir, 'dist'), built: false });
    } finally {
      rmSync(uiDir, { recursive: true, force: true });
    }
  }, 120_000);
});
