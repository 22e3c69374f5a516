import { ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { LocalCloud } from '@consul-mesh/local-cloud';
import { createConsulCall } from '../../../layers/adapters/consul';
import { createS3Api } from '../../../layers/adapters/s3';
import { createSsmApi } from '../../../layers/adapters/ssm';
import { withContentHashes, type BuildContextFiles } from '../../../layers/build-context';
import { uploadBuildContexts } from '../../../layers/deploy/build-source';
import { createPeeringApi, ensurePeerings, peeringTokenParameter, type PeeringDeps } from '../../../layers/deploy/peering';
import { MeshSpecSchema, type MeshSpec } from '../../../layers/domain/spec/schema';
import { tokenRequestParameter } from '../../../layers/recovery/peerings';
import { scheduledEvent } from '../convergence/actions';
import { referenceSpec, ROOT, startCloud } from './harness';

/**
 * Peerings survive a Consul datacenter loss on either side (layers/recovery/peerings.ts). Two deployed meshes, one
 * per region: `reference-mesh` in us-east-1 (the acceptor, exporting `todos` to `west`) and `west-mesh` in
 * eu-west-1 (the dialer), peered through their mesh gateways. Each side's recovery function is invoked as its
 * schedule does. Snapshots are off: the new datacenter has no peering at all (the re-apply path).
 */

const EAST = 'us-east-1';
const WEST = 'eu-west-1';
const EAST_MESH = 'reference-mesh';
const WEST_MESH = 'west-mesh';
const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test assertions read arbitrary JSON answers
type Json = any;

interface Side {
  region: string;
  mesh: string;
  consul: string;
  api: string;
  bucket: string;
  spec: MeshSpec;
  raw: Record<string, unknown>;
  /** The peering's name on this side. */
  peering: string;
}

function peeredSpec(region: string): Record<string, unknown> {
  return referenceSpec((spec) => {
    spec.consul = { ...(spec.consul as object), snapshots: { enabled: false } };
    spec.meshGateway = {};
    if (region === EAST) {
      spec.peers = [{ name: 'west', mesh: WEST_MESH, region: WEST, role: 'acceptor' }];
      spec.exports = [{ service: 'todos', peers: ['west'] }];
    } else {
      spec.name = WEST_MESH;
      spec.region = WEST;
      spec.datacenter = 'dc2';
      spec.peers = [{ name: 'east', mesh: EAST_MESH, region: EAST, role: 'dialer' }];
    }
  });
}

describe('peerings after a Consul datacenter loss on either side', () => {
  let cloud: LocalCloud;
  let east: Side;
  let west: Side;
  const clients: Array<{ destroy(): void }> = [];

  const ssmIn = (region: string) => {
    const client = new SSMClient({ endpoint: cloud.endpoints.aws, region, credentials: CREDENTIALS });
    clients.push(client);
    return createSsmApi(client);
  };
  const secret = async (side: Side, name: string): Promise<string> => {
    const ctx = { region: side.region, accountId: '000000000000', requestId: 't' };
    return ((await cloud.ssm.operations.GetParameter({ Name: `/consul-mesh/${side.mesh}/secrets/acl/${name}`, WithDecryption: true }, ctx)) as { Parameter: { Value: string } }).Parameter.Value;
  };
  const consulGet = async (side: Side, path: string): Promise<{ status: number; body: Json }> => {
    const response = await fetch(`${side.consul}${path}`, { headers: { 'X-Consul-Token': await secret(side, 'bootstrap-token') } });
    const text = await response.text();
    return { status: response.status, body: response.ok && text ? JSON.parse(text) : text };
  };
  const peeringOf = async (side: Side): Promise<Json> => {
    const { status, body } = await consulGet(side, `/v1/peering/${side.peering}`);
    return status === 200 ? body : undefined;
  };
  const tokenVersion = async () => (await ssmIn(EAST).getParameter(peeringTokenParameter(EAST_MESH, WEST_MESH)))?.Version;
  const recover = async (side: Side): Promise<Json> => (side.region === EAST ? cloud.lambda : cloud.peer!.lambda).invoke('recoverDatacenter', scheduledEvent());
  const importedTodos = async () => ((await consulGet(west, '/v1/health/service/todos?peer=east&passing')).body as Json[]).length;
  const until = async (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const bothActive = async () => (await peeringOf(east))?.State === 'ACTIVE' && (await peeringOf(west))?.State === 'ACTIVE';

  async function deployThroughApi(side: Side): Promise<Json> {
    const contexts = new Map<string, BuildContextFiles & { context: string }>();
    withContentHashes(side.raw, ROOT, contexts);
    const s3 = new S3Client({ endpoint: cloud.endpoints.aws, region: side.region, forcePathStyle: true, credentials: CREDENTIALS });
    clients.push(s3);
    await uploadBuildContexts(contexts.values(), { s3: createS3Api(s3), bucket: side.bucket });
    const headers = { authorization: `Bearer ${cloud.apiToken}`, 'content-type': 'application/json' };
    const started = (await (await fetch(`${side.api}/deployments`, { method: 'POST', headers, body: JSON.stringify(side.raw) })).json()) as Json;
    const deadline = Date.now() + 180_000;
    for (;;) {
      const body = (await (await fetch(`${side.api}/deployments/${started.id}`, { headers })).json()) as Json;
      if (body.status !== 'RUNNING') return body;
      if (Date.now() > deadline) throw new Error(`the deployment in ${side.region} still runs`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** The deployment's peering step, with the orchestrator's own token of the side (what the peering stage runs). */
  async function peeringDeps(side: Side): Promise<PeeringDeps> {
    const call = createConsulCall({ address: side.consul, token: await secret(side, 'orchestrator-token') });
    return { peering: createPeeringApi(call), ssm: { home: ssmIn(side.region), inRegion: (region) => ssmIn(region) } };
  }

  /** Every Consul server task of the side stops at once; waits for the new, empty datacenter's leader. */
  async function loseDatacenter(side: Side): Promise<void> {
    const consul = side.region === EAST ? cloud.consul : cloud.peer!.consul;
    const lostBefore = consul.datacentersLost();
    const response = await fetch(`${cloud.endpoints.aws}/_local/consul/stop-servers`, { method: 'POST', body: JSON.stringify({ region: side.region }) });
    expect(((await response.json()) as { stopped: string[] }).stopped.length).toBeGreaterThan(0);
    await until(`a new datacenter in ${side.region}`, () => consul.datacentersLost() === lostBefore + 1 && consul.raft().leader !== undefined, 60_000);
    expect(await peeringOf(side)).toBeUndefined();
  }

  beforeAll(async () => {
    cloud = await startCloud({
      ports: { aws: 0, consul: 0, httpApi: 0, peerConsul: 0, peerHttpApi: 0 },
      peerRegion: { region: WEST, datacenter: 'dc2', meshName: WEST_MESH },
      functionEnvironment: { LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' },
    });
    const peer = cloud.peerClientEnvironment()!;
    const [eastRaw, westRaw] = [peeredSpec(EAST), peeredSpec(WEST)];
    east = { region: EAST, mesh: EAST_MESH, consul: cloud.endpoints.consul, api: cloud.endpoints.httpApi, bucket: cloud.buckets.BuildSourceBucket, raw: eastRaw, spec: MeshSpecSchema.parse(eastRaw), peering: 'west' };
    west = { region: WEST, mesh: WEST_MESH, consul: peer.CONSUL_HTTP_ADDR, api: peer.MESH_API_URL, bucket: peer.BUILD_SOURCE_BUCKET, raw: westRaw, spec: MeshSpecSchema.parse(westRaw), peering: 'east' };
    const runs = await Promise.all([deployThroughApi(east), deployThroughApi(west)]);
    expect(runs.map((run) => run.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    // The peering stage's work: the acceptor's token, then the dialer's establishment.
    await ensurePeerings(east.spec, await peeringDeps(east));
    await ensurePeerings(west.spec, await peeringDeps(west));
    await until('the peering ACTIVE on both sides', bothActive);
    await until('todos imported into eu-west-1', async () => (await importedTodos()) === 2);
  }, 400_000);

  afterAll(async () => {
    clients.forEach((client) => client.destroy());
    await cloud?.settle();
    await cloud?.stop();
  });

  it('leaves a peering whose gateways are down alone (no new token), and it is ACTIVE again by itself', async () => {
    const ids = { east: (await peeringOf(east)).ID, west: (await peeringOf(west)).ID };
    const ecs = new ECSClient({ endpoint: cloud.endpoints.aws, region: EAST, credentials: CREDENTIALS });
    clients.push(ecs);
    await ecs.send(new UpdateServiceCommand({ cluster: 'mesh-gateway', service: 'mesh-gateway', desiredCount: 0 }));
    await until('the peering FAILING on both sides', async () => (await peeringOf(east))?.State === 'FAILING' && (await peeringOf(west))?.State === 'FAILING');

    const [eastTick, westTick] = [await recover(east), await recover(west)];
    expect(eastTick).toMatchObject({ status: 'intact', peerings: { status: 'checked', peers: [{ name: 'west', action: 'kept', state: 'FAILING' }] } });
    expect(westTick).toMatchObject({ status: 'intact', peerings: { status: 'checked', peers: [{ name: 'east', action: 'kept', state: 'FAILING' }] } });
    expect(await tokenVersion()).toBe(1);

    await ecs.send(new UpdateServiceCommand({ cluster: 'mesh-gateway', service: 'mesh-gateway', desiredCount: 1 }));
    await until('the peering ACTIVE again', bothActive);
    expect({ east: (await peeringOf(east)).ID, west: (await peeringOf(west)).ID }).toEqual(ids);
    // ACTIVE on both sides: a tick reads the peering and writes nothing.
    expect(await recover(west)).toMatchObject({ peerings: { peers: [{ action: 'kept', state: 'ACTIVE' }] } });
    expect(await tokenVersion()).toBe(1);
  }, 120_000);

  it('the acceptor\'s datacenter lost: its recovery generates a new token, the dialer\'s re-establishes with it', async () => {
    await loseDatacenter(east);
    await until('the dialer FAILING', async () => (await peeringOf(west))?.State === 'FAILING');
    // The dialer's tick before the acceptor's: the token is unchanged, so the peering is left as it is.
    expect(await recover(west)).toMatchObject({ peerings: { peers: [{ action: 'kept', state: 'FAILING' }] } });

    const eastTick = await recover(east);
    expect(eastTick).toMatchObject({ status: 'restored', peerings: { peers: [{ name: 'west', role: 'acceptor', action: 'token-generated' }] } });
    expect(await tokenVersion()).toBe(2);
    expect(await peeringOf(east)).toMatchObject({ State: 'PENDING' });

    const westTick = await recover(west);
    expect(westTick).toMatchObject({ status: 'intact', peerings: { peers: [{ name: 'east', role: 'dialer', action: 're-established' }] } });
    await until('the peering ACTIVE again', bothActive);
    expect((await peeringOf(west)).Meta).toEqual({ 'consul-mesh-token-version': '2' });
    await until('todos imported into eu-west-1 again', async () => (await importedTodos()) === 2);
    // Idempotent: the next ticks find both ACTIVE.
    expect(await recover(east)).toMatchObject({ status: 'intact', peerings: { peers: [{ action: 'kept', state: 'ACTIVE' }] } });
    expect(await tokenVersion()).toBe(2);
  }, 180_000);

  it('the dialer\'s datacenter lost: its spent token is reported, the acceptor makes a new one, the dialer establishes', async () => {
    await loseDatacenter(west);
    await until('the acceptor FAILING', async () => (await peeringOf(east))?.State === 'FAILING');
    // The acceptor's tick before the dialer's: no request, FAILING is left to reconnect.
    expect(await recover(east)).toMatchObject({ peerings: { peers: [{ action: 'kept', state: 'FAILING' }] } });
    expect(await tokenVersion()).toBe(2);

    // Consul takes an establishment secret once: version 2 was used before the loss.
    const westTick = await recover(west);
    expect(westTick).toMatchObject({ status: 'restored', peerings: { peers: [{ name: 'east', action: 'token-requested' }] } });
    expect((await ssmIn(WEST).getParameter(tokenRequestParameter(WEST_MESH, EAST_MESH)))?.Value).toBe('2');
    // Until the acceptor answers, the dialer does not try the spent token again.
    expect(await recover(west)).toMatchObject({ peerings: { peers: [{ action: 'kept', reason: expect.stringContaining('spent') }] } });

    expect(await recover(east)).toMatchObject({ peerings: { peers: [{ name: 'west', action: 'token-generated' }] } });
    expect(await tokenVersion()).toBe(3);
    expect(await recover(west)).toMatchObject({ peerings: { peers: [{ name: 'east', action: 'established' }] } });
    await until('the peering ACTIVE again', bothActive);
    await until('todos imported into eu-west-1 again', async () => (await importedTodos()) === 2);
    expect(await recover(east)).toMatchObject({ peerings: { peers: [{ action: 'kept', state: 'ACTIVE' }] } });
    expect(await tokenVersion()).toBe(3);
  }, 180_000);
});
