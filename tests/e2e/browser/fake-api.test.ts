import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { MeshView } from '../../../layers/api/mesh';
import { startDashboard } from '../../../cli/ui-command';
import type { UiServer } from '../../../cli/ui/server';

/**
 * The dashboard in Chromium against a stand-in API that answers what the local cloud cannot easily produce: a mesh
 * of 1,000 tasks (the page must stay quick), and a plan drawn on the stages a deployment would run. Same browser
 * settings and skip rule as dashboard.test.ts.
 */
const ROOT = resolve(__dirname, '../../..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = process.env.MESH_UI_SCREENSHOTS ?? join(ROOT, '.screenshots', 'dashboard');
const runnable = existsSync(CHROMIUM) || process.env.CI !== undefined;
if (!runnable) console.warn(`Skipping the dashboard's browser tests: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH).`);
const describeIfBrowser = runnable ? describe : describe.skip;

/** 10 services of 100 tasks each, one task in ten not registered in Consul. */
function largeMesh(): MeshView {
  const services = Array.from({ length: 10 }, (_, s) => ({
    name: `svc-${s}`,
    role: 'service' as const,
    status: 'ACTIVE',
    desiredCount: 100,
    runningCount: 100,
    pendingCount: 0,
    deployments: 1,
    taskDefinitionArn: `arn:aws:ecs:us-east-1:000000000000:task-definition/big-svc-${s}:3`,
    upstreams: s > 0 ? [{ service: `svc-${s - 1}`, localBindPort: 1234 }] : [],
    stale: [],
    tasks: Array.from({ length: 100 }, (_, t) => {
      const taskId = `${s.toString(16).padStart(2, '0')}${t.toString(16).padStart(30, '0')}`;
      const ip = `10.1.${s}.${t + 1}`;
      const registered = t % 10 !== 0;
      return { taskId, ip, lastStatus: 'RUNNING', health: 'HEALTHY', taskDefinitionArn: `arn:aws:ecs:us-east-1:000000000000:task-definition/big-svc-${s}:3`, consul: { id: `svc-${s}-${taskId}`, registered, passing: registered, ...(registered ? { address: ip } : {}), checks: [] } };
    }),
  }));
  return { mesh: 'big', consul: { leader: '10.0.0.1:8300', peers: ['10.0.0.1:8300'] }, intentions: [], clusters: [{ name: 'c1', services: services.slice(0, 5) }, { name: 'c2', services: services.slice(5) }] };
}

/** A small mesh peered with two others: west ACTIVE (its todos imported and called), south FAILING. */
function peeredMesh(): MeshView {
  const task = (service: string, id: string, ip: string) => ({
    taskId: id,
    ip,
    lastStatus: 'RUNNING',
    health: 'HEALTHY',
    taskDefinitionArn: `arn:aws:ecs:us-east-1:000000000000:task-definition/east-${service}:2`,
    consul: { id: `${service}-${id}`, registered: true, passing: true, address: ip, checks: [] },
  });
  const service = (name: string, tasks: ReturnType<typeof task>[], upstreams: Array<{ service: string; localBindPort: number; peer?: string }> = []) => ({
    name,
    role: 'service' as const,
    status: 'ACTIVE',
    desiredCount: tasks.length,
    runningCount: tasks.length,
    pendingCount: 0,
    deployments: 1,
    port: 8080,
    upstreams,
    stale: [],
    tasks,
  });
  return {
    mesh: 'east-mesh',
    consul: { leader: '10.0.0.4:8300', peers: ['10.0.0.4:8300', '10.0.0.5:8300', '10.0.0.6:8300'] },
    intentions: [],
    peers: [
      { name: 'west', mesh: 'west-mesh', region: 'eu-west-1', role: 'acceptor', state: 'ACTIVE', importedServices: ['todos'], exportedServices: ['users'] },
      { name: 'south', mesh: 'south-mesh', region: 'sa-east-1', role: 'dialer', state: 'FAILING', importedServices: [], exportedServices: ['users'] },
    ],
    clusters: [
      {
        name: 'cluster-1',
        services: [
          service('users', [task('users', 'a1'.padEnd(32, '0'), '10.0.1.2')], [
            { service: 'todos', localBindPort: 1235, peer: 'west' },
            { service: 'billing', localBindPort: 1236, peer: 'south' },
          ]),
        ],
      },
    ],
  };
}

const PLAN = {
  mesh: 'big',
  specHash: 'abc',
  noChange: false,
  refused: [],
  changes: [
    { kind: 'image', id: 'svc-1', action: 'update', reasons: ['build context changed'] },
    { kind: 'service', id: 'c1/svc-1', action: 'update', cluster: 'c1', role: 'service', reasons: ['image changed'] },
    { kind: 'service', id: 'c2/svc-9', action: 'unchanged', cluster: 'c2', role: 'service', reasons: [] },
    { kind: 'service', id: 'c3/old', action: 'remove', cluster: 'c3', role: 'service', reasons: ['no longer in the spec'] },
  ],
};

/** A deployment stuck in its servers stage: something to cancel. */
const RUNNING = {
  id: 'd-20260101000000-abcdef',
  mesh: 'big',
  status: 'RUNNING',
  execution: 'big-abc-20260101000000-abcdef',
  executionStatus: 'RUNNING',
  startedAt: '2026-01-01T00:00:00.000Z',
  stages: [
    { name: 'plan', state: 'done', startedAt: '2026-01-01T00:00:00.000Z', endedAt: '2026-01-01T00:00:02.000Z' },
    { name: 'images', state: 'done' },
    { name: 'config', state: 'done' },
    { name: 'servers', state: 'running', round: 7, waitingFor: { 'consul-server': 'a Consul leader' }, failedAttempts: 2, lastTaskError: { error: 'ThrottlingException' } },
    { name: 'services', state: 'pending' },
    { name: 'ingress', state: 'pending' },
    { name: 'removals', state: 'pending' },
    { name: 'summary', state: 'pending' },
  ],
  services: [{ stage: 'servers', cluster: 'consul-server', name: 'consul-server', desiredCount: 3, runningCount: 1 }],
  images: [],
};

/** A deployment that failed in its servers stage, as GET /deployments/{id} reports one. */
const FAILED = {
  ...RUNNING,
  id: 'd-20260101000000-failed',
  status: 'FAILED',
  executionStatus: 'FAILED',
  stoppedAt: '2026-01-01T00:05:00.000Z',
  stages: RUNNING.stages.map((s) =>
    s.name === 'servers' ? { name: 'servers', state: 'failed', startedAt: '2026-01-01T00:00:05.000Z', endedAt: '2026-01-01T00:05:00.000Z', error: { error: 'ServiceNotStable', cause: 'consul-server: 1/3 running after 60 checks' } } : s,
  ),
  failure: { stage: 'servers', error: 'ServiceNotStable', message: 'consul-server: 1/3 running after 60 checks' },
  error: 'ServiceNotStable',
  cause: '{"errorMessage":"consul-server: 1/3 running after 60 checks"}',
};

describeIfBrowser('the dashboard in Chromium against a stand-in API', () => {
  const writes: Array<{ method: string; url: string; header: string | undefined }> = [];
  let api: Server;
  let ui: UiServer;
  let browser: Browser;
  let page: Page;
  let mesh: MeshView = largeMesh();

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    api = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (req.method !== 'GET') writes.push({ method: req.method ?? '', url: req.url ?? '', header: req.headers['x-mesh-ui'] as string | undefined });
        const body =
          req.url === '/mesh'
            ? mesh
            : req.url === '/plans' && req.method === 'POST'
              ? PLAN
              : req.url === `/deployments/${RUNNING.id}`
                ? RUNNING
                : req.url === `/deployments/${FAILED.id}`
                  ? FAILED
                : req.url === `/deployments/${RUNNING.id}/cancel`
                  ? { id: RUNNING.id, status: 'ABORTED' }
                    : undefined;
        res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body ?? { error: { code: 'NotFound', message: req.url } }));
      });
    });
    await new Promise<void>((done) => api.listen(0, '127.0.0.1', done));
    ui = await startDashboard({ apiUrl: `http://127.0.0.1:${(api.address() as AddressInfo).port}`, token: 'stand-in-token-0123456789', port: 0 }, { env: {}, log: () => undefined });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await ui?.close();
    await new Promise((done) => api?.close(done));
  });

  it('stays responsive with 1,000 tasks: drawn quickly, 50 rows per service until asked, drift listed', async () => {
    await page.goto(`${ui.url}#/deployments`);
    const started = Date.now();
    await page.goto(`${ui.url}#/mesh`);
    await page.locator('[data-service="svc-9"] tr[data-task]').first().waitFor().catch(async (e: Error) => {
      throw new Error(`${e.message}\nurl ${page.url()}\n${(await page.content()).slice(0, 1500)}`);
    });
    const drawnMs = Date.now() - started;
    expect(await page.locator('tr[data-task]').count()).toBe(10 * 50);
    expect(await page.locator('[data-drift-kind="missing"]').count()).toBe(100);
    // The page answers input at once: showing all of one service's tasks.
    const clicked = Date.now();
    await page.locator('[data-service="svc-3"]').getByRole('button', { name: 'Show all 100 tasks' }).click();
    await page.locator('[data-service="svc-3"] tr[data-task]').nth(99).waitFor();
    const expandMs = Date.now() - clicked;
    expect(drawnMs).toBeLessThan(5000);
    expect(expandMs).toBeLessThan(1000);
    console.log(`1,000 tasks: drawn in ${drawnMs} ms, 100 more rows in ${expandMs} ms`);
  }, 60_000);

  it('is usable by keyboard: Tab moves through the sections, every graph node is focusable and says its state in words', async () => {
    await page.goto(`${ui.url}#/mesh`);
    await page.locator('g.node[data-node="svc-0"]').waitFor();
    await page.locator('nav a', { hasText: 'Deployments' }).focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Mesh');
    // Every graph node is in the tab order and announces its state in words.
    const label = await page.locator('g.node[data-node="svc-0"]').getAttribute('aria-label');
    expect(label).toMatch(/^svc-0: missing in Consul\./);
    expect(await page.locator('g.node[tabindex="0"]').count()).toBe(10);
    await page.locator('g.node[data-node="svc-0"]').focus();
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-node'))).toBe('svc-0');
  });

  it('draws a plan on the stages a deployment would run, with each change listed', async () => {
    await page.goto(`${ui.url}#/plan`);
    await page.getByLabel(/Mesh spec/).fill('name: big\n');
    await page.getByRole('button', { name: 'Plan' }).click();
    await page.getByRole('heading', { name: /Plan for mesh big: 3 changes/ }).waitFor();
    expect(await page.locator('g.node[data-node="images"]').getAttribute('data-state')).toBe('pending');
    expect(await page.locator('g.node[data-node="config"]').getAttribute('data-state')).toBe('unchanged');
    expect(await page.locator('g.node[data-node="services:c1"]').textContent()).toContain('~ service c1/svc-1');
    expect(await page.locator('g.node[data-node="removals"]').textContent()).toContain('− service c3/old');
    expect(await page.getByRole('table', { name: 'Changes' }).locator('tbody tr').count()).toBe(3);
    await page.getByRole('button', { name: 'Deploy…' }).click();
    expect(await page.getByRole('alertdialog').textContent()).toContain('Deploy this spec to mesh big now?');
    console.log(`screenshot: ${join(SCREENSHOTS, 'plan.png')} (a plan drawn on the stage graph)`);
    await page.screenshot({ path: join(SCREENSHOTS, 'plan.png'), fullPage: true });
  });

  it('opens a stage from the keyboard, and cancels a running deployment only after a confirmation', async () => {
    await page.goto(`${ui.url}#/deployments/${RUNNING.id}`);
    const servers = page.locator('g.node[data-node="servers"]');
    await servers.waitFor();
    expect(await servers.getAttribute('aria-label')).toMatch(/^Consul servers: running\. consul-server: 1\/3 running\. waiting for a Consul leader\. check 7\. 2 failed attempts \(retried\)/);
    await servers.focus();
    await page.keyboard.press('Enter');
    expect(await page.locator('.detail').innerText()).toContain('retrying after ThrottlingException');

    writes.length = 0;
    await page.getByRole('button', { name: 'Cancel deployment…' }).click();
    const dialog = page.getByRole('alertdialog');
    expect(await dialog.innerText()).toContain(`Cancel deployment ${RUNNING.id}?`);
    // The safe choice has the focus; backing out sends nothing.
    await page.waitForFunction(() => document.activeElement?.textContent === 'Keep it running', undefined, { timeout: 5000 });
    await page.getByRole('button', { name: 'Keep it running' }).click();
    expect(writes).toEqual([]);
    await page.getByRole('button', { name: 'Cancel deployment…' }).click();
    await page.getByRole('button', { name: 'Yes, cancel it' }).click();
    await page.waitForFunction(() => document.querySelector('[role="alertdialog"]') === null);
    // The dashboard's X-Mesh-UI header got the write past the ui server, which does not pass it on.
    expect(writes).toEqual([{ method: 'POST', url: `/deployments/${RUNNING.id}/cancel`, header: undefined }]);
  });

  it('names the failing stage and its cause, in words and on the graph', async () => {
    await page.goto(`${ui.url}#/deployments/${FAILED.id}`);
    const failure = page.locator('[data-failure]');
    await failure.waitFor();
    expect(await failure.innerText()).toMatch(/✗ Deployment failed in stage servers\s+Error: ServiceNotStable\s+Cause: consul-server: 1\/3 running after 60 checks/);
    expect(await page.locator('g.node[data-node="servers"]').getAttribute('aria-label')).toContain('Consul servers: failed.');
    expect(await page.locator('tr[data-stage="servers"]').innerText()).toMatch(/✗\s*failed[\s\S]*took 295\.0 s[\s\S]*ServiceNotStable: consul-server: 1\/3 running/);
    // A new page: nothing selected from the deployment shown before; nothing to cancel once it has ended.
    expect(await page.locator('.detail').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Cancel deployment…' }).count()).toBe(0);
    console.log(`screenshot: ${join(SCREENSHOTS, 'deployment-failed.png')} (a failed deployment: its stage and cause)`);
    await page.screenshot({ path: join(SCREENSHOTS, 'deployment-failed.png'), fullPage: true });
  });

  it("shows the mesh's peers: state in words, FAILING flagged as a problem, imported services drawn, reachable by keyboard", async () => {
    mesh = peeredMesh();
    try {
      await page.goto(`${ui.url}#/deployments`);
      await page.goto(`${ui.url}#/mesh`);
      const peers = page.getByRole('table', { name: 'Peers' });
      await peers.waitFor();
      // consul.peers are the Raft peers: the header counts them as servers.
      expect(await page.locator('p.meta').first().innerText()).toBe('Consul leader 10.0.0.4:8300 · 3 servers');
      expect(await peers.locator('thead th').allTextContents()).toEqual(['Peer', 'Mesh (region)', 'Role', 'State', 'Imported from it', 'Exported to it']);
      const west = peers.locator('tr[data-peer="west"]');
      const south = peers.locator('tr[data-peer="south"]');
      expect(await west.innerText()).toMatch(/^west\s+west-mesh \(eu-west-1\)\s+acceptor\s+✓\s+active\s+connected\s+todos\s+upstreams users → todos\s+users$/);
      expect(await south.innerText()).toMatch(/^south\s+south-mesh \(sa-east-1\)\s+dialer\s+✗\s+failing\s+problem\s+the stream to the peer is failing: check both mesh gateways\s+-\s+upstreams users → billing\s+users$/);
      // The problem is said in words (not only by the row's colour), and only for the failing peer.
      expect(await south.getAttribute('class')).toBe('drift');
      expect(await west.getAttribute('class')).toBeNull();
      expect(await page.locator('[data-peer-problems]').innerText()).toBe('! 1 peering has a problem: south failing');
      // Upstreams naming a peer end at that peer's imported service, whose node says the peering's state.
      expect(await page.locator('g.edge[data-from="users"]').evaluateAll((edges) => edges.map((e) => e.getAttribute('data-to')))).toEqual(['peer:west/todos', 'peer:south/billing']);
      expect(await page.locator('g.node[data-node="peer:west/todos"]').getAttribute('aria-label')).toBe('todos (west): active. imported from peer west. west-mesh · eu-west-1');
      expect(await page.locator('g.node[data-node="peer:south/billing"]').getAttribute('aria-label')).toMatch(/^billing \(south\): failing\./);
      expect(await page.locator('[data-service="users"] p.meta').innerText()).toContain('upstreams todos (peer west) on :1235, billing (peer south) on :1236');
      // Tab from the graph's last node reaches the peers table's region.
      await page.locator('g.node[data-node="peer:south/billing"]').focus();
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-labelledby'))).toBe('peers-title');
      expect(await page.evaluate(() => document.activeElement?.querySelector('table')?.getAttribute('aria-label'))).toBe('Peers');
      console.log(`screenshot: ${join(SCREENSHOTS, 'mesh-peers.png')} (a mesh with an active and a failing peer)`);
      await page.screenshot({ path: join(SCREENSHOTS, 'mesh-peers.png'), fullPage: true });

      // A mesh without peers shows no peers section at all.
      mesh = { ...peeredMesh(), peers: undefined };
      await page.goto(`${ui.url}#/deployments`);
      await page.goto(`${ui.url}#/mesh`);
      await page.locator('[data-service="users"]').waitFor();
      expect(await page.locator('[data-peers]').count()).toBe(0);
      expect(await page.getByRole('heading', { name: 'Peers' }).count()).toBe(0);
    } finally {
      mesh = largeMesh();
    }
  });
});
