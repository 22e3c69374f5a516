import { LocalCloud } from '@consul-mesh/local-cloud';
import { deploy, referenceSpec, ROOT } from './harness';
import { startLocalCloud } from '../../../cli/local-cloud';
import { testCloudOptions } from '../../support/test-cloud';

/**
 * Faults during a deployment end as the design says: retried and succeeding, or failed with the named cause —
 * and a re-run after a failure completes the deployment.
 */
describe('deploying under faults', () => {
  let cloud: LocalCloud;

  beforeAll(async () => {
    cloud = await startLocalCloud({
      ...testCloudOptions(ROOT),
      // Retry intervals at a fifth of AWS's: a step's retries of ConsulUnavailable (2 s, backing off) outlast a short
      // Consul outage here as they do on AWS; at 0 they would all fail within it.
      stepFunctionsTimeScale: 0.2,
      // Long enough that Lambda's async retries of a task event outlive a short Consul outage.
      eventRetryDelaysMs: [400, 800],
    });
  }, 60_000);

  afterEach(() => cloud.faults.reset());
  afterAll(async () => {
    await cloud?.stop();
  });

  it('fails with BuildFailed naming the image and phase when a build fails, and a re-run then completes', async () => {
    cloud.faults.set({ failBuilds: true, failBuildReason: 'injected: registry unreachable' });
    const failed = await deploy(cloud, referenceSpec());
    expect(failed.status).toBe('FAILED');
    expect(failed.error).toBe('BuildFailed');
    const cause = JSON.parse(failed.cause!);
    expect(cause).toMatchObject({ stage: 'build', error: 'BuildFailed' });
    expect(cause.message).toMatch(/^image build for [a-z-]+ ended FAILED in phase BUILD: .*injected: registry unreachable/);
    expect(failed.states).toContain('RecordFailure');
    expect(failed.states).not.toContain('ServersEnsure');

    cloud.faults.reset();
    const rerun = await deploy(cloud, referenceSpec());
    expect(rerun.status).toBe('SUCCEEDED');
  }, 120_000);

  it('fails with DeploymentFailed and the ECS stopped reason when a service image crashes', async () => {
    const failed = await deploy(
      cloud,
      referenceSpec((spec) => {
        delete spec.clusters[0].services[1].build;
        spec.clusters[0].services[1].image = 'activities:fail-crash';
      }),
    );
    expect(failed.status).toBe('FAILED');
    expect(failed.error).toBe('DeploymentFailed');
    const cause = JSON.parse(failed.cause!);
    expect(cause).toMatchObject({ stage: 'services', error: 'DeploymentFailed', service: 'activities' });
    expect(`${cause.message} ${cause.detail ?? ''}`).toMatch(/EssentialContainerExited|Essential container in task exited/);
  }, 120_000);

  it('absorbs injected throttling of ECS and SSM through the SDK retries', async () => {
    cloud.faults.set({ throttleShare: 0.25, throttleTargets: ['AmazonEC2ContainerServiceV20141113', 'AmazonSSM'] });
    const run = await deploy(cloud, referenceSpec());
    expect({ status: run.status, cause: run.cause }).toEqual({ status: 'SUCCEEDED', cause: undefined });
    expect(Object.values(cloud.aws.throttledCounts()).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  }, 120_000);

  it('rides out a Consul outage while tasks change: events are retried, the stage waits, the deployment succeeds', async () => {
    const spec = referenceSpec((s) => {
      s.clusters[0].services[0].desiredCount = 3;
    });
    const running = deploy(cloud, spec);
    await new Promise((r) => setTimeout(r, 150));
    cloud.faults.takeConsulDown(600);
    const run = await running;
    expect({ status: run.status, cause: run.cause }).toEqual({ status: 'SUCCEEDED', cause: undefined });
  }, 120_000);
});
