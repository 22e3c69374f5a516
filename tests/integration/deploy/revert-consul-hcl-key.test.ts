import type { LocalCloud } from '@consul-mesh/local-cloud';
import { deploy, referenceSpec, startCloud } from './harness';
import { stoppedTasks } from './stopped-tasks';

/**
 * The local cloud runs stand-ins of the processes inside the tasks (local/task-processes). This reverts the server
 * configuration to one with a key where Consul does not accept it (`verify_server_hostname` under `tls.defaults`;
 * since Consul 1.12 it belongs to `tls.internal_rpc`) and watches the deployment fail as on AWS: the agent refuses
 * its configuration and exits 1, ECS stops the task, the circuit breaker trips at the servers.
 */
jest.mock('../../../layers/domain/consul/server-hcl', () => {
  const actual = jest.requireActual('../../../layers/domain/consul/server-hcl');
  return {
    ...actual,
    renderServerHcl: (...args: unknown[]) => (actual.renderServerHcl(...args) as string).replace(/(\n\s*defaults \{\n)/, '$1      verify_server_hostname = true\n'),
  };
});

describe('reverted: consul.hcl sets a key Consul does not know there', () => {
  let cloud: LocalCloud;

  beforeAll(async () => {
    cloud = await startCloud();
  }, 60_000);

  afterAll(async () => {
    await cloud?.stop();
  });

  it('stops every server task with the agent\'s exit code, and fails the deployment at the servers', async () => {
    // A server whose agent refuses its configuration never joins Raft: no moment may show a leader.
    const leaders = new Set<string>();
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const leader = (await (await fetch(`${cloud.endpoints.consul}/v1/status/leader`)).json()) as string;
        if (leader) leaders.add(leader);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    const run = await deploy(cloud, referenceSpec(), { timeoutMs: 90_000 });
    sampling = false;
    await sampler;
    expect([...leaders]).toEqual([]);

    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('DeploymentFailed');
    const cause = JSON.parse(run.cause!);
    expect(cause).toMatchObject({ stage: 'servers', service: 'consul-server' });
    expect(cause.message).toMatch(/container consul-server exited with code 1/);
    const tasks = await stoppedTasks(cloud, 'consul-server');
    expect(tasks.length).toBeGreaterThan(0);
    expect(tasks[0]).toMatchObject({ stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited' });
    expect(tasks[0].containers?.[0].exitCode).toBe(1);
    expect(tasks[0].containers?.[0].reason).toMatch(/^==> failed to parse \/consul\/config\/consul\.hcl: 1 error occurred:\n\t\* invalid config key tls\.defaults\.verify_server_hostname/);
  }, 120_000);
});
