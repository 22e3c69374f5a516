import { S3Client } from '@aws-sdk/client-s3';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { LocalCloud } from '@consul-mesh/local-cloud';
import { withContentHashes, type BuildContextFiles } from '../../../layers/build-context';
import { uploadBuildContexts } from '../../../layers/deploy/build-source';
import { createS3Api } from '../../../layers/adapters/s3';
import { peeringTokenParameter } from '../../../layers/deploy/peering';
import { referenceSpec, ROOT, sfnClient, startCloud, waitForExecution, type DeploymentRun, type RawSpec } from './harness';
import type { DestroySummary } from '../../../layers/deploy/teardown';

/**
 * The peering stage of the deploy state machine, on the local cloud's two regions, each with its own orchestrator:
 * `reference-mesh` in us-east-1 is the acceptor, `west-mesh` in eu-west-1 the dialer. Everything goes through the
 * state machines (deployments, a teardown) with IAM evaluated, as `meshctl deploy` and `meshctl destroy` would.
 */

const EAST_MESH = 'reference-mesh';
const WEST_MESH = 'west-mesh';
const TOKEN = peeringTokenParameter(EAST_MESH, WEST_MESH);

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- assertions read arbitrary JSON answers
type Json = any;

interface Region {
  region: string;
  mesh: string;
  deployMachine: string;
  destroyMachine: string;
  bucket: string;
  consul: string;
  api: string;
}

/** An NLB in front of east's mesh gateway (`meshGateway.wan.mode: nlb`). */
const EAST_NLB = {
  mode: 'nlb',
  address: 'east-mesh-gw-0123456789abcdef.elb.us-east-1.amazonaws.com',
  targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/east-mesh-gw/0123456789abcdef',
};

/** east: the acceptor, exporting users to west; with `peered: false`, no peer and no export (the gateway stays). */
function eastSpec(peered = true, wan?: typeof EAST_NLB): Record<string, unknown> {
  return referenceSpec((spec: RawSpec) => {
    spec.meshGateway = wan ? { wan } : {};
    if (!peered) return;
    spec.peers = [{ name: 'west', mesh: WEST_MESH, region: 'eu-west-1', role: 'acceptor' }];
    spec.exports = [{ service: 'users', peers: ['west'] }];
  });
}

/** west: the dialer; with `peered: false`, no peer. */
function westSpec(peered = true): Record<string, unknown> {
  return referenceSpec((spec: RawSpec) => {
    spec.name = WEST_MESH;
    spec.region = 'eu-west-1';
    spec.datacenter = 'dc2';
    spec.meshGateway = {};
    if (peered) spec.peers = [{ name: 'east', mesh: EAST_MESH, region: 'us-east-1', role: 'dialer' }];
  });
}

