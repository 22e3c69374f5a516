import { ECSClient, StopTaskCommand } from '@aws-sdk/client-ecs';
import { LocalCloud } from '@consul-mesh/local-cloud';
import { bootstrapTokenOf, deploy, ROOT, startCloud } from './harness';
import { withContentHashes } from '../../../layers/build-context';
import { startLocalCloud } from '../../../cli/local-cloud';

/**
 * A mesh with any name and clusters other than the example's: the local orchestrator manages the mesh it is started
 * for (serverless.yml's `meshName` parameter, one stack per mesh as on AWS), and its task events reach the handler.
 */
const SHOP = {
  name: 'shop',
  consul: { servers: { count: 1, cluster: 'shop-consul' }, dataplane: { build: { context: 'docker/consul-dataplane' } } },
  clusters: [
    { name: 'storefront', services: [{ name: 'web', image: 'web:3.1.0', port: 8080, desiredCount: 2, upstreams: [{ service: 'cart', localBindPort: 1234 }] }] },
    { name: 'checkout', services: [{ name: 'cart', image: 'cart:0.9.1', port: 9090 }] },
  ],
};

describe('a mesh named other than the example', () => {
  let cloud: LocalCloud;
  beforeAll(async () => {
    cloud = await startCloud({ meshName: 'shop' });
  }, 60_000);
  afterAll(async () => {
    await cloud?.stop();
  });

  it('deploys, registers its tasks by events and deregisters a stopped one at once', async () => {
    const run = await deploy(cloud, withContentHashes(SHOP, ROOT) as Record<string, unknown>);
    expect({ status: run.status, cause: run.cause }).toEqual({ status: 'SUCCEEDED', cause: undefined });

    const token = await bootstrapTokenOf(cloud, 'shop');
    const instances = async () =>
      (await (await fetch(`${cloud.endpoints.consul}/v1/catalog/service/web`, { headers: { 'X-Consul-Token': token } })).json()) as Array<{ Node: string; ServiceID: string }>;
    expect((await instances()).map((i) => i.Node)).toEqual(['storefront', 'storefront']);

    const [task] = cloud.ecs.runningTasks('storefront');
    const ecs = new ECSClient({ endpoint: cloud.endpoints.aws, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    await ecs.send(new StopTaskCommand({ cluster: 'storefront', task: task.taskArn, reason: 'stopped by a test' }));
    ecs.destroy();
    // ECS replaces the task at once; the stopped one's instance must go, by the event path, within seconds.
    const stoppedId = `web-${task.taskArn.slice(task.taskArn.lastIndexOf('/') + 1)}`;
    const deadline = Date.now() + 5_000;
    while ((await instances()).some((i) => i.ServiceID === stoppedId) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect((await instances()).map((i) => i.ServiceID)).not.toContain(stoppedId);
  }, 90_000);

  it('refuses a name that is not a DNS label before anything starts', async () => {
    await expect(startLocalCloud({ rootDir: ROOT, meshName: 'Shop_1', ports: { aws: 0, consul: 0, httpApi: 0 } })).rejects.toThrow(/not a mesh name: "Shop_1"/);
  });
});
