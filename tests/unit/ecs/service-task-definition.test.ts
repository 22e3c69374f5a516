import { buildServiceTaskDefinition, durationSeconds, ImageNotResolvedError } from '../../../layers/domain/ecs';
import { buildDataplaneConfig, buildDataplaneLaunch } from '../../../layers/domain/consul';
import { secretParameterNames, TAG } from '../../../layers/domain/naming';
import { NotFoundError } from '../../../layers/errors';
import type { ServiceSpec } from '../../../layers/domain/spec';
import { contextFor, referenceSpec, specFrom } from './support';

const ssm = 'arn:aws:ssm:us-east-1:111122223333:parameter';

function oneService(service: Partial<ServiceSpec> & { name: string }) {
  return specFrom({ name: 'shop', clusters: [{ name: 'c1', services: [{ image: `${service.name}:1.0.0`, port: 8080, ...service }] }] });
}

describe('buildServiceTaskDefinition', () => {
  const spec = referenceSpec();
  const ctx = contextFor(spec);
  const td = buildServiceTaskDefinition(spec, 'users', ctx);
  const [app, dataplane] = td.containerDefinitions ?? [];

  it('runs the app and its consul-dataplane sidecar in the family <mesh>-<service>', () => {
    expect(td.family).toBe('reference-mesh-users');
    expect(td.containerDefinitions?.map((c) => c.name)).toEqual(['users', 'consul-dataplane']);
    expect(td).toMatchObject({ cpu: '256', memory: '512', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'] });
  });

  it('maps the app port and has the sidecar accept mTLS on port 20000', () => {
    expect(app.portMappings).toEqual([{ containerPort: 8080, hostPort: 8080, protocol: 'tcp' }]);
    expect(dataplane.portMappings).toEqual([{ containerPort: 20000, hostPort: 20000, protocol: 'tcp' }]);
  });

  it('starts the app only once the proxy is HEALTHY', () => {
    expect(app.dependsOn).toEqual([{ containerName: 'consul-dataplane', condition: 'HEALTHY' }]);
    expect(dataplane.dependsOn).toBeUndefined();
    expect(app.essential && dataplane.essential).toBe(true);
  });

  it('checks the app with busybox wget (in the sample images; curl is not) on its health path, durations in seconds', () => {
    expect(app.healthCheck).toEqual({
      command: ['CMD-SHELL', "wget -q -T 3 -O /dev/null 'http://127.0.0.1:8080/health' || exit 1"],
      interval: 5,
      timeout: 3,
      retries: 3,
      startPeriod: 10,
    });
  });

  it('checks the dataplane on Envoy readiness, where the rendered dataplane configuration binds it', () => {
    expect(dataplane.healthCheck?.command).toEqual(['CMD-SHELL', 'curl -sf http://127.0.0.1:22000/ready > /dev/null || exit 1']);
    const envoy = buildDataplaneConfig(spec, { kind: 'service', name: 'users' }).envoy;
    expect(dataplane.healthCheck?.command?.[1]).toContain(`http://${envoy.readyBindAddress}:${envoy.readyBindPort}/ready`);
  });

  it('starts counting the dataplane\'s failed checks only after its entrypoint\'s wait for the registration and Envoy\'s start', () => {
    const wait = Number(dataplane.environment?.find((e) => e.name === 'CONSUL_REGISTRATION_TIMEOUT_SECONDS')?.value);
    expect(wait).toBe(120);
    expect(dataplane.healthCheck).toMatchObject({ interval: 5, timeout: 2, retries: 3, startPeriod: 150 });
    expect(dataplane.healthCheck!.startPeriod!).toBeGreaterThan(wait);
    expect(dataplane.healthCheck!.startPeriod!).toBeLessThanOrEqual(300);
  });

  it('gives the dataplane its config parameter by name and by secret, the service, its kind, its node, the CA and its ACL token', () => {
    expect(dataplane.environment).toEqual([
      { name: 'CONSUL_CONFIG_PARAMETER', value: '/consul-mesh/reference-mesh/config/dataplane/users.json' },
      { name: 'CONSUL_HTTP_ADDR', value: 'https://consul-server.reference-mesh.internal:8501' },
      { name: 'CONSUL_NODE_NAME', value: 'cluster-1' },
      { name: 'CONSUL_PROXY_KIND', value: 'connect-proxy' },
      { name: 'CONSUL_REGISTRATION_TIMEOUT_SECONDS', value: '120' },
      { name: 'CONSUL_SERVICE_NAME', value: 'users' },
    ]);
    expect(dataplane.secrets).toEqual([
      { name: 'CONSUL_CA_CERT', valueFrom: `${ssm}${secretParameterNames(spec).caCert}` },
      { name: 'CONSUL_CONFIG', valueFrom: `${ssm}/consul-mesh/reference-mesh/config/dataplane/users.json` },
      { name: 'CONSUL_DATAPLANE_TOKEN', valueFrom: `${ssm}/consul-mesh/reference-mesh/secrets/acl/dataplane/users` },
    ]);
    expect(dataplane.image).toBe(ctx.images['consul-dataplane']);
  });

  it('takes the dataplane\'s environment and secrets from the consul layer\'s launch contract, under the configured SSM root', () => {
    const launch = buildDataplaneLaunch(spec, { kind: 'service', name: 'users' });
    expect(dataplane.environment?.map((e) => e.name).sort()).toEqual(launch.environment.map((e) => e.name).sort());
    expect(dataplane.secrets?.map((s) => s.name).sort()).toEqual(launch.secrets.map((s) => s.name).sort());
    const [, rooted] = buildServiceTaskDefinition(spec, 'users', { ...ctx, ssmRoot: '/orchestrator', configHashes: { users: 'beef' } }).containerDefinitions ?? [];
    expect(rooted.secrets?.find((s) => s.name === 'CONSUL_CONFIG')?.valueFrom).toBe(`${ssm}/orchestrator/reference-mesh/config/dataplane/users.json`);
    expect(rooted.environment).toContainEqual({ name: 'CONSUL_CONFIG_HASH', value: 'beef' });
  });

  it('sorts the app env by name and turns secrets into SSM ARNs', () => {
    const s = oneService({ name: 'api', env: { ZED: '1', ALPHA: '2', MIDDLE: '3' }, secrets: { DB_PASSWORD: '/shop/db/password', API_KEY: '/shop/api-key' } });
    const [c] = buildServiceTaskDefinition(s, 'api', contextFor(s)).containerDefinitions ?? [];
    expect(c.environment?.map((e) => e.name)).toEqual(['ALPHA', 'MIDDLE', 'ZED']);
    expect(c.secrets).toEqual([
      { name: 'API_KEY', valueFrom: `${ssm}/shop/api-key` },
      { name: 'DB_PASSWORD', valueFrom: `${ssm}/shop/db/password` },
    ]);
  });

  it('leaves env and secrets out of the app container when the spec has none', () => {
    expect(app.environment).toBeUndefined();
    expect(app.secrets).toBeUndefined();
  });

  it('logs each container with awslogs under the service prefix', () => {
    expect(app.logConfiguration?.options?.['awslogs-stream-prefix']).toBe('users');
    expect(dataplane.logConfiguration?.logDriver).toBe('awslogs');
  });

  it('tags the mesh, role=service and the service name', () => {
    const tags = Object.fromEntries((td.tags ?? []).map((t) => [t.key, t.value]));
    expect(tags).toMatchObject({ [TAG.mesh]: 'reference-mesh', [TAG.role]: 'service', [TAG.service]: 'users' });
  });

  it('converts and clamps durations to what ECS accepts', () => {
    expect(durationSeconds('250ms')).toBe(1);
    expect(durationSeconds('1m')).toBe(60);
    expect(() => durationSeconds('soon')).toThrow(RangeError);
    const s = oneService({ name: 'api', healthCheck: { path: '/h', interval: '250ms', timeout: '90s', retries: 10, startPeriodSeconds: 300 } });
    const [c] = buildServiceTaskDefinition(s, 'api', contextFor(s)).containerDefinitions ?? [];
    expect(c.healthCheck).toMatchObject({ interval: 5, timeout: 60, retries: 10, startPeriod: 300 });
  });

  it('quotes the health path for the shell', () => {
    const s = oneService({ name: 'api', healthCheck: { path: "/it's; rm -rf /", interval: '5s', timeout: '3s', retries: 3, startPeriodSeconds: 10 } });
    const [c] = buildServiceTaskDefinition(s, 'api', contextFor(s)).containerDefinitions ?? [];
    expect(c.healthCheck?.command?.[1]).toBe("wget -q -T 3 -O /dev/null 'http://127.0.0.1:8080/it'\\''s; rm -rf /' || exit 1");
  });

  it('runs the command the spec gives for its own image, as ECS takes it, with the spec\'s timings', () => {
    const exec = oneService({ name: 'api', healthCheck: { path: '/h', command: ['CMD', '/app/healthcheck', '--port', '8080'], interval: '10s', timeout: '4s', retries: 2, startPeriodSeconds: 20 } });
    const [c] = buildServiceTaskDefinition(exec, 'api', contextFor(exec)).containerDefinitions ?? [];
    expect(c.healthCheck).toEqual({ command: ['CMD', '/app/healthcheck', '--port', '8080'], interval: 10, timeout: 4, retries: 2, startPeriod: 20 });
    const shell = oneService({ name: 'api', protocol: 'grpc', healthCheck: { path: '/h', command: ['CMD-SHELL', 'grpc_health_probe -addr=:8080'], interval: '5s', timeout: '3s', retries: 3, startPeriodSeconds: 10 } });
    const [g] = buildServiceTaskDefinition(shell, 'api', contextFor(shell)).containerDefinitions ?? [];
    expect(g.healthCheck?.command).toEqual(['CMD-SHELL', 'grpc_health_probe -addr=:8080']);
  });

  it('probes gRPC and TCP services with a TCP connect instead of an HTTP path', () => {
    for (const protocol of ['grpc', 'tcp'] as const) {
      const s = oneService({ name: 'api', protocol });
      const [c] = buildServiceTaskDefinition(s, 'api', contextFor(s)).containerDefinitions ?? [];
      expect(c.healthCheck?.command).toEqual(['CMD-SHELL', 'nc -z 127.0.0.1 8080 || exit 1']);
    }
  });

  it('renames the app container of a service called like the dataplane container', () => {
    const s = oneService({ name: 'consul-dataplane' });
    const names = buildServiceTaskDefinition(s, 'consul-dataplane', contextFor(s)).containerDefinitions?.map((c) => c.name);
    expect(names).toEqual(['consul-dataplane-app', 'consul-dataplane']);
  });

  it('uses the spec image when the build stage resolved none, and refuses an unresolved build', () => {
    const s = oneService({ name: 'api' });
    const ctxNoApp = contextFor(s);
    delete ctxNoApp.images.api;
    expect(buildServiceTaskDefinition(s, 'api', ctxNoApp).containerDefinitions?.[0].image).toBe('api:1.0.0');
    const noBuild = { ...ctx, images: { 'consul-dataplane': 'dp:1' } };
    expect(() => buildServiceTaskDefinition(spec, 'users', noBuild)).toThrow(ImageNotResolvedError);
  });

  it('refuses a service the spec does not define', () => {
    expect(() => buildServiceTaskDefinition(spec, 'billing', ctx)).toThrow(NotFoundError);
  });
});
