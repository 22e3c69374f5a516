import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { exampleSpec, expectIntact, usePeeredMeshes, until, type Json } from './harness';

/**
 * The end of a peering, from a deployed pair: the peers removed from both specs and both redeployed, then one mesh
 * torn down. The other mesh keeps its services registered and still deploys.
 */
describe('removing the peering and tearing one mesh down (examples/multi-region)', () => {
  const pair = usePeeredMeshes();

  /** The example without its peering: no peers, no peered upstream, exports or peered intentions (the gateways stay). */
  const unpeered = (side: 'east' | 'west') =>
    exampleSpec(side, (spec: Json) => {
      delete spec.peers;
      delete spec.exports;
      for (const cluster of spec.clusters) for (const service of cluster.services) delete service.upstreams;
      spec.intentions = (spec.intentions ?? []).filter((i: Json) => i.peer === undefined);
      if (spec.intentions.length === 0) delete spec.intentions;
    });
  const tokenParameter = async () => {
    const ssm = new SSMClient({ endpoint: pair.cloud.endpoints.aws, region: pair.east.region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    try {
      return await ssm.send(new GetParameterCommand({ Name: '/consul-mesh/east-mesh/peering/west-mesh/token' }));
    } catch (error) {
      return (error as Error).name;
    } finally {
      ssm.destroy();
    }
  };

  it('peers removed from both specs: both deployments succeed, the peering is gone on both sides with the token, both meshes intact', async () => {
    const { east, west } = pair;
    expect(typeof (await tokenParameter())).toBe('object');
    const eastRegistered = await east.registered();

    const eastRun = await east.deploy(unpeered('east'));
    expect({ status: eastRun.status, cause: eastRun.cause }).toEqual({ status: 'SUCCEEDED', cause: undefined });
    expect(await east.peering()).toBeUndefined();
    // The dialer's side learns of it through the stream.
    await until('TERMINATED in eu-west-1', async () => ((await west.peering())?.State === 'TERMINATED' ? true : undefined), 5_000);
    expect(await tokenParameter()).toBe('ParameterNotFound');

    const westRun = await west.deploy(unpeered('west'));
    expect({ status: westRun.status, cause: westRun.cause }).toEqual({ status: 'SUCCEEDED', cause: undefined });
    await until('the peering gone in eu-west-1', async () => ((await west.peering()) === undefined ? true : undefined), 5_000);

    // Nothing imported is left, and each mesh keeps exactly what it runs (the same tasks for east).
    expect((await east.consulCall('/v1/health/service/todos?peer=west')).body).toEqual([]);
    expect(await east.registered()).toEqual(eastRegistered);
    await expectIntact(east);
    await expectIntact(west);
    expect((await east.apiCall('GET', '/mesh')).body.peers ?? []).toEqual([]);
  }, 240_000);

  it('west torn down: east keeps its services registered and deploys again', async () => {
    const { east, west } = pair;
    const eastRegistered = await east.registered();
    const ended = await west.destroy();
    expect(ended.status).toBe('SUCCEEDED');
    expect(await west.runningTasks()).toEqual([]);

    expect(await east.registered()).toEqual(eastRegistered);
    await expectIntact(east);
    const run = await east.deploy(unpeered('east'));
    expect({ status: run.status, cause: run.cause, noChange: run.output?.noChange }).toEqual({ status: 'SUCCEEDED', cause: undefined, noChange: true });
    await expectIntact(east);
  }, 240_000);
});
