import { renderServerAgentRules } from '../../../../layers/domain/consul/acl-policies';
import { startHarness, type ConsulHarness } from './helpers';

const MANAGEMENT = 'c0ffee00-0000-4000-8000-000000000001';
const AGENT = 'c0ffee00-0000-4000-8000-000000000002';
const NODE_ONLY = 'c0ffee00-0000-4000-8000-000000000003';
const CATCH_UP_MS = 400;

interface ServerHealth {
  ID: string;
  Name: string;
  Address: string;
  Leader: boolean;
  Voter: boolean;
  Healthy: boolean;
  LastIndex: number;
  LastTerm: number;
  StableSince: string;
}
interface Health {
  Healthy: boolean;
  FailureTolerance: number;
  Servers: ServerHealth[];
}

/**
 * `/v1/operator/autopilot/health` of the local Consul: Consul's shape and ACL rule (operator:read), computed from the
 * durability model: a server that joins a running datacenter is neither a voter nor healthy until it has caught up,
 * and holds no copy of the state meanwhile.
 */
describe('Consul emulator: autopilot server health', () => {
  let consul: ConsulHarness;
  let running: string[];
  const ids: Record<string, string> = {
    '10.0.0.3': '00000000-0000-4000-8000-000000000003',
    '10.0.0.7': '00000000-0000-4000-8000-000000000007',
    '10.0.0.12': '00000000-0000-4000-8000-000000000012',
    '10.0.0.20': '00000000-0000-4000-8000-000000000020',
  };

  beforeAll(async () => {
    running = ['10.0.0.3', '10.0.0.7', '10.0.0.12'];
    consul = await startHarness({
      acl: { enabled: true, managementToken: MANAGEMENT },
      quorumSource: () => ({ expected: 3, serverAddresses: running, serverIds: ids }),
      serverCatchUpMs: CATCH_UP_MS,
    });
    const root = { 'X-Consul-Token': MANAGEMENT };
    for (const [name, rules, secret] of [
      ['server-agent', renderServerAgentRules(), AGENT],
      ['node-only', 'node_prefix "" {\n  policy = "write"\n}\n', NODE_ONLY],
    ]) {
      expect((await consul.put('/v1/acl/policy', { Name: name, Rules: rules }, root)).status).toBe(200);
      expect((await consul.put('/v1/acl/token', { SecretID: secret, Policies: [{ Name: name }] }, root)).status).toBe(200);
    }
  });
  afterAll(async () => {
    await consul.close();
  });

  const health = async (token = AGENT): Promise<{ status: number; body: Health }> => {
    const response = await consul.get('/v1/operator/autopilot/health', { 'X-Consul-Token': token });
    return { status: response.status, body: (await response.json()) as Health };
  };
  const byAddress = (body: Health) => Object.fromEntries(body.Servers.map((s) => [s.Address, { Voter: s.Voter, Healthy: s.Healthy }]));

  it('needs operator:read: the servers\' agent token reads it, a token without it is refused', async () => {
    const refused = await consul.get('/v1/operator/autopilot/health', { 'X-Consul-Token': NODE_ONLY });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toMatch(/^Permission denied: token with AccessorID '[0-9a-f-]+' lacks permission 'operator:read'$/);

    const anonymous = await consul.get('/v1/operator/autopilot/health');
    expect(anonymous.status).toBe(403);

    expect((await health()).status).toBe(200);
  });

  it('lists the servers of a bootstrapped datacenter as healthy voters, by node ID, with the leader, the last index and term', async () => {
    const { status, body } = await health();
    expect(status).toBe(200);
    expect(body.Healthy).toBe(true);
    expect(body.FailureTolerance).toBe(1);
    expect(body.Servers.map((s) => [s.Address, s.ID, s.Name, s.Leader, s.Voter, s.Healthy])).toEqual([
      ['10.0.0.3:8300', ids['10.0.0.3'], 'server-10.0.0.3', true, true, true],
      ['10.0.0.7:8300', ids['10.0.0.7'], 'server-10.0.0.7', false, true, true],
      ['10.0.0.12:8300', ids['10.0.0.12'], 'server-10.0.0.12', false, true, true],
    ]);
    expect(body.Servers.every((s) => s.LastIndex === consul.server.lastIndex() && s.LastTerm >= 1)).toBe(true);
    expect(body.Servers[0].StableSince).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('reports a joining server as neither voter nor healthy (429 for the cluster) until it has caught up', async () => {
    running = [...running, '10.0.0.20'];
    const joining = await health();
    expect(joining.status).toBe(429);
    expect(joining.body.Healthy).toBe(false);
    expect(byAddress(joining.body)['10.0.0.20:8300']).toEqual({ Voter: false, Healthy: false });
    expect(byAddress(joining.body)['10.0.0.3:8300']).toEqual({ Voter: true, Healthy: true });

    await new Promise((resolve) => setTimeout(resolve, CATCH_UP_MS + 50));
    const caughtUp = await health();
    expect(caughtUp.status).toBe(200);
    expect(byAddress(caughtUp.body)['10.0.0.20:8300']).toEqual({ Voter: true, Healthy: true });
    // Four voters: a quorum of three, so one may fail.
    expect(caughtUp.body.FailureTolerance).toBe(1);
  });

  it('loses the datacenter when the servers that hold it stop while their replacement is still catching up', async () => {
    await consul.put('/v1/kv/kept', 'yes', { 'X-Consul-Token': MANAGEMENT });
    // Two of the four members stop: two remain, a quorum of three expected. A fifth server joins...
    running = ['10.0.0.12', '10.0.0.20'];
    expect((await health()).status).toBe(200);
    running = ['10.0.0.12', '10.0.0.20', '10.0.0.7'];
    expect(byAddress((await health()).body)['10.0.0.7:8300']).toEqual({ Voter: false, Healthy: false });
    // ... and one more member stops before it caught up: one holder is left, the state is gone.
    running = ['10.0.0.20', '10.0.0.7'];
    expect(consul.server.raft().leader).toBeDefined();
    expect(consul.server.datacentersLost()).toBe(1);
    expect((await consul.get('/v1/kv/kept', { 'X-Consul-Token': MANAGEMENT })).status).toBe(404);
    // The new datacenter's servers bootstrapped together: voters at once.
    expect(byAddress((await health(MANAGEMENT)).body)).toEqual({ '10.0.0.7:8300': { Voter: true, Healthy: true }, '10.0.0.20:8300': { Voter: true, Healthy: true } });
  });

  it('answers "No cluster leader" without a quorum', async () => {
    running = ['10.0.0.7'];
    const response = await consul.get('/v1/operator/autopilot/health', { 'X-Consul-Token': MANAGEMENT });
    expect(response.status).toBe(500);
    expect(await response.text()).toBe('No cluster leader');
  });
});
