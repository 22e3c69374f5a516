import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { startConsulServer, type ConsulServer } from '../../../../local/consul';
import { checkDataplane } from '../../../../local/task-processes/dataplane';
import { renderDataplaneConfig } from '../../../../layers/domain/consul/dataplane-config';
import { serverHttpAddress } from '../../../../layers/domain/consul/server-names';
import { loadMeshSpec } from '../../../../layers/domain/spec';

const SCRIPT = resolve('docker/consul-dataplane/entrypoint.sh');
const TASK = { taskArn: 'arn:aws:ecs:us-east-1:000000000000:task/cluster-1/0123456789abcdef0123456789abcdef', clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/cluster-1' };

/** The consul-dataplane container's process, from its real entrypoint, against the local Consul's answers. */
describe('the consul-dataplane stand-in', () => {
  const spec = loadMeshSpec('examples/mesh.yaml');
  const usersSecret = randomUUID();
  const todosSecret = randomUUID();
  let consul: ConsulServer;

  beforeAll(async () => {
    consul = await startConsulServer({ port: 0, acl: { enabled: true, managementToken: 'root' } });
    const put = (path: string, body: unknown) => fetch(`${consul.url}${path}`, { method: 'PUT', body: JSON.stringify(body), headers: { 'X-Consul-Token': 'root' } });
    await put('/v1/acl/token', { SecretID: usersSecret, ServiceIdentities: [{ ServiceName: 'users' }] });
    await put('/v1/acl/token', { SecretID: todosSecret, ServiceIdentities: [{ ServiceName: 'todos' }] });
    await put('/v1/catalog/register', {
      Node: 'cluster-1',
      Address: '10.0.0.1',
      Service: { Kind: 'connect-proxy', ID: 'users-0123456789abcdef0123456789abcdef-sidecar-proxy', Service: 'users-sidecar-proxy', Port: 20000, Proxy: { DestinationServiceName: 'users' } },
    });
  });

  afterAll(async () => {
    await consul.close();
  });

  const plainSpec = { ...spec, consul: { ...spec.consul, security: { ...spec.consul.security, tls: { ...spec.consul.security.tls, enabled: false } } } };
  /** The dataplane container's environment as the task definition gives it (buildDataplaneLaunch), TLS off. */
  const environment = (overrides: Record<string, string> = {}) => ({
    CONSUL_CONFIG: renderDataplaneConfig(plainSpec, { kind: 'service', name: 'users' }),
    CONSUL_SERVICE_NAME: 'users',
    CONSUL_PROXY_KIND: 'connect-proxy',
    CONSUL_NODE_NAME: 'cluster-1',
    CONSUL_HTTP_ADDR: serverHttpAddress(plainSpec),
    CONSUL_REGISTRATION_TIMEOUT_SECONDS: '1',
    CONSUL_DATAPLANE_TOKEN: usersSecret,
    ...overrides,
  });
  const deps = (readyTimeoutMs = 200) => ({
    access: (secret: string, node: string, proxyId: string) => consul.dataplaneAccess(secret, node, proxyId),
    consulHttpUrl: consul.url,
    readyTimeoutMs,
    stillRunning: () => true,
    task: TASK,
  });
  const register = (taskId: string) =>
    fetch(`${consul.url}/v1/catalog/register`, {
      method: 'PUT',
      headers: { 'X-Consul-Token': 'root' },
      body: JSON.stringify({
        Node: 'cluster-1',
        Address: '10.0.0.1',
        Service: { Kind: 'connect-proxy', ID: `users-${taskId}-sidecar-proxy`, Service: 'users-sidecar-proxy', Port: 20000, Proxy: { DestinationServiceName: 'users' } },
      }),
    });
  const task = (taskId: string) => ({ taskArn: `arn:aws:ecs:us-east-1:000000000000:task/cluster-1/${taskId}`, clusterArn: TASK.clusterArn });

  it('is served its proxy with its own token: the proxy ID comes from the task metadata endpoint', async () => {
    expect(await checkDataplane(SCRIPT, environment(), deps())).toBeUndefined();
  });

  it('exits 1 with a token Consul does not know: its one bootstrap call is refused', async () => {
    expect(await checkDataplane(SCRIPT, environment({ CONSUL_DATAPLANE_TOKEN: randomUUID() }), deps())).toEqual({
      exitCode: 1,
      reason: 'failed to get bootstrap config: failed to get envoy bootstrap params: rpc error: code = PermissionDenied desc = ACL not found',
    });
  });

  it('is never ready with another service\'s token: the proxy stream needs service:write on its destination', async () => {
    const verdict = await checkDataplane(SCRIPT, environment({ CONSUL_DATAPLANE_TOKEN: todosSecret }), deps());
    expect(verdict).toEqual({ unhealthy: true, reason: expect.stringMatching(/lacks permission 'service:write' on "users"$/) });
  });

  it('waits in its entrypoint until its proxy is registered, then is served', async () => {
    const taskId = 'a0000000000000000000000000000001';
    const started = Date.now();
    const registering = new Promise((r) => setTimeout(r, 400)).then(() => register(taskId));
    const verdict = await checkDataplane(SCRIPT, environment({ CONSUL_REGISTRATION_TIMEOUT_SECONDS: '20' }), { ...deps(), task: task(taskId) });
    await registering;
    expect(verdict).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    // Started as soon as the registration appeared, well before its 20 s timeout.
    expect(Date.now() - started).toBeLessThan(10_000);
  }, 30_000);

  it('gives up with exit code 69 and says so when its proxy is not registered in time', async () => {
    const verdict = await checkDataplane(SCRIPT, environment({ CONSUL_SERVICE_NAME: 'todos', CONSUL_DATAPLANE_TOKEN: todosSecret }), deps());
    expect(verdict).toEqual({
      exitCode: 69,
      reason: expect.stringMatching(/^error: proxy todos-0123456789abcdef0123456789abcdef-sidecar-proxy is not registered on node cluster-1 after 1s: not starting consul-dataplane/),
    });
  }, 30_000);

  it('exits 1 when its proxy is not registered at its one bootstrap call, as consul-dataplane does (no retry)', async () => {
    // The entrypoint found the proxy, and it was gone by the time consul-dataplane asked.
    const gone = (secret: string, node: string, proxyId: string) => ({ ok: false as const, stage: 'unregistered' as const, error: `rpc error: code = NotFound desc = proxy service "${proxyId}" is not registered on node "${node}"` });
    const verdict = await checkDataplane(SCRIPT, environment(), { ...deps(5_000), access: gone });
    expect(verdict).toEqual({
      exitCode: 1,
      reason: 'failed to get bootstrap config: failed to get envoy bootstrap params: rpc error: code = NotFound desc = proxy service "users-0123456789abcdef0123456789abcdef-sidecar-proxy" is not registered on node "cluster-1"',
    });
  });

  it('does not find the servers at an address other than theirs, and gives up naming it', async () => {
    const verdict = await checkDataplane(SCRIPT, environment({ CONSUL_HTTP_ADDR: 'http://127.0.0.1:1' }), deps());
    expect(verdict).toEqual({ exitCode: 69, reason: expect.stringContaining('(last: no answer from http://127.0.0.1:1)') });
  }, 30_000);

  it('exits 1 without the servers\' HTTP address to wait on', async () => {
    const { CONSUL_HTTP_ADDR: _omitted, ...env } = environment();
    expect(await checkDataplane(SCRIPT, env, deps())).toEqual({ exitCode: 1, reason: expect.stringMatching(/^error: CONSUL_HTTP_ADDR is empty/) });
  });

  it('stops waiting, and leaves no process behind, when its task stops', async () => {
    let running = true;
    setTimeout(() => (running = false), 300);
    const started = Date.now();
    const verdict = await checkDataplane(SCRIPT, environment({ CONSUL_REGISTRATION_TIMEOUT_SECONDS: '60', CONSUL_SERVICE_NAME: 'todos', CONSUL_DATAPLANE_TOKEN: todosSecret }), {
      ...deps(),
      stillRunning: () => running,
    });
    expect(verdict).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(3_000);
    // Its catalog reads name the proxy: none is left running (the script's process group was killed).
    await new Promise((r) => setTimeout(r, 100));
    expect(execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })).not.toContain('todos-0123456789abcdef0123456789abcdef-sidecar-proxy');
  }, 30_000);

  it('exits 1 when its configuration has a value of the wrong type, as Go\'s JSON decoding fails', async () => {
    const config = JSON.parse(environment().CONSUL_CONFIG);
    config.consul.grpcPort = '8502';
    const verdict = await checkDataplane(SCRIPT, environment({ CONSUL_CONFIG: JSON.stringify(config) }), deps());
    expect(verdict).toEqual({ exitCode: 1, reason: 'failed to build dataplane config: json: cannot unmarshal string into Go struct field .consul.grpcPort of type int' });
  });

  it('exits 1 with the entrypoint\'s error when the configuration is not JSON', async () => {
    expect(await checkDataplane(SCRIPT, environment({ CONSUL_CONFIG: 'consul { }' }), deps())).toEqual({ exitCode: 1, reason: expect.stringMatching(/^error: CONSUL_CONFIG is not a JSON object/) });
  });
});
