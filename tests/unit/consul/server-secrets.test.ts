import { renderServerHcl } from '../../../layers/domain/consul/server-hcl';
import { buildServerLaunch } from '../../../layers/domain/consul/server-launch';
import { serverSecretsToFetch } from '../../../layers/domain/consul/server-secrets';
import { serverCertificateDnsNames } from '../../../layers/domain/consul/server-names';
import { configParameterNames, secretParameterNames } from '../../../layers/domain/naming';
import { blockOf, parseHcl } from './support/parse-hcl';
import { referenceSpec, SECRET_LOOKING, smallSpec } from './support/specs';

const ALL_OFF = { tls: { enabled: false, autoEncrypt: false }, gossip: { enabled: false }, acl: { enabled: false } };

describe('serverSecretsToFetch', () => {
  it('lists the spec\'s SecureString parameters with the variable each arrives in and where it goes', () => {
    const spec = referenceSpec();
    const names = secretParameterNames(spec);

    expect(serverSecretsToFetch(spec).map(({ name, parameter, env, destination }) => ({ name, parameter, env, destination }))).toEqual([
      { name: 'gossip-key', parameter: names.gossipKey, env: 'CONSUL_GOSSIP_KEY', destination: { file: '/consul/config/gossip.hcl' } },
      { name: 'ca-cert', parameter: names.caCert, env: 'CONSUL_CA_CERT', destination: { file: '/consul/config/tls/ca.pem' } },
      {
        name: 'ca-key',
        parameter: names.caKey,
        env: 'CONSUL_CA_KEY',
        destination: { issues: ['/consul/config/tls/server.pem', '/consul/config/tls/server-key.pem'] },
      },
      { name: 'bootstrap-token', parameter: names.bootstrapToken, env: 'CONSUL_BOOTSTRAP_TOKEN', destination: { file: '/consul/config/acl-tokens.hcl' } },
      { name: 'agent-token', parameter: names.agentToken, env: 'CONSUL_AGENT_TOKEN', destination: { file: '/consul/config/acl-tokens.hcl' } },
    ]);
  });

  it('falls back to the default parameter names under the mesh prefix (or the configured root) when the spec names none', () => {
    const spec = smallSpec();
    const names = secretParameterNames(spec);

    expect(serverSecretsToFetch(spec).map((s) => s.parameter)).toEqual([names.gossipKey, names.caCert, names.caKey, names.bootstrapToken, names.agentToken]);
    expect(names.gossipKey).toBe('/consul-mesh/small-mesh/secrets/gossip-key');
    expect(serverSecretsToFetch(spec, '/orchestrator')[0].parameter).toBe('/orchestrator/small-mesh/secrets/gossip-key');
  });

  it('asks for nothing when gossip, TLS and ACLs are all off', () => {
    expect(serverSecretsToFetch(smallSpec({ security: ALL_OFF }))).toEqual([]);
  });

  it('never asks for the orchestrator\'s token: servers do not need it', () => {
    const spec = referenceSpec();

    expect(serverSecretsToFetch(spec).map((s) => s.parameter)).not.toContain(secretParameterNames(spec).orchestratorToken);
  });

  it('writes every kept secret to a file the rendered consul.hcl never sets itself', async () => {
    const spec = referenceSpec();
    const parsed = await parseHcl(renderServerHcl(spec));
    const files = serverSecretsToFetch(spec).flatMap((s) => ('file' in s.destination ? [s.destination.file] : []));

    // The bootstrap and the agent token both go to the ACL tokens fragment.
    expect(files).toEqual(['/consul/config/gossip.hcl', '/consul/config/tls/ca.pem', '/consul/config/acl-tokens.hcl', '/consul/config/acl-tokens.hcl']);
    expect(parsed.encrypt).toBeUndefined();
    expect(blockOf(parsed, 'acl').tokens).toBeUndefined();
  });
});

describe('buildServerLaunch', () => {
  it('injects the rendered consul.hcl and every secret from SSM, and passes only names and the certificate\'s extra DNS name in plain', () => {
    const spec = referenceSpec();

    const launch = buildServerLaunch(spec, { configHash: 'abc123' });

    expect(launch.secrets).toEqual([
      { name: 'CONSUL_CONFIG', valueFrom: configParameterNames(spec).serverHcl },
      ...serverSecretsToFetch(spec).map((s) => ({ name: s.env, valueFrom: s.parameter })),
    ]);
    expect(launch.environment).toEqual([
      { name: 'CONSUL_CONFIG_PARAMETER', value: '/consul-mesh/reference-mesh/config/server.hcl' },
      { name: 'CONSUL_CONFIG_HASH', value: 'abc123' },
      { name: 'CONSUL_CERT_DNS_NAMES', value: 'consul-server.reference-mesh.internal' },
    ]);
    // Every name serverCertificateDnsNames asks for is in the certificate: the two Consul adds, plus the extra one.
    expect(serverCertificateDnsNames(spec)).toEqual(['server.dc1.consul', 'consul-server.reference-mesh.internal', 'localhost']);
    for (const pattern of SECRET_LOOKING) expect(JSON.stringify(launch)).not.toMatch(pattern);
  });

  it('asks ECS for the configuration alone when every security feature is off, under the configured SSM root', () => {
    const launch = buildServerLaunch(smallSpec({ security: ALL_OFF }), { ssmRoot: '/orchestrator' });

    expect(launch.secrets).toEqual([{ name: 'CONSUL_CONFIG', valueFrom: '/orchestrator/small-mesh/config/server.hcl' }]);
    expect(launch.environment).toEqual([{ name: 'CONSUL_CONFIG_PARAMETER', value: '/orchestrator/small-mesh/config/server.hcl' }]);
  });

  it('checks health on the HTTP port the rendered consul.hcl opens, at autopilot\'s server health', async () => {
    const spec = referenceSpec();
    const ports = blockOf(await parseHcl(renderServerHcl(spec)), 'ports');

    expect(buildServerLaunch(spec).healthCheckUrl).toBe(`http://127.0.0.1:${ports.http}/v1/operator/autopilot/health`);
  });
});

describe('serverCertificateDnsNames', () => {
  it('names what clients verify: server.<dc>.consul, the internal address dataplanes dial, and localhost', () => {
    expect(serverCertificateDnsNames(referenceSpec())).toEqual(['server.dc1.consul', 'consul-server.reference-mesh.internal', 'localhost']);
    expect(serverCertificateDnsNames(smallSpec(), 'consul.example.internal')).toEqual(['server.dc7.consul', 'consul.example.internal', 'localhost']);
  });
});