describe('the peering stage of a deployment: two meshes in two regions joined through their deployments', () => {
  let cloud: LocalCloud;
  let east: Region;
  let west: Region;
  const clients: Array<{ destroy(): void }> = [];
  let counter = 0;

  const ssmIn = (region: string) => {
    const client = new SSMClient({ endpoint: cloud.endpoints.aws, region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    clients.push(client);
    return client;
  };

  /** Uploads the spec's build contexts to the region's bucket (as meshctl does) and runs the region's deploy machine. */
  async function deploy(region: Region, spec: Record<string, unknown>): Promise<DeploymentRun> {
    const contexts = new Map<string, BuildContextFiles & { context: string }>();
    withContentHashes(spec, ROOT, contexts);
    const s3 = new S3Client({ endpoint: cloud.endpoints.aws, region: region.region, forcePathStyle: true, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    clients.push(s3);
    await uploadBuildContexts(contexts.values(), { s3: createS3Api(s3), bucket: region.bucket });
    counter += 1;
    const deploymentId = `d-peer-${Date.now().toString(36)}-${counter}`;
    const sfn = sfnClient(cloud, region.region);
    clients.push(sfn);
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: region.deployMachine,
        name: `${region.mesh}-${deploymentId}`,
        input: JSON.stringify({ deploymentId, spec, settings: { pollSeconds: 0, maxRounds: 4000 } }),
      }),
    );
    return waitForExecution(cloud, executionArn!, 150_000);
  }

  async function destroy(region: Region) {
    counter += 1;
    const destroyId = `x-peer-${Date.now().toString(36)}-${counter}`;
    const sfn = sfnClient(cloud, region.region);
    clients.push(sfn);
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: region.destroyMachine,
        name: destroyId,
        input: JSON.stringify({ destroyId, mesh: region.mesh, purge: false, spec: null, settings: { pollSeconds: 0, maxRounds: 400 } }),
      }),
    );
    return waitForExecution<DestroySummary>(cloud, executionArn!, 120_000);
  }

  async function managementToken(region: Region): Promise<string> {
    const ctx = { region: region.region, accountId: '000000000000', requestId: 't' };
    const { Parameter } = (await cloud.ssm.operations.GetParameter({ Name: `/consul-mesh/${region.mesh}/secrets/acl/bootstrap-token`, WithDecryption: true }, ctx)) as {
      Parameter: { Value: string };
    };
    return Parameter.Value;
  }

  /** The state of a peering in the region's datacenter, or `absent`. */
  async function peeringState(region: Region, name: string): Promise<string> {
    const response = await fetch(`${region.consul}/v1/peering/${name}`, { headers: { 'X-Consul-Token': await managementToken(region) } });
    return response.status === 404 ? 'absent' : ((await response.json()) as { State: string }).State;
  }

  /** Waits (at most 10 s: Consul deletes and terminates in the background) until the peering is in `state`. */
  async function untilPeeringState(region: Region, name: string, state: string): Promise<void> {
    const deadline = Date.now() + 10_000;
    while ((await peeringState(region, name)) !== state) {
      if (Date.now() > deadline) throw new Error(`${name} in ${region.consul} is ${await peeringState(region, name)}, not ${state}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async function tokenParameter(): Promise<{ Version?: number; Type?: string; Value?: string } | 'absent'> {
    try {
      return (await ssmIn('us-east-1').send(new GetParameterCommand({ Name: TOKEN, WithDecryption: true }))).Parameter ?? 'absent';
    } catch (error) {
      if ((error as Error).name === 'ParameterNotFound') return 'absent';
      throw error;
    }
  }

  /** POST /plans on the region's API: the change set a deployment of `spec` would make now. */
  async function plan(region: Region, spec: Record<string, unknown>): Promise<Json> {
    const response = await fetch(`${region.api}/plans`, {
      method: 'POST',
      headers: { authorization: `Bearer ${cloud.apiToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(spec),
    });
    expect(response.status).toBe(200);
    return response.json();
  }
  const peeringChanges = (changeSet: Json) => (changeSet.changes as Json[]).filter((c) => c.kind === 'peering' && c.action !== 'unchanged').map((c) => `${c.action} ${c.id}`);

  /** What the run's peering stage did: its last result (`PeeringEnsure`/`PeeringCheck` output), per peer. */
  function peeringOutcome(run: DeploymentRun): string[] {
    const outputs = run.history.filter((e) => e.type === 'TaskStateExited' && ['PeeringEnsure', 'PeeringCheck'].includes(e.stateExitedEventDetails?.name ?? ''));
    const last = outputs.at(-1)?.stateExitedEventDetails?.output;
    const peers: Json[] = last ? JSON.parse(last).peering.peers : [];
    return peers.map((p) => `${p.name}:${p.action}:${p.state ?? ''}`);
  }

  beforeAll(async () => {
    cloud = await startCloud({
      ports: { aws: 0, consul: 0, httpApi: 0, peerConsul: 0, peerHttpApi: 0 },
      peerRegion: { region: 'eu-west-1', datacenter: 'dc2', meshName: WEST_MESH },
      // Task events that come before the mesh's ACL tokens exist fail and are retried, as on AWS: not worth a line.
      // The event handlers read the deployed spec at each event (SPEC_CACHE_SECONDS 0): a gateway moved behind an NLB
      // registers the NLB's address at once, where the default cache has the gateway stage wait (polls without a
      // pause here) for the task's next event or the reconcile (tests/unit/deploy/stage-mesh-gateway-wan.test.ts).
      functionEnvironment: { LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true', SPEC_CACHE_SECONDS: '0' },
    });
    const peer = cloud.peer;
    if (!peer || !cloud.endpoints.peer) throw new Error('no second region');
    east = {
      region: 'us-east-1',
      mesh: EAST_MESH,
      deployMachine: cloud.stateMachines.deployMesh,
      destroyMachine: cloud.stateMachines.destroyMesh,
      bucket: cloud.buckets.BuildSourceBucket,
      consul: cloud.endpoints.consul,
      api: cloud.endpoints.httpApi,
    };
    west = {
      region: 'eu-west-1',
      mesh: WEST_MESH,
      deployMachine: peer.stateMachines.deployMesh,
      destroyMachine: peer.stateMachines.destroyMesh,
      bucket: cloud.peerClientEnvironment()?.BUILD_SOURCE_BUCKET ?? '',
      consul: cloud.endpoints.peer.consul,
      api: cloud.endpoints.peer.httpApi,
    };
    // Two stacks packaged (each once per serverless.yml) on a shared machine.
  }, 600_000);

  afterAll(async () => {
    clients.forEach((client) => client.destroy());
    await cloud?.settle();
    await cloud?.stop();
  });

  it('fails the dialer deployed first at stage peering, saying which mesh to deploy where, with nothing of the peering created', async () => {
    const run = await deploy(west, westSpec());
    expect(run.status).toBe('FAILED');
    const failure = JSON.parse(run.cause ?? '{}');
    expect(failure).toMatchObject({ stage: 'peering', error: 'PeeringTokenMissing' });
    expect(failure.message).toContain(`deploy mesh "${EAST_MESH}" in region us-east-1 first`);
    // Not retried: the ensure step ran once, and no service cluster was touched.
    expect(run.states.filter((s) => s === 'PeeringEnsure')).toHaveLength(1);
    expect(run.states).not.toContain('ServiceClusters');
    expect(await peeringState(west, 'east')).toBe('absent');
    expect(await tokenParameter()).toBe('absent');
  }, 200_000);

  it('deploys the acceptor, whose token is kept once; then the dialer, whose deployment ends with the peering ACTIVE on both sides', async () => {
    expect(peeringChanges(await plan(east, eastSpec()))).toEqual(['create west']);
    const acceptor = await deploy(east, eastSpec());
    expect({ status: acceptor.status, cause: acceptor.cause }).toEqual({ status: 'SUCCEEDED', cause: undefined });
    expect(peeringOutcome(acceptor)).toEqual(['west:token-generated:PENDING']);
    expect(await tokenParameter()).toMatchObject({ Type: 'SecureString', Version: 1 });
    expect(await peeringState(east, 'west')).toBe('PENDING');

    expect(peeringChanges(await plan(west, westSpec()))).toEqual(['create east']);
    const dialer = await deploy(west, westSpec());
    expect({ status: dialer.status, cause: dialer.cause }).toEqual({ status: 'SUCCEEDED', cause: undefined });
    expect(peeringOutcome(dialer)).toEqual(['east:established:ACTIVE']);
    // The deployment's summary lists the peer with its peering's state and what flows each way.
    expect(dialer.output?.peerings).toEqual([
      { name: 'east', mesh: EAST_MESH, region: 'us-east-1', role: 'dialer', state: 'ACTIVE', importedServices: expect.any(Array), exportedServices: [] },
    ]);
    // The peering stage came before the service clusters.
    expect(dialer.states.indexOf('PeeringEnsure')).toBeLessThan(dialer.states.indexOf('ServiceClusters'));
    expect(await peeringState(west, 'east')).toBe('ACTIVE');
    expect(await peeringState(east, 'west')).toBe('ACTIVE');
  }, 400_000);

  it('plans nothing and does nothing when both are deployed again unchanged: no token generated, nothing established', async () => {
    expect(peeringChanges(await plan(east, eastSpec()))).toEqual([]);
    expect(peeringChanges(await plan(west, westSpec()))).toEqual([]);
    const [acceptor, dialer] = [await deploy(east, eastSpec()), await deploy(west, westSpec())];
    expect({ east: acceptor.status, west: dialer.status }).toEqual({ east: 'SUCCEEDED', west: 'SUCCEEDED' });
    expect(peeringOutcome(acceptor)).toEqual(['west:token-kept:ACTIVE']);
    expect(peeringOutcome(dialer)).toEqual(['east:kept:ACTIVE']);
    expect({ east: acceptor.output?.noChange, west: dialer.output?.noChange }).toEqual({ east: true, west: true });
    expect(await tokenParameter()).toMatchObject({ Version: 1 });
    expect(await peeringState(east, 'west')).toBe('ACTIVE');
  }, 400_000);

  it('deletes the peering on both sides and the acceptor\'s token when both specs drop the peer', async () => {
    // The dialer's side as a deployment that stored its new spec (without the peer) and stopped before its peering
    // stage leaves it: the deployed spec no longer names `east`; the peering, marked as west-mesh's, is still there.
    const key = `${west.consul}/v1/kv/consul-mesh/${WEST_MESH}/spec`;
    const headers = { 'X-Consul-Token': await managementToken(west) };
    const stored = (await (await fetch(`${key}?raw`, { headers })).json()) as Json;
    expect(stored.peers).toHaveLength(1);
    await fetch(key, { method: 'PUT', headers, body: JSON.stringify({ ...stored, peers: [] }) });
    expect(await peeringState(west, 'east')).toBe('ACTIVE');
    // The plan finds it through Consul's marked peerings, and the deployment deletes it.
    expect(peeringChanges(await plan(west, westSpec(false)))).toEqual(['remove east']);
    const dialer = await deploy(west, westSpec(false));
    expect({ status: dialer.status, cause: dialer.cause }).toEqual({ status: 'SUCCEEDED', cause: undefined });
    expect(peeringOutcome(dialer)).toEqual(['east:deleted:']);
    expect(dialer.output?.noChange).toBe(false);
    expect(peeringChanges(await plan(east, eastSpec(false)))).toEqual(['remove west']);
    const acceptor = await deploy(east, eastSpec(false));
    expect({ status: acceptor.status, cause: acceptor.cause }).toEqual({ status: 'SUCCEEDED', cause: undefined });
    expect(peeringOutcome(acceptor)).toEqual(['west:deleted:']);
    // Consul deletes a peering in the background (DELETING, then gone).
    await untilPeeringState(east, 'west', 'absent');
    await untilPeeringState(west, 'east', 'absent');
    expect(await tokenParameter()).toBe('absent');
    // And the next deployment of either skips the stage.
    const again = await deploy(east, eastSpec(false));
    expect(again.states).not.toContain('PeeringEnsure');
  }, 400_000);

  it('tears a peered mesh down peerings first; the other mesh deploys on; an acceptor\'s teardown deletes its token', async () => {
    for (const run of [await deploy(east, eastSpec()), await deploy(west, westSpec())]) expect({ status: run.status, cause: run.cause }).toEqual({ status: 'SUCCEEDED', cause: undefined });
    expect(await peeringState(east, 'west')).toBe('ACTIVE');

    const teardown = await destroy(west);
    expect({ status: teardown.status, cause: teardown.cause }).toEqual({ status: 'SUCCEEDED', cause: undefined });
    expect(teardown.output?.removed.peerings).toEqual(['east']);
    await untilPeeringState(east, 'west', 'TERMINATED');
    // The acceptor's next deployment succeeds: its peering was terminated, so it generates a new token for the
    // dialer's next deployment.
    const acceptor = await deploy(east, eastSpec());
    expect({ status: acceptor.status, cause: acceptor.cause }).toEqual({ status: 'SUCCEEDED', cause: undefined });
    expect(peeringOutcome(acceptor)).toEqual(['west:token-generated:PENDING']);
    expect(await tokenParameter()).toMatchObject({ Version: 2 });

    const acceptorTeardown = await destroy(east);
    expect({ status: acceptorTeardown.status, cause: acceptorTeardown.cause }).toEqual({ status: 'SUCCEEDED', cause: undefined });
    expect(acceptorTeardown.output?.removed.peerings).toEqual(['west']);
    expect(await tokenParameter()).toBe('absent');
  }, 500_000);

  it('tears down a peering found only by its mark: the deployed spec no longer names it, the other side still ends TERMINATED', async () => {
    for (const run of [await deploy(east, eastSpec()), await deploy(west, westSpec())]) expect({ status: run.status, cause: run.cause }).toEqual({ status: 'SUCCEEDED', cause: undefined });
    expect(await peeringState(east, 'west')).toBe('ACTIVE');
    // West as a deployment that stored its new spec (without the peer) and stopped before its peering stage leaves it.
    const key = `${west.consul}/v1/kv/consul-mesh/${WEST_MESH}/spec`;
    const headers = { 'X-Consul-Token': await managementToken(west) };
    const stored = (await (await fetch(`${key}?raw`, { headers })).json()) as Json;
    await fetch(key, { method: 'PUT', headers, body: JSON.stringify({ ...stored, peers: [] }) });
    expect(await peeringState(west, 'east')).toBe('ACTIVE');

    const teardown = await destroy(west);
    expect({ status: teardown.status, cause: teardown.cause }).toEqual({ status: 'SUCCEEDED', cause: undefined });
    expect(teardown.output?.removed.peerings).toEqual(['east']);
    // Deleted while west's gateways still ran, so east was told: TERMINATED, not FAILING for ever.
    await untilPeeringState(east, 'west', 'TERMINATED');
  }, 500_000);
  it('renews the acceptor\'s stored token when its gateway moves behind an NLB before the dialer is deployed; the dialer then peers ACTIVE', async () => {
    // West is not deployed (torn down above). East's deployment makes a token (anew, after the teardowns above),
    // naming its gateway's private address.
    const first = await deploy(east, eastSpec());
    expect({ status: first.status, cause: first.cause }).toEqual({ status: 'SUCCEEDED', cause: undefined });
    type Stored = Awaited<ReturnType<typeof tokenParameter>>;
    const addressesOf = (parameter: Stored) => (parameter === 'absent' ? [] : (JSON.parse(Buffer.from(parameter.Value ?? '', 'base64').toString('utf8')).ServerAddresses as string[]));
    const versionOf = (parameter: Stored) => (parameter === 'absent' ? undefined : parameter.Version);
    const before = await tokenParameter();
    expect(addressesOf(before)).toEqual([expect.stringMatching(/^10\.\d+\.\d+\.\d+:8443$/)]);
    expect(await peeringState(east, 'west')).toBe('PENDING');

    // The gateway goes behind an NLB: new gateway tasks register the NLB's address as their WAN address (the gateway
    // stage waits for it), and the peering stage replaces the token that still names the old one (the peering is
    // PENDING: nobody used it).
    const behind = await deploy(east, eastSpec(true, EAST_NLB));
    expect({ status: behind.status, cause: behind.cause }).toEqual({ status: 'SUCCEEDED', cause: undefined });
    expect(peeringOutcome(behind)).toEqual(['west:token-generated:PENDING']);
    const after = await tokenParameter();
    expect(addressesOf(after)).toEqual([`${EAST_NLB.address}:8443`]);
    expect(versionOf(after)).toBe((versionOf(before) ?? 0) + 1);

    // Deployed again unchanged: the token is current, nothing is written.
    const unchanged = await deploy(east, eastSpec(true, EAST_NLB));
    expect({ status: unchanged.status, noChange: unchanged.output?.noChange }).toEqual({ status: 'SUCCEEDED', noChange: true });
    expect(peeringOutcome(unchanged)).toEqual(['west:token-kept:PENDING']);
    expect(versionOf(await tokenParameter())).toBe(versionOf(after));

    // The dialer, deployed now, dials the NLB's address and peers.
    const dialer = await deploy(west, westSpec());
    expect({ status: dialer.status, cause: dialer.cause }).toEqual({ status: 'SUCCEEDED', cause: undefined });
    expect(peeringOutcome(dialer)).toEqual(['east:established:ACTIVE']);
    expect(await peeringState(east, 'west')).toBe('ACTIVE');
  }, 600_000);
});
