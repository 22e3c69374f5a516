import { writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { REPO_ROOT } from './docker-files';
import { run, tempDir } from './processes';

const SCRIPT = join(REPO_ROOT, 'docker/consul-server/healthcheck.sh');
const SELF = 'b5d3c0a1-3c52-4f0e-9d7e-1f2a3b4c5d6e';
const OTHER = '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0';
const AGENT_TOKEN = '7d2c9e51-6a3b-4c8d-9e0f-1a2b3c4d5e6f';

function server(id: string, fields: { Voter: boolean; Healthy: boolean; Leader?: boolean }): Record<string, unknown> {
  return { ID: id, Name: `server-${id.slice(0, 4)}`, Address: '10.0.0.1:8300', SerfStatus: 'alive', Version: '1.20.1', Leader: false, LastContact: '10ms', LastTerm: 2, LastIndex: 46, StableSince: '2026-12-06T12:00:00Z', ...fields };
}

/**
 * The server image's health check (docker/consul-server/healthcheck.sh), run with `sh` against a stand-in of
 * Consul's autopilot health endpoint: healthy only when this server's own entry (by its node ID) is a caught-up voter,
 * whatever the cluster as a whole says (Consul answers 429 while any server is unhealthy), with the agent token sent
 * as `X-Consul-Token` and never on its command line.
 */
describe('consul-server-healthcheck', () => {
  let http: Server;
  let url: string;
  let answer: { status: number; body: string } = { status: 200, body: '{}' };
  const tokens: Array<string | undefined> = [];
  let dir: string;

  beforeAll(async () => {
    http = createServer((req, res) => {
      tokens.push(req.headers['x-consul-token'] as string | undefined);
      res.writeHead(answer.status, { 'Content-Type': answer.body.startsWith('{') ? 'application/json' : 'text/plain' });
      res.end(answer.body);
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/v1/operator/autopilot/health`;
  });
  afterAll(async () => {
    await new Promise((resolve) => http.close(resolve));
  });
  beforeEach(() => {
    dir = tempDir('server-healthcheck-');
    mkdirSync(join(dir, 'data'));
    mkdirSync(join(dir, 'config'));
    // Consul writes node-id without a final newline.
    writeFileSync(join(dir, 'data', 'node-id'), SELF);
    writeFileSync(join(dir, 'config', 'health-check.token'), `${AGENT_TOKEN}\n`);
    tokens.length = 0;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const check = () =>
    run('sh', [SCRIPT, url], {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      CONSUL_DATA_DIR: join(dir, 'data'),
      CONSUL_HEALTH_TOKEN_FILE: join(dir, 'config', 'health-check.token'),
    });
  const reply = (status: number, body: unknown) => {
    answer = { status, body: typeof body === 'string' ? body : JSON.stringify(body) };
  };

  it('passes for a caught-up voter, even while another server makes the cluster unhealthy (429)', async () => {
    reply(429, { Healthy: false, FailureTolerance: 0, Servers: [server(OTHER, { Voter: false, Healthy: false, Leader: false }), server(SELF, { Voter: true, Healthy: true })] });
    const result = await check();
    expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 0, stdout: '' });
    expect(tokens).toEqual([AGENT_TOKEN]);
  });

  it('fails for a server that is not yet a voter, or a voter that trails the leader', async () => {
    reply(429, { Healthy: false, FailureTolerance: 0, Servers: [server(OTHER, { Voter: true, Healthy: true, Leader: true }), server(SELF, { Voter: false, Healthy: true })] });
    const nonVoter = await check();
    expect(nonVoter.code).toBe(1);
    expect(nonVoter.stdout).toContain(`server ${SELF} is not a caught-up voter: Voter=false Healthy=true`);

    reply(429, { Healthy: false, FailureTolerance: 0, Servers: [server(OTHER, { Voter: true, Healthy: true, Leader: true }), server(SELF, { Voter: true, Healthy: false })] });
    expect((await check()).code).toBe(1);
  });

  it('fails when autopilot does not know this server, or there is no leader, or the token is refused', async () => {
    reply(200, { Healthy: true, FailureTolerance: 0, Servers: [server(OTHER, { Voter: true, Healthy: true, Leader: true })] });
    const absent = await check();
    expect({ code: absent.code, stdout: absent.stdout }).toEqual({ code: 1, stdout: `consul-server-healthcheck: server ${SELF} is not a caught-up voter: not among the servers autopilot knows\n` });

    reply(500, 'No cluster leader');
    const leaderless = await check();
    expect({ code: leaderless.code, stdout: leaderless.stdout }).toEqual({ code: 1, stdout: 'consul-server-healthcheck: autopilot health unavailable: No cluster leader\n' });

    reply(403, 'ACL not found');
    expect((await check()).stdout).toContain('autopilot health unavailable: ACL not found');
  });

  it('fails before the agent wrote its node ID, and when nothing answers', async () => {
    rmSync(join(dir, 'data', 'node-id'));
    const early = await check();
    expect(early.code).toBe(1);
    expect(early.stdout).toContain('node-id yet');
    expect(tokens).toEqual([]);

    writeFileSync(join(dir, 'data', 'node-id'), SELF);
    const refused = await run('sh', [SCRIPT, 'http://127.0.0.1:1/v1/operator/autopilot/health'], { PATH: process.env.PATH ?? '/usr/bin:/bin', CONSUL_DATA_DIR: join(dir, 'data') });
    expect(refused.code).toBe(1);
  });

  it('sends no token when the task has none (ACLs off)', async () => {
    rmSync(join(dir, 'config', 'health-check.token'));
    reply(200, { Healthy: true, FailureTolerance: 1, Servers: [server(SELF, { Voter: true, Healthy: true, Leader: true })] });
    expect((await check()).code).toBe(0);
    expect(tokens).toEqual([undefined]);
  });
});
