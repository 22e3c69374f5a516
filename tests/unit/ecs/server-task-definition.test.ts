import { buildServerTaskDefinition, ImageNotResolvedError, type TaskDefinitionContext } from '../../../layers/domain/ecs';
import { buildServerLaunch } from '../../../layers/domain/consul';
import { secretParameterNames, TAG } from '../../../layers/domain/naming';
import { contextFor, referenceSpec, specFrom } from './support';

const minimal = () => ({ name: 'shop', clusters: [{ name: 'c1', services: [{ name: 'users', image: 'users:1.0.0', port: 8080 }] }] });

describe('buildServerTaskDefinition', () => {
  const spec = referenceSpec();
  const ctx = contextFor(spec);
  const td = buildServerTaskDefinition(spec, ctx);
  const container = td.containerDefinitions?.[0];

  it('names the family after the mesh and runs one consul-server container', () => {
    expect(td.family).toBe('reference-mesh-consul-server');
    expect(td.containerDefinitions?.map((c) => c.name)).toEqual(['consul-server']);
    expect(container?.essential).toBe(true);
    expect(container?.image).toBe(ctx.images['consul-server']);
  });

  it('maps every Consul server port, with udp beside tcp for Serf LAN/WAN and DNS, and gRPC over TLS when TLS is on', () => {
    const ports = container?.portMappings?.map((p) => `${p.containerPort}/${p.protocol}`);
    expect(ports).toEqual(['8300/tcp', '8301/tcp', '8301/udp', '8302/tcp', '8302/udp', '8500/tcp', '8501/tcp', '8502/tcp', '8600/tcp', '8600/udp', '8503/tcp']);
    expect(container?.portMappings?.every((p) => p.hostPort === p.containerPort)).toBe(true);
    const noTls = specFrom({ ...minimal(), consul: { security: { tls: { enabled: false, autoEncrypt: false } } } });
    expect(buildServerTaskDefinition(noTls, contextFor(noTls)).containerDefinitions?.[0].portMappings?.map((p) => p.containerPort)).not.toContain(8503);
  });

  it('mounts a data volume at /consul/data', () => {
    expect(td.volumes).toEqual([{ name: 'consul-data' }]);
    expect(container?.mountPoints).toEqual([{ sourceVolume: 'consul-data', containerPath: '/consul/data', readOnly: false }]);
  });

  it('passes the config parameter name and the certificate\'s extra DNS name as plain env and every secret as an SSM ARN, never a value', () => {
    expect(container?.environment).toEqual([
      { name: 'CONSUL_CERT_DNS_NAMES', value: 'consul-server.reference-mesh.internal' },
      { name: 'CONSUL_CONFIG_PARAMETER', value: '/consul-mesh/reference-mesh/config/server.hcl' },
    ]);
    const ssm = 'arn:aws:ssm:us-east-1:111122223333:parameter';
    const names = secretParameterNames(spec);
    expect(container?.secrets).toEqual([
      { name: 'CONSUL_AGENT_TOKEN', valueFrom: `${ssm}${names.agentToken}` },
      { name: 'CONSUL_BOOTSTRAP_TOKEN', valueFrom: `${ssm}${names.bootstrapToken}` },
      { name: 'CONSUL_CA_CERT', valueFrom: `${ssm}${names.caCert}` },
      { name: 'CONSUL_CA_KEY', valueFrom: `${ssm}${names.caKey}` },
      { name: 'CONSUL_CONFIG', valueFrom: `${ssm}/consul-mesh/reference-mesh/config/server.hcl` },
      { name: 'CONSUL_GOSSIP_KEY', valueFrom: `${ssm}${names.gossipKey}` },
    ]);
  });

  it('takes environment and secrets from the consul layer\'s launch contract, so both always agree', () => {
    const launch = buildServerLaunch(spec);
    expect(container?.environment?.map((e) => e.name).sort()).toEqual(launch.environment.map((e) => e.name).sort());
    expect(container?.secrets?.map((s) => s.name).sort()).toEqual(launch.secrets.map((s) => s.name).sort());
    expect(container?.healthCheck?.command?.join(' ')).toContain(launch.healthCheckUrl);
  });

  it('leaves out the secrets of features the spec turns off, and uses default parameter names otherwise', () => {
    const off = specFrom({ ...minimal(), consul: { security: { tls: { enabled: false, autoEncrypt: false }, gossip: { enabled: false }, acl: { enabled: false } } } });
    expect(buildServerTaskDefinition(off, contextFor(off)).containerDefinitions?.[0].secrets?.map((s) => s.name)).toEqual(['CONSUL_CONFIG']);
    const on = specFrom(minimal());
    const secrets = buildServerTaskDefinition(on, contextFor(on, { partition: 'aws-cn', ssmRoot: '/orchestrator' })).containerDefinitions?.[0].secrets;
    expect(secrets?.find((s) => s.name === 'CONSUL_GOSSIP_KEY')?.valueFrom).toBe('arn:aws-cn:ssm:us-east-1:111122223333:parameter/orchestrator/shop/secrets/gossip-key');
  });

  it('is healthy only as a caught-up voter (autopilot), with the longest start period ECS allows for a new datacenter', () => {
    expect(container?.healthCheck?.command).toEqual(['CMD', '/usr/local/bin/consul-server-healthcheck', 'http://127.0.0.1:8500/v1/operator/autopilot/health']);
    expect(container?.healthCheck).toMatchObject({ interval: 10, timeout: 5, retries: 3, startPeriod: 300 });
  });

  it('takes size, network mode, launch type and roles from the spec and the context', () => {
    expect(td).toMatchObject({
      cpu: '512',
      memory: '1024',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      executionRoleArn: ctx.executionRoleArn,
      taskRoleArn: ctx.taskRoleArns.server,
    });
    const host = specFrom({ ...minimal(), network: { mode: 'host', launchType: 'EC2' } });
    expect(buildServerTaskDefinition(host, contextFor(host))).toMatchObject({ networkMode: 'host', requiresCompatibilities: ['EC2'] });
  });

  it('tags the mesh, the role, the auto-join tag and the hash of the definition', () => {
    const tags = Object.fromEntries((td.tags ?? []).map((t) => [t.key, t.value]));
    expect(tags).toMatchObject({ [TAG.mesh]: 'reference-mesh', [TAG.role]: 'server', [TAG.serverJoin]: 'reference-mesh' });
    expect(tags[TAG.specHash]).toMatch(/^[0-9a-f]{64}$/);
    const other = buildServerTaskDefinition(spec, { ...ctx, images: { ...ctx.images, 'consul-server': 'consul-server:other' } });
    expect(other.tags?.find((t) => t.key === TAG.specHash)?.value).not.toBe(tags[TAG.specHash]);
  });

  it('sends logs to the mesh log group', () => {
    expect(container?.logConfiguration).toEqual({
      logDriver: 'awslogs',
      options: { 'awslogs-group': '/ecs/consul-mesh/reference-mesh', 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'consul-server' },
    });
  });

  it('carries the config hash so a new config rolls the servers', () => {
    const hashed = buildServerTaskDefinition(spec, { ...ctx, configHashes: { 'consul-server': 'abc123' } });
    expect(hashed.containerDefinitions?.[0].environment).toContainEqual({ name: 'CONSUL_CONFIG_HASH', value: 'abc123' });
  });

  it('falls back to the pinned official image when the spec names neither image nor build', () => {
    const plain = specFrom(minimal());
    const noServerImage: TaskDefinitionContext = { ...contextFor(plain), images: {} };
    expect(buildServerTaskDefinition(plain, noServerImage).containerDefinitions?.[0].image).toBe('hashicorp/consul:1.20.1');
  });

  it('refuses a build-context server whose image the build stage did not resolve', () => {
    expect(() => buildServerTaskDefinition(spec, { ...ctx, images: {} })).toThrow(ImageNotResolvedError);
  });
});
