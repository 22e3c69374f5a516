import { ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { resolve } from 'node:path';
import { LocalCloud } from '../../../../local/cloud';
import { startLocalCloud } from '../../../../cli/local-cloud';
import { waitFor as until } from '../../../support/wait';
import { runConsulServerTask } from '../../../support/consul-server-task';
import { ZERO_ECS_DELAYS } from '../../../support/test-cloud';

/**
 * The local cloud with a second region (`peerRegion`): one AWS endpoint whose stores are per region, and a Consul
 * datacenter per region, each led by the server tasks ECS runs in its own region, on one peering network.
 */

const ROOT = resolve(__dirname, '../../../..');
const ROOT_TOKEN = { 'X-Consul-Token': 'root-secret' };

describe('local cloud: a second region with its own Consul datacenter', () => {
  let cloud: LocalCloud;
  const clients: ECSClient[] = [];

  beforeAll(async () => {
    cloud = await startLocalCloud({
      rootDir: ROOT,
      ports: { aws: 0, consul: 0, httpApi: 0, peerConsul: 0, peerHttpApi: 0 },
      peerRegion: { region: 'eu-west-1', datacenter: 'west' },
      ecsDelays: ZERO_ECS_DELAYS,
      stepFunctionsTimeScale: 0,
      logger: () => undefined,
    });
    cloud.consul.addToken('root-secret', 'management');
    cloud.peer?.consul.addToken('root-secret', 'management');
  });

  afterAll(async () => {
    clients.forEach((c) => c.destroy());
    await cloud?.settle();
    await cloud?.stop();
  });

  const ecsIn = (region: string) => {
    const client = new ECSClient({ endpoint: cloud.endpoints.aws, region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    clients.push(client);
    return client;
  };

  /** One Consul server task (an image the local cloud did not build: it runs as its tag says) in `region`. */
  async function runServers(region: string): Promise<ECSClient> {
    const ecs = ecsIn(region);
    await runConsulServerTask(ecs);
    return ecs;
  }

  const consulOf = (region: 'east' | 'west') => (region === 'east' ? cloud.endpoints.consul : (cloud.endpoints.peer?.consul as string));
  const call = (region: 'east' | 'west', method: string, path: string, body?: unknown) =>
    fetch(`${consulOf(region)}${path}`, { method, headers: ROOT_TOKEN, body: body === undefined ? undefined : JSON.stringify(body) });
  const leader = async (region: 'east' | 'west') => {
    const res = await fetch(`${consulOf(region)}/v1/status/leader`);
    const text = (await res.json()) as string;
    return text === '' ? undefined : text;
  };
  const peeringState = async (region: 'east' | 'west', name: string) => {
    const res = await call(region, 'GET', `/v1/peering/${name}`);
    return res.status === 200 ? ((await res.json()) as { State: string }).State : `HTTP ${res.status}`;
  };

  it('names both datacenters in its endpoints, and each elects a leader from its own region\'s server tasks', async () => {
    expect(cloud.endpoints.peer).toEqual({ region: 'eu-west-1', consul: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), httpApi: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) });
    expect(cloud.endpoints.peer?.consul).not.toBe(cloud.endpoints.consul);
    expect(cloud.peerClientEnvironment()).toEqual({
      AWS_ENDPOINT_URL: cloud.endpoints.aws,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_REGION: 'eu-west-1',
      CONSUL_HTTP_ADDR: cloud.endpoints.peer?.consul,
      // The second region's orchestrator: its own API (the same token), state machine and bucket.
      MESH_API_URL: cloud.endpoints.peer?.httpApi,
      MESH_API_TOKEN: cloud.apiToken,
      DEPLOY_STATE_MACHINE_ARN: expect.stringMatching(/^arn:aws:states:eu-west-1:/),
      BUILD_SOURCE_BUCKET: 'local-eu-west-1-build-source-bucket',
    });
    expect(await leader('west')).toBeUndefined();
    await runServers('eu-west-1');
    await until('a leader in eu-west-1', () => leader('west'));
    // The first region's servers are not running: its datacenter has no leader.
    expect(await leader('east')).toBeUndefined();
    const agent = (await (await call('west', 'GET', '/v1/agent/self')).json()) as { Config: { Datacenter: string } };
    expect(agent.Config.Datacenter).toBe('west');
    await runServers('us-east-1');
    await until('a leader in us-east-1', () => leader('east'));
  });

  it("peers the two datacenters, imports what the other exports, and is FAILING once the other region's servers are scaled to zero (their datacenter, peering included, is lost)", async () => {
    const { PeeringToken } = (await (await call('east', 'POST', '/v1/peering/token', { PeerName: 'west' })).json()) as { PeeringToken: string };
    expect((await call('west', 'POST', '/v1/peering/establish', { PeerName: 'east', PeeringToken })).status).toBe(200);
    await until('ACTIVE', async () => ((await peeringState('east', 'west')) === 'ACTIVE' ? true : undefined));

    await call('west', 'PUT', '/v1/catalog/register', {
      Node: 'cluster-2',
      Address: '10.1.0.5',
      Service: { ID: 'todos-1', Service: 'todos', Port: 8080 },
      Check: { CheckID: 'todos-1-health', Name: 'todos', Status: 'passing', ServiceID: 'todos-1' },
    });
    await call('west', 'PUT', '/v1/config', { Kind: 'exported-services', Name: 'default', Services: [{ Name: 'todos', Consumers: [{ Peer: 'east' }] }] });
    const imported = await until('todos imported', async () => {
      const list = (await (await call('east', 'GET', '/v1/health/service/todos?peer=west')).json()) as Array<{ Service: { ID: string } }>;
      return list.length === 1 ? list : undefined;
    });
    expect(imported[0].Service.ID).toBe('todos-1');

    // Scale the eu-west-1 servers to zero: that datacenter has no leader until ECS runs a server again.
    const west = ecsIn('eu-west-1');
    await west.send(new UpdateServiceCommand({ cluster: 'consul-server', service: 'consul-server', desiredCount: 0 }));
    await until('FAILING', async () => ((await peeringState('east', 'west')) === 'FAILING' ? true : undefined));
    await west.send(new UpdateServiceCommand({ cluster: 'consul-server', service: 'consul-server', desiredCount: 1 }));
    await until('a leader in eu-west-1 again', () => leader('west'));
    // Every server that held eu-west-1's state was lost: its new datacenter starts empty, without the peering (which
    // lives in the servers' Raft state) or the export, so the peering stays FAILING until it is made again.
    expect(await peeringState('west', 'east')).toBe('HTTP 404');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await peeringState('east', 'west')).toBe('FAILING');
  });
});

describe('local cloud: one region by default', () => {
  it('starts no second datacenter unless asked', async () => {
    const cloud = await startLocalCloud({ rootDir: ROOT, ports: { aws: 0, consul: 0, httpApi: 0 }, logger: () => undefined });
    try {
      expect(Object.keys(cloud.endpoints)).toEqual(['aws', 'consul', 'httpApi']);
      expect(cloud.endpoints.peer).toBeUndefined();
      expect(cloud.peer).toBeUndefined();
      expect(cloud.peerClientEnvironment()).toBeUndefined();
    } finally {
      await cloud.stop();
    }
  });

  it('refuses a peer region that is the region itself', async () => {
    await expect(startLocalCloud({ rootDir: ROOT, ports: { aws: 0, consul: 0, httpApi: 0 }, peerRegion: { region: 'us-east-1' }, logger: () => undefined })).rejects.toThrow(
      'the peer region must differ from the region (us-east-1)',
    );
  });
});
