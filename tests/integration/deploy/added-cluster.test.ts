import type { LocalCloud } from '@consul-mesh/local-cloud';
import { createAwsCli, type AwsCli } from '../../e2e/aws-cli/cli';
import { bootstrapTokenOf, deploy, referenceSpec, startCloud } from './harness';

/**
 * Task events follow the deployed spec, not the file `serverless package` saw: a cluster that a later deployment adds
 * (here `cluster-3`, unknown to examples/mesh.yaml) gets its stopped tasks deregistered by the event path within
 * seconds. The reconcile's schedule is disabled first, so nothing else can do it.
 */
describe('a cluster added to a deployed mesh', () => {
  let cloud: LocalCloud;
  let aws: AwsCli;

  beforeAll(async () => {
    cloud = await startCloud();
    aws = createAwsCli(cloud.endpoints.aws);
  }, 60_000);
  afterAll(async () => {
    aws?.cleanup();
    await cloud?.stop();
  });

  async function instances(service: string): Promise<string[]> {
    const response = await fetch(`${cloud.endpoints.consul}/v1/catalog/service/${service}`, { headers: { 'X-Consul-Token': await bootstrapTokenOf(cloud) } });
    return ((await response.json()) as Array<{ ServiceMeta: { 'task-arn'?: string; taskArn?: string } }>).map((s) => JSON.stringify(s.ServiceMeta));
  }

  it('gets its stopped tasks deregistered by the event path in seconds, without the reconcile', async () => {
    expect((await deploy(cloud, referenceSpec())).status).toBe('SUCCEEDED');
    const { Rules: rules } = (await aws.ok(['events', 'list-rules'])) as { Rules: Array<{ Name: string; ScheduleExpression?: string }> };
    for (const rule of rules.filter((r) => r.ScheduleExpression)) await aws.ok(['events', 'disable-rule', '--name', rule.Name]);

    const grown = await deploy(
      cloud,
      referenceSpec((spec) => {
        spec.clusters.push({ name: 'cluster-3', services: [{ name: 'billing', image: 'billing:1.2.0', port: 8080, desiredCount: 2 }] });
      }),
    );
    expect({ status: grown.status, cause: grown.cause }).toEqual({ status: 'SUCCEEDED', cause: undefined });
    const { taskArns } = (await aws.ok(['ecs', 'list-tasks', '--cluster', 'cluster-3', '--service-name', 'billing'])) as { taskArns: string[] };
    expect(taskArns).toHaveLength(2);
    expect(await instances('billing')).toHaveLength(2);

    const stopped = taskArns[0];
    await aws.ok(['ecs', 'stop-task', '--cluster', 'cluster-3', '--task', stopped, '--reason', 'stopped by hand']);
    const deadline = Date.now() + 5_000;
    let left = await instances('billing');
    while (left.some((meta) => meta.includes(stopped)) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      left = await instances('billing');
    }
    expect(left.filter((meta) => meta.includes(stopped))).toEqual([]);
  }, 120_000);
});
