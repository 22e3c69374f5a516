import { buildDataplaneConfig, renderDataplaneConfig, renderIngressGatewayDataplaneConfig } from '../../../layers/domain/consul/dataplane-config';
import { buildDataplaneLaunch } from '../../../layers/domain/consul/dataplane-launch';
import { dataplaneProxyId, resolveDataplaneTarget } from '../../../layers/domain/consul/dataplane-target';
import { serverCertificateDnsNames } from '../../../layers/domain/consul/server-names';
import { configParameterNames, instanceId, secretParameterNames, sidecarId, taskIdFromArn } from '../../../layers/domain/naming';
import { NotFoundError } from '../../../layers/errors';
import { referenceSpec, SECRET_LOOKING, smallSpec } from './support/specs';

const TASK_ARN = 'arn:aws:ecs:us-east-1:000000000000:task/cluster-1/0f5a2c4e8b1d4f6a9c3e7b2d1a0f9e8d';

describe('renderDataplaneConfig', () => {
  it('renders JSON that points a service\'s dataplane at the servers\' stable address over verified TLS', () => {
    const spec = referenceSpec();

    const config = JSON.parse(renderDataplaneConfig(spec, { kind: 'service', name: 'users' }));

    expect(config).toEqual({
      mode: 'sidecar',
      consul: {
        addresses: 'consul-server.reference-mesh.internal',
        grpcPort: 8503,
        serverWatchDisabled: false,
        tls: { disabled: false, caCertsPath: '/consul/dataplane/tls/ca.pem', serverName: 'server.dc1.consul' },
        credentials: { type: 'static' },
      },
      proxy: { nodeName: 'cluster-1' },
      logging: { logLevel: 'info', logJSON: true },
      envoy: { adminBindAddress: '127.0.0.1', adminBindPort: 19000, readyBindAddress: '127.0.0.1', readyBindPort: 22000 },
    });
  });

  it('names the synthetic node after the cluster each service runs in', () => {
    const spec = referenceSpec();

    const nodes = ['users', 'activities', 'todos', 'notifications'].map((name) => buildDataplaneConfig(spec, { kind: 'service', name }).proxy.nodeName);

    expect(nodes).toEqual(['cluster-1', 'cluster-1', 'cluster-2', 'cluster-2']);
  });

  it('carries neither the ACL token nor a per-task proxy ID: both come from the environment at start', () => {
    const text = renderDataplaneConfig(referenceSpec(), { kind: 'service', name: 'todos' });
    const config = JSON.parse(text);

    expect(config.consul.credentials).toEqual({ type: 'static' });
    expect(text).not.toMatch(/"token"|"id"|"idPath"/);
    for (const pattern of SECRET_LOOKING) expect(text).not.toMatch(pattern);
  });

  it('renders the ingress gateway\'s dataplane on the ingress cluster\'s node', () => {
    const spec = referenceSpec();

    const text = renderIngressGatewayDataplaneConfig(spec);

    expect(text).toBe(renderDataplaneConfig(spec, { kind: 'ingress-gateway' }));
    expect(JSON.parse(text).proxy).toEqual({ nodeName: 'ingress' });
  });

  it('uses the plaintext gRPC port and no CA when TLS is off, and no credentials when ACLs are off', () => {
    const spec = smallSpec({ security: { tls: { enabled: false, autoEncrypt: false }, acl: { enabled: false } } });

    const config = buildDataplaneConfig(spec, { kind: 'service', name: 'web' });

    expect(config.consul.grpcPort).toBe(8502);
    expect(config.consul.tls).toEqual({ disabled: true });
    expect(config.consul.credentials).toBeUndefined();
  });

  it('takes the server address and the datacenter\'s TLS name from the options and the spec', () => {
    const config = buildDataplaneConfig(smallSpec({ datacenter: 'eu-1' }), { kind: 'service', name: 'api' }, { serverAddress: 'consul.example.internal' });

    expect(config.consul.addresses).toBe('consul.example.internal');
    expect(config.consul.tls).toMatchObject({ serverName: 'server.eu-1.consul' });
    expect(config.proxy.nodeName).toBe('apps');
  });

  it('refuses a service the spec does not have, and the gateway of a spec without one, with NotFound', () => {
    const spec = smallSpec();

    expect(() => renderDataplaneConfig(spec, { kind: 'service', name: 'nope' })).toThrow(NotFoundError);
    expect(() => renderIngressGatewayDataplaneConfig(spec)).toThrow(expect.objectContaining({ name: 'NotFound' }));
  });

  it('is deterministic', () => {
    const spec = referenceSpec();

    expect(renderDataplaneConfig(structuredClone(spec), { kind: 'service', name: 'users' })).toBe(renderDataplaneConfig(spec, { kind: 'service', name: 'users' }));
  });
});

