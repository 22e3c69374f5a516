import type { LocalCloud } from '@consul-mesh/local-cloud';
import { buildProgram } from '../../../cli/meshctl';
import { deploy, referenceSpec, startCloud } from '../deploy/harness';

/** `meshctl mesh` against the local cloud's HTTP API: the topology, then drift made by hand, then repaired. */
describe('meshctl mesh', () => {
  let cloud: LocalCloud;
  let token: string;

  beforeAll(async () => {
    cloud = await startCloud();
    const run = await deploy(cloud, referenceSpec());
    expect(run.status).toBe('SUCCEEDED');
    const ctx = { region: 'us-east-1', accountId: '000000000000', requestId: 't' };
    const { Parameter } = (await cloud.ssm.operations.GetParameter({ Name: '/consul-mesh/reference-mesh/secrets/acl/bootstrap-token', WithDecryption: true }, ctx)) as {
      Parameter: { Value: string };
    };
    token = Parameter.Value;
  }, 90_000);

  afterAll(async () => {
    await cloud?.stop();
  });

  async function meshctl(...args: string[]): Promise<{ code: number; out: string }> {
    let out = '';
    const io = { write: (text: string) => (out += text) };
    const program = buildProgram({ stdout: io, stderr: io, env: {} });
    process.exitCode = 0;
    await program.parseAsync(['node', 'meshctl', 'mesh', '--api-url', cloud.endpoints.httpApi, '--token', cloud.apiToken, ...args]);
    const code = Number(process.exitCode ?? 0);
    process.exitCode = 0;
    return { code, out };
  }

  const consul = (path: string, body: unknown) =>
    fetch(`${cloud.endpoints.consul}${path}`, { method: 'PUT', headers: { 'X-Consul-Token': token }, body: JSON.stringify(body) });

  it('shows every task next to its Consul registration, with no drift after a deployment', async () => {
    const { code, out } = await meshctl('--check');
    expect(code).toBe(0);
    expect(out).toContain('Mesh "reference-mesh": Consul leader 10.');
    expect(out.match(/registered, passing/g)).toHaveLength(8);
    expect(out).toContain('No drift: Consul has exactly the running tasks.');
  });

  it('flags a missing registration and a stale one, and --check exits 1', async () => {
    const users = (await (await fetch(`${cloud.endpoints.consul}/v1/health/service/users`, { headers: { 'X-Consul-Token': token } })).json()) as Array<{
      Service: { ID: string };
    }>;
    const removed = users[0].Service.ID;
    expect((await consul('/v1/catalog/deregister', { Node: 'cluster-1', ServiceID: removed })).status).toBe(200);
    // A zombie as the orchestrator would have left it: registered for a task that has since stopped (its event lost).
    const zombie = {
      Node: 'cluster-1',
      Address: '127.0.0.1',
      Service: {
        ID: 'users-0000deadbeef',
        Service: 'users',
        Address: '10.9.9.9',
        Port: 8080,
        Meta: { mesh: 'reference-mesh', cluster: 'cluster-1', 'task-arn': 'arn:aws:ecs:us-east-1:000000000000:task/cluster-1/0000deadbeef', 'task-version': '4' },
      },
      SkipNodeUpdate: true,
    };
    expect((await consul('/v1/catalog/register', zombie)).status).toBe(200);

    const { code, out } = await meshctl('--check');
    expect(code).toBe(1);
    expect(out).toContain('Drift (2):');
    expect(out).toMatch(/missing cluster-1\/users: task [0-9a-f]+ \(10\.\d+\.\d+\.\d+\) is not registered/);
    expect(out).toContain('stale   cluster-1/users: users-0000deadbeef at 10.9.9.9 has no running task');

    const json = JSON.parse((await meshctl('--json')).out) as { drift: Array<{ kind: string }> };
    expect(json.drift.map((d) => d.kind).sort()).toEqual(['missing', 'stale']);
  });

  it('shows no drift once the reconcile has run', async () => {
    await cloud.lambda.invoke('reconcile', { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} });
    const { code, out } = await meshctl('--check');
    expect(out).toContain('No drift');
    expect(code).toBe(0);
  });
});
