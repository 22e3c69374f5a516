import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { LocalCloud } from '@consul-mesh/local-cloud';
import { createConsulCall } from '../../../layers/adapters/consul';
import { createS3Api } from '../../../layers/adapters/s3';
import { createSsmApi, type SsmApi } from '../../../layers/adapters/ssm';
import { withContentHashes, type BuildContextFiles } from '../../../layers/build-context';
import { uploadBuildContexts } from '../../../layers/deploy/build-source';
import { createPeeringApi, ensurePeerings, peeringTokenParameter, type PeeringDeps } from '../../../layers/deploy/peering';
import { MeshSpecSchema, type MeshSpec } from '../../../layers/domain/spec/schema';
import { scheduledEvent } from '../convergence/actions';
import { referenceSpec, ROOT, startCloud } from './harness';

/**
 * Two deployed meshes peered through their mesh gateways, one per region of one local cloud: `reference-mesh` in
 * us-east-1 (the acceptor, exporting `todos` to `west`) and `west-mesh` in eu-west-1 (the dialer), with what the
 * peering-recovery tests do to them and read from them.
 */

export const EAST = 'us-east-1';
export const WEST = 'eu-west-1';
export const EAST_MESH = 'reference-mesh';
export const WEST_MESH = 'west-mesh';
const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test assertions read arbitrary JSON answers
export type Json = any;

export interface Side {
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

function peeredSpec(region: string, snapshots: boolean): Record<string, unknown> {
  return referenceSpec((spec) => {
    spec.consul = { ...(spec.consul as object), snapshots: { enabled: snapshots } };
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

export interface PeeredMeshes {
  cloud: LocalCloud;
  east: Side;
  west: Side;
  ssmIn(region: string): SsmApi;
  consulGet(side: Side, path: string): Promise<{ status: number; body: Json }>;
  peeringOf(side: Side): Promise<Json>;
  /** The Version of the acceptor's token parameter. */
  tokenVersion(): Promise<number | undefined>;
  /** One tick of the side's recovery schedule. */
  recover(side: Side, action?: 'snapshot'): Promise<Json>;
  /** Passing instances of `todos` imported into eu-west-1 from the peer. */
  importedTodos(): Promise<number>;
  bothActive(): Promise<boolean>;
  until(what: string, check: () => boolean | Promise<boolean>, timeoutMs?: number): Promise<void>;
  /** Every Consul server task of the side stops at once; waits for the new, empty datacenter's leader. */
  loseDatacenter(side: Side): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the cloud, deploys both meshes through their regions' APIs and peers them (the peering stage's work). */
export async function startPeeredMeshes(options: { snapshots: boolean }): Promise<PeeredMeshes> {
  const cloud = await startCloud({
    ports: { aws: 0, consul: 0, httpApi: 0, peerConsul: 0, peerHttpApi: 0 },
    peerRegion: { region: WEST, datacenter: 'dc2', meshName: WEST_MESH },
    functionEnvironment: { LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' },
  });
  const clients: Array<{ destroy(): void }> = [];
  const peer = cloud.peerClientEnvironment();
  if (!peer || !cloud.peer) throw new Error('no second region');
  const [eastRaw, westRaw] = [peeredSpec(EAST, options.snapshots), peeredSpec(WEST, options.snapshots)];
  const east: Side = { region: EAST, mesh: EAST_MESH, consul: cloud.endpoints.consul, api: cloud.endpoints.httpApi, bucket: cloud.buckets.BuildSourceBucket, raw: eastRaw, spec: MeshSpecSchema.parse(eastRaw), peering: 'west' };
  const west: Side = { region: WEST, mesh: WEST_MESH, consul: peer.CONSUL_HTTP_ADDR, api: peer.MESH_API_URL, bucket: peer.BUILD_SOURCE_BUCKET, raw: westRaw, spec: MeshSpecSchema.parse(westRaw), peering: 'east' };
  const peerRegion = cloud.peer;

  const ssmIn = (region: string) => {
    const client = new SSMClient({ endpoint: cloud.endpoints.aws, region, credentials: CREDENTIALS });
    clients.push(client);
    return createSsmApi(client);
  };
  const secret = async (side: Side, name: string): Promise<string> => {
    const ctx = { region: side.region, accountId: '000000000000', requestId: 't' };
    return ((await cloud.ssm.operations.GetParameter({ Name: `/consul-mesh/${side.mesh}/secrets/acl/${name}`, WithDecryption: true }, ctx)) as { Parameter: { Value: string } }).Parameter.Value;
  };
  const consulGet = async (side: Side, path: string) => {
    const response = await fetch(`${side.consul}${path}`, { headers: { 'X-Consul-Token': await secret(side, 'bootstrap-token') } });
    const text = await response.text();
    return { status: response.status, body: (response.ok && text ? JSON.parse(text) : text) as Json };
  };
  const peeringOf = async (side: Side): Promise<Json> => {
    const { status, body } = await consulGet(side, `/v1/peering/${side.peering}`);
    return status === 200 ? body : undefined;
  };
  const until = async (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const bothActive = async () => (await peeringOf(east))?.State === 'ACTIVE' && (await peeringOf(west))?.State === 'ACTIVE';
  const importedTodos = async () => ((await consulGet(west, '/v1/health/service/todos?peer=east&passing')).body as Json[]).length;

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

  // The acceptor first: the dialer's peering stage needs its token (PeeringTokenMissing otherwise).
  const runs = [await deployThroughApi(east), await deployThroughApi(west)];
  if (runs.some((run) => run.status !== 'SUCCEEDED')) throw new Error(`deployments: ${JSON.stringify(runs.map((run) => [run.status, run.cause]))}`);
  await ensurePeerings(east.spec, await peeringDeps(east));
  await ensurePeerings(west.spec, await peeringDeps(west));
  await until('the peering ACTIVE on both sides', bothActive);
  await until('todos imported into eu-west-1', async () => (await importedTodos()) === 2);

  return {
    cloud,
    east,
    west,
    ssmIn,
    consulGet,
    peeringOf,
    tokenVersion: async () => (await ssmIn(EAST).getParameter(peeringTokenParameter(EAST_MESH, WEST_MESH)))?.Version,
    recover: async (side, action) => (side.region === EAST ? cloud.lambda : peerRegion.lambda).invoke('recoverDatacenter', { ...scheduledEvent(), ...(action ? { action } : {}) }),
    importedTodos,
    bothActive,
    until,
    async loseDatacenter(side) {
      const consul = side.region === EAST ? cloud.consul : peerRegion.consul;
      const lostBefore = consul.datacentersLost();
      const response = await fetch(`${cloud.endpoints.aws}/_local/consul/stop-servers`, { method: 'POST', body: JSON.stringify({ region: side.region }) });
      const { stopped } = (await response.json()) as { stopped: string[] };
      if (stopped.length === 0) throw new Error(`no server task stopped in ${side.region}`);
      await until(`a new datacenter in ${side.region}`, () => consul.datacentersLost() === lostBefore + 1 && consul.raft().leader !== undefined, 60_000);
    },
    async stop() {
      clients.forEach((client) => client.destroy());
      await cloud.settle();
      await cloud.stop();
    },
  };
}
