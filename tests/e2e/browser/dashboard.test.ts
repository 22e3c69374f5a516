import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { LocalCloud } from '@consul-mesh/local-cloud';
import { startDashboard } from '../../../cli/ui-command';
import type { UiServer } from '../../../cli/ui/server';
import { referenceSpec, startCloud, uploadContexts } from '../../integration/deploy/harness';
import { createAwsCli, type AwsCli } from '../aws-cli/cli';

/**
 * `meshctl ui` in a real browser (Debian's Chromium driven by playwright-core) against the local cloud: a deployment
 * whose stages advance on screen to SUCCEEDED, the topology with every service and instance, a failing rollout with
 * its cause and rollback, and drift (a task stopped with the AWS CLI while events are dropped) highlighted, then
 * repaired by the reconcile. Each view is saved as a screenshot in SCREENSHOTS.
 */
const ROOT = resolve(__dirname, '../../..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Where the screenshots go (gitignored); MESH_UI_SCREENSHOTS moves them. */
export const SCREENSHOTS = process.env.MESH_UI_SCREENSHOTS ?? join(ROOT, '.screenshots', 'dashboard');

// In CI the browser must be there (.ci/run installs it): a missing one fails the launch below instead of skipping.
const runnable = existsSync(CHROMIUM) || process.env.CI !== undefined;
if (!runnable) {
  console.warn(`Skipping the dashboard's browser tests: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH).`);
}
const describeIfBrowser = runnable ? describe : describe.skip;

describeIfBrowser('meshctl ui in Chromium against the local cloud', () => {
  let cloud: LocalCloud;
  let ui: UiServer;
  let browser: Browser;
  let page: Page;
  let aws: AwsCli;

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    // Small real delays and scaled-down waits, so stages are seen running before they are done.
    cloud = await startCloud({
      ecsDelays: { provisioningMs: 40, pendingMs: 40, activatingMs: 20, runningMs: 40, stoppingMs: 20, restartBackoffMs: 20, maxRestartBackoffMs: 80 },
      stepFunctionsTimeScale: 0.1,
      buildDurationMs: 300,
    });
    ui = await startDashboard({ apiUrl: cloud.endpoints.httpApi, token: cloud.apiToken, port: 0 }, { env: {}, log: () => undefined });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // What the page itself reports (script errors, failed loads) is part of a failure's story.
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
    aws = createAwsCli(cloud.endpoints.aws);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await ui?.close();
    await cloud?.stop();
    aws?.cleanup();
  });

  const shot = async (name: string) => {
    const path = join(SCREENSHOTS, `${name}.png`);
    await page.screenshot({ path, fullPage: true });
    return path;
  };

  /** Table rows carrying `attribute` → their `data-state`, as the page shows them now. */
  const states = (attribute: string) =>
    page.$$eval(`tr[${attribute}]`, (rows, attr) => rows.map((r) => [r.getAttribute(attr) ?? '', r.getAttribute('data-state') ?? ''] as [string, string]), attribute);

  it('shows a deployment whose stages advance on screen to SUCCEEDED', async () => {
    const spec = referenceSpec();
    await uploadContexts(cloud, spec);
    const answer = await fetch(`${cloud.endpoints.httpApi}/deployments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${cloud.apiToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(spec),
    });
    expect(answer.status).toBe(202);
    const { id } = (await answer.json()) as { id: string };

    await page.goto(`${ui.url}#/deployments/${id}`);
    const seen = new Set<string>();
    const deadline = Date.now() + 120_000;
    for (;;) {
      for (const [stage, state] of await states('data-stage')) seen.add(`${stage}:${state}`);
      const title = await page.locator('h1').innerText();
      if (/succeeded|failed/.test(title)) break;
      if (Date.now() > deadline) throw new Error(`still "${title}" after 120 s; seen ${[...seen].join(', ')}`);
      await page.waitForTimeout(100);
    }
    for (const [stage, state] of await states('data-stage')) seen.add(`${stage}:${state}`);
    expect(await page.locator('h1').innerText()).toContain('succeeded');

    // Live: the page showed stages running before they were done, without a reload.
    expect([...seen].filter((s) => s.endsWith(':running')).length).toBeGreaterThanOrEqual(2);
    const final = Object.fromEntries(await states('data-stage'));
    expect(final).toEqual({
      plan: 'done',
      images: 'done',
      config: 'done',
      servers: 'done',
      // The reference mesh has no mesh gateway and no peers: their stages are skipped.
      'mesh-gateway': 'skipped',
      peering: 'skipped',
      'services:cluster-1': 'done',
      'services:cluster-2': 'done',
      ingress: 'done',
      removals: 'skipped',
      summary: 'done',
    });
    // The graph draws the two service clusters in parallel, between the servers (then the mesh gateway's and the
    // peering's stages, skipped here) and the ingress.
    expect(await page.locator('g.edge[data-from="servers"][data-to="mesh-gateway"]').count()).toBe(1);
    expect(await page.locator('g.edge[data-from="mesh-gateway"][data-to="peering"]').count()).toBe(1);
    for (const cluster of ['cluster-1', 'cluster-2']) {
      expect(await page.locator(`g.edge[data-from="peering"][data-to="services:${cluster}"]`).count()).toBe(1);
      expect(await page.locator(`g.edge[data-from="services:${cluster}"][data-to="ingress"]`).count()).toBe(1);
    }
    // Status in words, timings per stage.
    expect(await page.locator('tr[data-stage="servers"]').innerText()).toMatch(/✓\s*done[\s\S]*took \d/);
    console.log(`screenshot: ${await shot('deployment')} (a deployment's stage graph, every stage done)`);

    await page.goto(`${ui.url}#/deployments`);
    await page.locator(`tr[data-deployment="${id}"]`).getByText('succeeded').waitFor();
    console.log(`screenshot: ${await shot('deployments')} (the deployments list)`);
  }, 180_000);

  it('draws the topology with every service and each of its instances', async () => {
    const mesh = (await (await fetch(`${cloud.endpoints.httpApi}/mesh`, { headers: { authorization: `Bearer ${cloud.apiToken}` } })).json()) as {
      clusters: Array<{ name: string; services: Array<{ name: string; tasks: Array<{ taskId: string; ip?: string }> }> }>;
    };
    await page.goto(`${ui.url}#/mesh`);
    await page.locator('[data-drift="none"]').waitFor();
    const services = mesh.clusters.flatMap((c) => c.services);
    expect(services.map((s) => s.name).sort()).toEqual(['activities', 'consul-server', 'ingress-gateway', 'notifications', 'todos', 'users']);
    for (const service of services) {
      expect(await page.locator(`g.node[data-node="${service.name}"]`).count()).toBe(1);
      const rows = page.locator(`[data-service="${service.name}"] tr[data-task]`);
      expect(await rows.count()).toBe(service.tasks.length);
      for (const task of service.tasks) {
        const row = await page.locator(`[data-service="${service.name}"] tr[data-task="${task.taskId}"]`).innerText();
        expect(row).toContain(task.ip as string);
        expect(row).toMatch(service.name === 'consul-server' ? /server agent/ : /registered, passing/);
      }
    }
    // Upstream edges both ways, the intention, and the ingress routes.
    expect(await page.locator('g.edge-upstream[data-from="users"][data-to="todos"]').count()).toBe(1);
    expect(await page.locator('g.edge-upstream[data-from="todos"][data-to="users"]').count()).toBe(1);
    expect(await page.locator('g.edge-allow[data-from="ingress-gateway"][data-to="users"]').count()).toBe(1);
    expect(await page.locator('g.edge-route[data-from="ingress-gateway"]').count()).toBe(4);
    expect(await page.getByRole('table', { name: 'Ingress listeners' }).innerText()).toMatch(/80\s+http\s+\*/);
    console.log(`screenshot: ${await shot('mesh')} (the topology: services, instances, edges, no drift)`);

    // On a phone the page reflows: nothing but the graph (in its own scroller) is wider than the screen.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    console.log(`screenshot: ${await shot('mesh-phone')} (the mesh at phone width)`);
    await page.setViewportSize({ width: 1280, height: 900 });
  }, 120_000);

  it('starts a failing rollout from the form and shows it rolled back with its cause', async () => {
    await page.goto(`${ui.url}#/rollouts/users`);
    await page.getByLabel('Image (repository:tag, pinned)').fill('users:fail-crash');
    await page.getByLabel('Bake seconds (optional)').fill('0');
    await page.getByRole('button', { name: 'Start rollout' }).click();
    await page.waitForFunction(() => /^#\/rollouts\/users\/[^/]+$/.test(window.location.hash), undefined, { timeout: 30_000 }).catch(async (error: Error) => {
      throw new Error(`${error.message}\npage: ${await page.locator('main').innerText()}`);
    });
    const seen = new Set<string>();
    const deadline = Date.now() + 120_000;
    for (;;) {
      for (const [step, state] of await states('data-step')) seen.add(`${step}:${state}`);
      const title = await page.locator('h1').innerText();
      if (/rolled back|succeeded|failed/.test(title)) break;
      if (Date.now() > deadline) throw new Error(`still "${title}" after 120 s`);
      await page.waitForTimeout(100);
    }
    expect(await page.locator('h1').innerText()).toContain('rolled back');
    const failure = await page.locator('[data-failure]').innerText();
    expect(failure).toMatch(/Rolled back at step (stabilize|bake)/);
    expect(failure).toMatch(/Cause: .*(exited with code 1|failed to start).*rolled back to/s);
    const final = Object.fromEntries(await states('data-step'));
    expect(final).toMatchObject({ prepare: 'done', register: 'done', update: 'done', rollback: 'done' });
    expect(seen.has('rollback:running') || seen.has('stabilize:running') || seen.has('update:running')).toBe(true);
    expect(await page.locator('g.edge[data-to="rollback"]').count()).toBe(1);
    console.log(`screenshot: ${await shot('rollout-rolled-back')} (a failing rollout: its cause and the rollback)`);
  }, 180_000);

  it('highlights drift made with the AWS CLI while events are dropped, then shows it repaired', async () => {
    const faults = (path: string, body?: unknown) => fetch(`${cloud.endpoints.aws}/_local/faults${path}`, { method: 'POST', body: body === undefined ? undefined : JSON.stringify(body) });
    expect((await faults('', { events: { drop: 1 } })).status).toBe(200);
    const { taskArns } = (await aws.ok(['ecs', 'list-tasks', '--cluster', 'cluster-2', '--service-name', 'todos'])) as { taskArns: string[] };
    const stopped = taskArns[0];
    const stoppedId = stopped.split('/').pop() as string;
    await aws.ok(['ecs', 'stop-task', '--cluster', 'cluster-2', '--task', stopped, '--reason', 'stopped by hand']);

    await page.goto(`${ui.url}#/mesh`);
    // The stopped task's registration stays (its event was dropped): stale, highlighted in its row and the summary.
    const staleRow = page.locator(`[data-service="todos"] tr[data-stale="todos-${stoppedId}"]`);
    await staleRow.waitFor({ timeout: 30_000 });
    expect(await staleRow.getAttribute('class')).toContain('drift');
    expect(await staleRow.innerText()).toContain('stale');
    const notice = await page.locator('[data-drift]').innerText();
    expect(notice).toContain(`todos-${stoppedId}`);
    expect(notice).toMatch(/Drift between ECS and Consul \(\d+\)/);
    expect(await page.locator('g.node[data-node="todos"]').getAttribute('data-state')).toMatch(/stale|missing/);
    console.log(`screenshot: ${await shot('mesh-drift')} (drift: a stopped task still registered, highlighted)`);

    // Events flow again and the scheduled reconcile runs (invoked here rather than waiting for its minute).
    expect((await faults('/reset')).status).toBe(200);
    await cloud.lambda.invoke('reconcile', { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} });
    await page.locator('[data-drift="none"]').waitFor({ timeout: 30_000 });
    expect(await page.locator('tr[data-stale]').count()).toBe(0);
    expect(await page.locator('[data-service="todos"] tr[data-task]').count()).toBe(2);
    console.log(`screenshot: ${await shot('mesh-repaired')} (the same mesh after the reconcile: no drift)`);
  }, 120_000);

  it('lists the activity newest first: task transitions with what was done, and the reconcile run that repaired the drift', async () => {
    await page.goto(`${ui.url}#/deployments`);
    // Reached from the navigation, by keyboard.
    await page.locator('nav a', { hasText: 'Activity' }).focus();
    await page.keyboard.press('Enter');
    const table = page.getByRole('table', { name: 'Activity' });
    await table.waitFor({ timeout: 30_000 });
    // The run that repaired the drift: a word and a symbol, not only a colour.
    const run = table.locator('tr[data-kind="reconcile"]').filter({ hasText: 'repaired' }).first();
    await run.waitFor({ timeout: 30_000 });
    expect(await run.innerText()).toMatch(/⟳\s+repaired \d+/);
    expect(await run.innerText()).toContain('deregistered');
    expect(await table.locator('tr[data-kind="task"][data-outcome="registered"]').count()).toBeGreaterThan(0);
    const times = await table.locator('tbody tr td:first-child').allInnerTexts();
    expect(times.map((t) => Date.parse(t) || new Date(t).getTime()).filter((t) => !Number.isNaN(t))).toEqual(
      [...times.map((t) => Date.parse(t) || new Date(t).getTime()).filter((t) => !Number.isNaN(t))].sort((a, b) => b - a),
    );
    // The first screenful (the table holds up to 200 rows): the newest entries, the reconcile's repair among them.
    const activityShot = join(SCREENSHOTS, 'activity.png');
    await page.screenshot({ path: activityShot });
    console.log(`screenshot: ${activityShot} (the activity: task events and the reconcile run that repaired the drift)`);

    // Filtered by its labelled controls: one service's registrations only.
    await page.getByLabel('Service').selectOption('todos');
    await page.getByLabel('What').selectOption('registered');
    // The filtered answer replaces the rows (the table is empty while it loads): read them once every row is one.
    const filtered = await page.waitForFunction(
      () => {
        const shown = Array.from(document.querySelectorAll<HTMLElement>('table[aria-label="Activity"] tbody tr'));
        return shown.length > 0 && shown.every((r) => r.getAttribute('data-outcome') === 'registered') ? shown.map((r) => r.innerText) : false;
      },
      undefined,
      { timeout: 15_000 },
    );
    const rows = (await filtered.jsonValue()) as string[];
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.includes('todos') && /\+\s+registered/.test(r))).toBe(true);
  }, 60_000);
});
