import type { LocalCloud } from '@consul-mesh/local-cloud';
import { deploy, referenceSpec, startCloud, startDeployment, stopWhenEntered, type RawSpec } from './harness';

/**
 * A deployment that removes a service and is stopped after it stored its spec but before its removal stage: the next
 * deployment of the same spec removes the service. (Found by the convergence property: the ACL step derived the
 * orchestrator's rights from the stored spec alone, which no longer named the service, so the removal stage was
 * refused `Permission denied` on it while its tasks still ran.)
 */
describe('a removal interrupted by a stopped deployment', () => {
  let cloud: LocalCloud;
  beforeAll(async () => {
    cloud = await startCloud();
    const first = await deploy(cloud, referenceSpec());
    expect(first.status).toBe('SUCCEEDED');
  }, 120_000);
  afterAll(async () => {
    await cloud?.stop();
  });

  const withoutActivities = (spec: RawSpec) => void (spec.clusters[0].services = spec.clusters[0].services.filter((s) => s.name !== 'activities'));

  it('is finished by the next deployment: the service, its registrations and its config entry are gone', async () => {
    const spec = referenceSpec(withoutActivities);
    // The services stage starts once ApplyConfigEntries stored the new spec in KV; the removal stage comes later.
    expect(await stopWhenEntered(cloud, await startDeployment(cloud, spec), 'ServiceClusters')).toBe(true);

    const next = await deploy(cloud, spec);
    expect({ status: next.status, error: next.error, cause: next.cause }).toEqual({ status: 'SUCCEEDED', error: undefined, cause: undefined });
    expect(next.output?.removed).toEqual(expect.arrayContaining(['service:cluster-1/activities', 'config-entry:service-defaults/activities']));
    expect(cloud.ecs.services().filter((s) => s.name === 'activities' && s.status === 'ACTIVE')).toEqual([]);
    const catalog = cloud.consul.catalog();
    expect(catalog.services.filter((s) => s.Service.startsWith('activities'))).toEqual([]);
    expect(catalog.configEntries.filter((e) => e.Name === 'activities')).toEqual([]);
  }, 120_000);
});
