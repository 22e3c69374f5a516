import { loadDeployedSpec } from '../../../layers/churn/deployed-spec';
import { deployedSpecKey } from '../../../layers/deploy/config-entries';
import { SpecInvalidError } from '../../../layers/errors';
import { referenceSpec, startCountingConsul, type CountingConsul } from './consul-support';

describe('loadDeployedSpec', () => {
  const spec = referenceSpec();
  let consul: CountingConsul;
  let clock: number;
  const now = () => clock;
  const load = (maxAgeMs = 10_000) => loadDeployedSpec(consul.client, spec.name, { maxAgeMs, now });
  const kvReads = () => consul.requests.filter((r) => r.startsWith('GET /v1/kv/')).length;

  beforeEach(async () => {
    clock = 1_000_000;
    consul = await startCountingConsul();
  });

  afterEach(async () => {
    await consul.close();
  });

  it('answers undefined for a mesh never deployed, and sees the first deployment at once', async () => {
    await expect(load()).resolves.toBeUndefined();
    await consul.deploySpec(spec);

    await expect(load()).resolves.toEqual(spec);
    expect(kvReads()).toBe(2);
  });

  it('serves a cached spec without any Consul call within its age', async () => {
    await consul.deploySpec(spec);
    await load();
    clock += 9_999;

    await load();

    expect(kvReads()).toBe(1);
  });

  it('after its age, re-reads once and keeps the parsed spec when the ModifyIndex did not change', async () => {
    await consul.deploySpec(spec);
    const first = await load();
    clock += 10_000;

    const second = await load();

    expect(second).toBe(first);
    expect(kvReads()).toBe(2);
  });

  it('picks up a new deployment once the cached copy is old enough', async () => {
    await consul.deploySpec(spec);
    await load();
    const scaled = { ...spec, clusters: [{ ...spec.clusters[0], services: [{ ...spec.clusters[0].services[0], desiredCount: 5 }] }] };
    await consul.deploySpec(scaled);

    const stillCached = await load();
    clock += 10_000;
    const fresh = await load();

    expect(stillCached?.clusters[0].services[0].desiredCount).toBe(2);
    expect(fresh?.clusters[0].services[0].desiredCount).toBe(5);
  });

  it('refuses a stored value that is not a valid spec of this mesh, naming the problem', async () => {
    await consul.newClient().kvPut(deployedSpecKey(spec), JSON.stringify({ ...spec, clusters: [] }));
    await expect(load()).rejects.toMatchObject({ name: 'SpecInvalid', issues: [expect.objectContaining({ path: 'clusters' })] });

    await consul.newClient().kvPut(deployedSpecKey(spec), '{not json');
    await expect(load(0)).rejects.toBeInstanceOf(SpecInvalidError);

    await consul.newClient().kvPut(deployedSpecKey(spec), JSON.stringify({ ...spec, name: 'another-mesh' }));
    await expect(load(0)).rejects.toMatchObject({ issues: [expect.objectContaining({ path: 'name' })] });
  });
});