describe('dataplane proxy IDs', () => {
  it('follow the registration model: <service>-<taskId>-sidecar-proxy for services, <gateway>-<taskId> for the gateway', () => {
    const spec = referenceSpec();
    const taskId = taskIdFromArn(TASK_ARN);

    const users = dataplaneProxyId(resolveDataplaneTarget(spec, { kind: 'service', name: 'users' }), taskId);
    const gateway = dataplaneProxyId(resolveDataplaneTarget(spec, { kind: 'ingress-gateway' }), taskId);

    expect(users).toBe('users-0f5a2c4e8b1d4f6a9c3e7b2d1a0f9e8d-sidecar-proxy');
    expect(users).toBe(sidecarId('users', taskId));
    expect(gateway).toBe(instanceId('ingress-gateway', taskId));
  });
});

describe('buildDataplaneLaunch', () => {
  it('lists what ECS injects from SSM, what the entrypoint derives the proxy ID and node from, and the health check', () => {
    const spec = referenceSpec();

    const launch = buildDataplaneLaunch(spec, { kind: 'service', name: 'users' }, { configHash: 'f00d' });

    expect(launch).toEqual({
      nodeName: 'cluster-1',
      proxyKind: 'connect-proxy',
      registrationTimeoutSeconds: 120,
      environment: [
        { name: 'CONSUL_CONFIG_PARAMETER', value: '/consul-mesh/reference-mesh/config/dataplane/users.json' },
        { name: 'CONSUL_SERVICE_NAME', value: 'users' },
        { name: 'CONSUL_PROXY_KIND', value: 'connect-proxy' },
        { name: 'CONSUL_NODE_NAME', value: 'cluster-1' },
        { name: 'CONSUL_HTTP_ADDR', value: 'https://consul-server.reference-mesh.internal:8501' },
        { name: 'CONSUL_REGISTRATION_TIMEOUT_SECONDS', value: '120' },
        { name: 'CONSUL_CONFIG_HASH', value: 'f00d' },
      ],
      secrets: [
        { name: 'CONSUL_CONFIG', valueFrom: configParameterNames(spec).dataplane('users') },
        { name: 'CONSUL_CA_CERT', valueFrom: secretParameterNames(spec).caCert },
        { name: 'CONSUL_DATAPLANE_TOKEN', valueFrom: '/consul-mesh/reference-mesh/secrets/acl/dataplane/users' },
      ],
      healthCheckUrl: 'http://127.0.0.1:22000/ready',
    });
  });

  it('gives the gateway its own token parameter, config and proxy kind, and drops CA and token when TLS and ACLs are off', () => {
    const spec = referenceSpec();
    const gateway = buildDataplaneLaunch(spec, { kind: 'ingress-gateway' });
    const plain = buildDataplaneLaunch(smallSpec({ security: { tls: { enabled: false, autoEncrypt: false }, acl: { enabled: false } } }), { kind: 'service', name: 'web' });

    expect(gateway.secrets.map((s) => s.valueFrom)).toEqual([
      '/consul-mesh/reference-mesh/config/dataplane/ingress-gateway.json',
      secretParameterNames(spec).caCert,
      '/consul-mesh/reference-mesh/secrets/acl/dataplane/ingress-gateway',
    ]);
    expect(gateway.environment).toEqual(
      expect.arrayContaining([
        { name: 'CONSUL_SERVICE_NAME', value: 'ingress-gateway' },
        { name: 'CONSUL_PROXY_KIND', value: 'ingress-gateway' },
        { name: 'CONSUL_NODE_NAME', value: 'ingress' },
      ]),
    );
    expect(plain.secrets.map((s) => s.name)).toEqual(['CONSUL_CONFIG']);
    // Without TLS the servers' API is plain HTTP on 8500; with it, HTTPS on 8501 at a name in their certificates.
    expect(plain.environment).toContainEqual({ name: 'CONSUL_HTTP_ADDR', value: 'http://consul-server.small-mesh.internal:8500' });
    expect(serverCertificateDnsNames(spec)).toContain(new URL(gateway.environment.find((e) => e.name === 'CONSUL_HTTP_ADDR')!.value).hostname);
  });

  it('takes every parameter under the configured SSM root', () => {
    const launch = buildDataplaneLaunch(smallSpec(), { kind: 'service', name: 'api' }, { ssmRoot: '/orchestrator' });

    expect(launch.secrets.map((s) => s.valueFrom)).toEqual([
      '/orchestrator/small-mesh/config/dataplane/api.json',
      '/orchestrator/small-mesh/secrets/tls/ca-cert',
      '/orchestrator/small-mesh/secrets/acl/dataplane/api',
    ]);
  });

  it('probes Envoy readiness where the rendered configuration binds it, and names the node the configuration names', () => {
    const spec = referenceSpec();
    for (const target of [{ kind: 'service', name: 'todos' } as const, { kind: 'ingress-gateway' } as const]) {
      const config = buildDataplaneConfig(spec, target);
      const launch = buildDataplaneLaunch(spec, target);

      expect(launch.healthCheckUrl).toBe(`http://${config.envoy.readyBindAddress}:${config.envoy.readyBindPort}/ready`);
      expect(launch.nodeName).toBe(config.proxy.nodeName);
    }
  });
});
