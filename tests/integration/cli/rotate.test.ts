import type { LocalCloud } from '@consul-mesh/local-cloud';
import { buildProgram } from '../../../cli/meshctl';
import { deploy, referenceSpec, startCloud } from '../deploy/harness';

/** `meshctl rotate` against the local cloud's HTTP API (POST /rotations, GET /rotations/{id}) on a deployed mesh. */
describe('meshctl rotate', () => {
  let cloud: LocalCloud;

  beforeAll(async () => {
    cloud = await startCloud();
    const run = await deploy(cloud, referenceSpec());
    expect(run.status).toBe('SUCCEEDED');
  }, 120_000);

  afterAll(async () => {
    await cloud?.stop();
  });

  async function meshctl(...args: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const program = buildProgram({ stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (err += t) }, env: {}, pollIntervalMs: 20 });
    process.exitCode = 0;
    await program.parseAsync(['node', 'meshctl', 'rotate', '--api-url', cloud.endpoints.httpApi, '--token', cloud.apiToken, '--poll-seconds', '0', ...args]);
    const code = Number(process.exitCode ?? 0);
    process.exitCode = 0;
    return { code, out, err };
  }

  it('rotates a dataplane token: prints the steps in order, follows them, and reports the new version and the replaced tasks', async () => {
    const { code, out, err } = await meshctl('acl-token/dataplane/todos');

    expect({ code, err }).toEqual({ code: 0, err: '' });
    const lines = out.split('\n');
    expect(lines.slice(0, 5)).toEqual([
      expect.stringMatching(/^Rotating acl-token\/dataplane\/todos of mesh reference-mesh as s-\d{14}-[0-9a-z]{6}:$/),
      '  1. create the new token in Consul',
      '  2. store its SecretID in SSM',
      '  3. roll the tasks that read it (cluster-2/todos)',
      '  4. delete the old token from Consul',
    ]);
    expect(out).toContain('[retire] done');
    expect(out).toContain('Rotated acl-token/dataplane/todos: /consul-mesh/reference-mesh/secrets/acl/dataplane/todos version 1 → 2');
    expect(out).toContain('Replaced cluster-2/todos: 2 task(s)');
  }, 120_000);

  it('rotates the TLS CA (no longer refused): prints its stages in order, follows them, and reports both parameters\' versions', async () => {
    const { code, out, err } = await meshctl('ca');

    expect({ code, err }).toEqual({ code: 0, err: '' });
    const lines = out.split('\n');
    expect(lines.slice(0, 7)).toEqual([
      expect.stringMatching(/^Rotating ca of mesh reference-mesh as s-\d{14}-[0-9a-z]{6}:$/),
      '  1. generate the new CA',
      expect.stringMatching(/^ {2}2\. store the CA bundle \(old and new CA\) in SSM, roll the Consul servers/),
      expect.stringMatching(/^ {2}3\. roll every dataplane to trust both CAs/),
      expect.stringMatching(/^ {2}4\. store the new CA key in SSM, roll the servers/),
      expect.stringMatching(/^ {2}5\. store the new CA alone in SSM/),
      '  6. roll every dataplane to trust the new CA only',
    ]);
    expect(out).toContain('Rotated ca: /consul-mesh/reference-mesh/secrets/tls/ca-cert version 1 → 3, /consul-mesh/reference-mesh/secrets/tls/ca-key version 1 → 2');
    expect(out).toContain('Replaced consul-server/consul-server: 9 task(s)');
    expect(out).toContain('1 old CA certificate(s) removed');
  }, 180_000);

  it('refuses a secret the mesh does not have, naming the ones it can rotate', async () => {
    const { code, err } = await meshctl('acl-token/dataplane/billing');

    expect(code).toBe(1);
    expect(err).toContain('has no ACL token "dataplane/billing"; rotatable: gossip-key, acl-token/server-agent, acl-token/dataplane/users');
    expect(err).toMatch(/acl-token\/ingress\/ingress-gateway, ca$/m);
  });

  it('the API answers 400 for a body that names no secret, 404 for an unknown rotation, and GET shows a finished one', async () => {
    const api = (path: string, init: RequestInit = {}) =>
      fetch(`${cloud.endpoints.httpApi}${path}`, { ...init, headers: { authorization: `Bearer ${cloud.apiToken}`, 'content-type': 'application/json' } });

    const bad = await api('/rotations', { method: 'POST', body: JSON.stringify({ secret: 42 }) });
    const unknown = await api('/rotations/s-20990101000000-aaaaaa');
    const started = (await (await api('/rotations?pollSeconds=0', { method: 'POST', body: JSON.stringify({ secret: 'acl-token/ingress/ingress-gateway' }) })).json()) as { id: string };
    let view: { status: string; version?: number; steps: Array<{ name: string; state: string }> };
    do {
      await new Promise((r) => setTimeout(r, 50));
      view = (await (await api(`/rotations/${started.id}`)).json()) as typeof view;
    } while (view.status === 'RUNNING');

    expect(bad.status).toBe(400);
    expect(unknown.status).toBe(404);
    expect(view).toMatchObject({ status: 'SUCCEEDED', version: 2 });
    expect(view.steps.map((s) => `${s.name}:${s.state}`)).toEqual(['prepare:done', 'activate:done', 'store:done', 'wait:done', 'retire:done', 'finish:done']);
  }, 120_000);
});
