import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { startConsulServer, type ConsulServer } from '../../../../local/consul';
import { checkDataplane } from '../../../../local/task-processes/dataplane';
import { renderDataplaneConfig } from '../../../../layers/domain/consul/dataplane-config';
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

  const environment = (overrides: Record<string, string> = {}) => ({
    CONSUL_CONFIG: renderDataplaneConfig({ ...spec, consul: { ...spec.consul, security: { ...spec.consul.security, tls: { ...spec.consul.security.tls, enabled: false } } } }, { kind: 'service', name: 'users' }),
    CONSUL_SERVICE_NAME: 'users',
    CONSUL_PROXY_KIND: 'connect-proxy',
    CONSUL_NODE_NAME: 'cluster-1',
    CONSUL_DATAPLANE_TOKEN: usersSecret,
    ...overrides,
  });
  const deps = (readyTimeoutMs = 200) => ({
    access: (secret: string, node: string, proxyId: string) => consul.dataplaneAccess(secret, node, proxyId),
    readyTimeoutMs,
    stillRunning: () => true,
    task: TASK,
  });

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

  it('is never ready while its proxy is not registered', async () => {
    const verdict = await checkDataplane(SCRIPT, environment({ CONSUL_SERVICE_NAME: 'todos', CONSUL_DATAPLANE_TOKEN: todosSecret }), deps());
    expect(verdict).toEqual({ unhealthy: true, reason: expect.stringMatching(/NotFound desc = proxy service "todos-0123456789abcdef0123456789abcdef-sidecar-proxy" is not registered on node "cluster-1"$/) });
  });

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
