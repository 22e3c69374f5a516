/**
 * The reference mesh deployed through the deploy state machine, then the local cloud restarted on the same data
 * directory: every ECS service runs its desired count again (fresh tasks), the Consul servers regain a leader with
 * the restored ACL bootstrap token, the deployment is still listed with its outcome, and deploying the same spec
 * again finds nothing to change (images, config, task definitions and services all came back).
 */
import { DescribeServicesCommand, ListClustersCommand, ListServicesCommand } from '@aws-sdk/client-ecs';
import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import type { LocalCloud } from '../../../../local/cloud';
import { deploy, referenceSpec } from '../../deploy/harness';
import { clientsFor, portsOf, startPersistentCloud, tempDir, waitFor, type Clients } from './harness';

const BOOTSTRAP_TOKEN = '/consul-mesh/reference-mesh/secrets/acl/bootstrap-token';
const dir = tempDir('local-cloud-mesh-');
let cloud: LocalCloud | undefined;
let clients: Clients | undefined;

afterAll(async () => {
  clients?.destroy();
  await cloud?.stop();
  dir.remove();
});

/** `cluster/service:running/desired` of every service, once all are stable. */
async function stableServices(c: Clients): Promise<string[]> {
  return waitFor(
    'every service to be stable',
    async () => {
      const lines: string[] = [];
      for (const cluster of (await c.ecs.send(new ListClustersCommand({}))).clusterArns ?? []) {
        const { serviceArns } = await c.ecs.send(new ListServicesCommand({ cluster }));
        if (!serviceArns?.length) continue;
        const { services } = await c.ecs.send(new DescribeServicesCommand({ cluster, services: serviceArns }));
        for (const s of services ?? []) {
          if (s.deployments?.length !== 1 || s.runningCount !== s.desiredCount) return undefined;
          lines.push(`${cluster.split('/').pop()}/${s.serviceName}:${s.runningCount}/${s.desiredCount}`);
        }
      }
      return lines.sort();
    },
    20_000,
  );
}

/** `name:status` of the deploy state machine's executions (what `GET /deployments` lists). */
async function deployments(target: LocalCloud, c: Clients): Promise<string[]> {
  const { executions } = await c.sfn.send(new ListExecutionsCommand({ stateMachineArn: target.stateMachines.deployMesh }));
  return (executions ?? []).map((e) => `${e.name}:${e.status}`);
}

it('comes back running after a restart, and a redeploy of the same spec changes nothing but the stale registrations', async () => {
  cloud = await startPersistentCloud(dir.path);
  const first = await deploy(cloud, referenceSpec());
  expect(first.status).toBe('SUCCEEDED');
  clients = clientsFor(cloud);
  const before = await stableServices(clients);
  const deploymentsBefore = await deployments(cloud, clients);
  const ports = portsOf(cloud);
  clients.destroy();
  await cloud.stop();

  cloud = await startPersistentCloud(dir.path, { ports });
  clients = clientsFor(cloud);
  const after = await stableServices(clients);
  const deploymentsAfter = await deployments(cloud, clients);
  const { Parameter } = await clients.ssm.send(new GetParameterCommand({ Name: BOOTSTRAP_TOKEN, WithDecryption: true }));
  const consul = cloud.endpoints.consul;
  const leader = await waitFor('a Consul leader', async () => ((await (await fetch(`${consul}/v1/status/leader`)).json()) as string) || undefined);
  const catalog = await fetch(`${consul}/v1/catalog/services`, { headers: { 'X-Consul-Token': Parameter!.Value! } });
  const again = await deploy(cloud, referenceSpec());

  expect(after).toEqual(before);
  expect(deploymentsAfter).toEqual(deploymentsBefore);
  expect(deploymentsAfter).toEqual([expect.stringMatching(/:SUCCEEDED$/)]);
  expect(leader).toMatch(/^10\.\d+\.\d+\.\d+:8300$/);
  expect(catalog.status).toBe(200);
  expect(Object.keys((await catalog.json()) as Record<string, unknown>)).toEqual(expect.arrayContaining(['users', 'todos', 'ingress-gateway']));
  expect({ status: again.status, cause: again.cause }).toEqual({ status: 'SUCCEEDED', cause: undefined });
  // Nothing of the spec changes (no service, no image), but the catalog still listed the tasks that ran before the
  // restart: the deployment repairs that and says so, instead of reporting that everything already matched.
  expect(again.output!.clusters.flatMap((c) => c.services).filter((svc) => svc.action !== 'unchanged')).toEqual([]);
  expect(again.output!.images.filter((i) => i.built)).toEqual([]);
  expect(again.output!.repaired!.deregistered).toBeGreaterThan(0);
  expect(again.output!.noChange).toBe(false);
}, 90_000);
