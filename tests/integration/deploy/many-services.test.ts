import type { LocalCloud } from '@consul-mesh/local-cloud';
import { deploy, referenceSpec, startCloud, type RawService } from './harness';

/**
 * A cluster with more services than one DescribeServices call takes (ECS: at most 10, and the local ECS refuses
 * more as ECS does). The stage check, the summary and the plan must describe them in batches.
 */
describe('deploying a cluster of 12 services', () => {
  let cloud: LocalCloud;

  beforeAll(async () => {
    cloud = await startCloud();
  }, 60_000);

  afterAll(async () => {
    await cloud?.stop();
  });

  const twelve = (raw: Parameters<NonNullable<Parameters<typeof referenceSpec>[0]>>[0]) => {
    const services: RawService[] = Array.from({ length: 12 }, (_, i) => ({
      name: `svc${String(i).padStart(2, '0')}`,
      image: `public.ecr.aws/example/svc${i}:1.0.0`,
      port: 8080,
      protocol: 'http',
      desiredCount: 1,
    }));
    // cluster-1: a cluster of the stack's meshSpec (examples/mesh.yaml), whose task events the rule delivers.
    raw.clusters = [{ name: 'cluster-1', services }];
    raw.intentions = [{ source: 'ingress-gateway', destination: 'svc00', action: 'allow' }];
  };

  it('deploys to SUCCEEDED with every service running, and redeploys the same spec without a change', async () => {
    const first = await deploy(cloud, referenceSpec(twelve), { timeoutMs: 120_000 });
    expect({ status: first.status, error: first.error, cause: first.cause }).toEqual({ status: 'SUCCEEDED', error: undefined, cause: undefined });
    const big = first.output!.clusters.find((c) => c.cluster === 'cluster-1')!;
    expect(big.services.map((s) => `${s.name}:${s.runningCount}/${s.desiredCount}:${s.tasks.filter((t) => t.passing).length}`)).toEqual(
      Array.from({ length: 12 }, (_, i) => `svc${String(i).padStart(2, '0')}:1/1:1`),
    );

    const again = await deploy(cloud, referenceSpec(twelve), { timeoutMs: 120_000 });
    expect(again.status).toBe('SUCCEEDED');
    expect(again.output!.noChange).toBe(true);
  }, 240_000);
});
