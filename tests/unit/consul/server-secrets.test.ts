import { randomBytes, randomUUID } from 'node:crypto';
import { renderServerHcl } from '../../../layers/domain/consul/server-hcl';
import { serverSecretsToFetch } from '../../../layers/domain/consul/server-secrets';
import { renderServerSecretsTemplate, serverSecretsTemplateVariables } from '../../../layers/domain/consul/server-secrets-template';
import { serverCertificateDnsNames } from '../../../layers/domain/consul/server-names';
import { secretParameterNames } from '../../../layers/domain/naming';
import { blockOf, leafPaths, parseHcl } from './support/parse-hcl';
import { referenceSpec, SECRET_LOOKING, smallSpec } from './support/specs';

/** What the entrypoint does with envsubst: replace only the listed `${NAME}` placeholders. */
function substitute(template: string, values: Record<string, string>): string {
  return template.replace(/\$\{([A-Z_][A-Z0-9_]*)\}/g, (whole, name: string) => values[name] ?? whole);
}

describe('serverSecretsToFetch', () => {
  it('lists the spec\'s SecureString parameters with the variable each arrives in and where it goes', () => {
    const spec = referenceSpec();

    expect(serverSecretsToFetch(spec).map(({ name, parameter, env, destination }) => ({ name, parameter, env, destination }))).toEqual([
      { name: 'gossip-key', parameter: '/reference-mesh/consul/gossip-key', env: 'CONSUL_GOSSIP_KEY', destination: { template: true } },
      { name: 'ca-cert', parameter: '/reference-mesh/consul/tls/ca-cert', env: 'CONSUL_CA_CERT_PEM', destination: { file: '/consul/config/tls/ca.pem' } },
      { name: 'ca-key', parameter: '/reference-mesh/consul/tls/ca-key', env: 'CONSUL_CA_KEY_PEM', destination: { file: '/consul/secrets/ca-key.pem' } },
      { name: 'bootstrap-token', parameter: '/reference-mesh/consul/acl/bootstrap-token', env: 'CONSUL_ACL_BOOTSTRAP_TOKEN', destination: { template: true } },
    ]);
  });

  it('falls back to the default parameter names under the mesh prefix when the spec names none', () => {
    const spec = smallSpec();
    const names = secretParameterNames(spec);

    expect(serverSecretsToFetch(spec).map((s) => s.parameter)).toEqual([names.gossipKey, names.caCert, names.caKey, names.bootstrapToken]);
    expect(names.gossipKey).toBe('/consul-mesh/small-mesh/secrets/gossip-key');
  });

  it('asks for nothing when gossip, TLS and ACLs are all off', () => {
    const spec = smallSpec({ security: { tls: { enabled: false, autoEncrypt: false }, gossip: { enabled: false }, acl: { enabled: false } } });

    expect(serverSecretsToFetch(spec)).toEqual([]);
    expect(serverSecretsTemplateVariables(spec)).toEqual([]);
  });

  it('never asks for the orchestrator\'s token: servers do not need it', () => {
    const spec = referenceSpec();

    expect(serverSecretsToFetch(spec).map((s) => s.parameter)).not.toContain(secretParameterNames(spec).orchestratorToken);
  });
});

describe('renderServerSecretsTemplate', () => {
  it('holds placeholders only, for exactly the variables the template-bound secrets arrive in', async () => {
    const spec = referenceSpec();
    const template = renderServerSecretsTemplate(spec);

    for (const pattern of SECRET_LOOKING) expect(template).not.toMatch(pattern);
    const parsed = await parseHcl(template, 'secrets.hcl.tpl');
    expect(parsed.encrypt).toBe('${CONSUL_GOSSIP_KEY}');
    const templateBound = serverSecretsToFetch(spec).filter((s) => 'template' in s.destination).map((s) => s.env);
    expect(serverSecretsTemplateVariables(spec)).toEqual(templateBound);
    expect([...template.matchAll(/\$\{([A-Z_]+)\}/g)].map((m) => m[1]).sort()).toEqual(
      ['CONSUL_ACL_BOOTSTRAP_TOKEN', 'CONSUL_ACL_BOOTSTRAP_TOKEN', 'CONSUL_GOSSIP_KEY'].sort(),
    );
  });

  it('becomes a valid fragment with the gossip key and the tokens once the entrypoint substitutes the values', async () => {
    const spec = referenceSpec();
    const gossipKey = randomBytes(32).toString('base64');
    const token = randomUUID();

    const fragment = substitute(renderServerSecretsTemplate(spec), { CONSUL_GOSSIP_KEY: gossipKey, CONSUL_ACL_BOOTSTRAP_TOKEN: token });
    const parsed = await parseHcl(fragment, 'secrets.hcl');

    expect(parsed.encrypt).toBe(gossipKey);
    expect(blockOf(blockOf(parsed, 'acl'), 'tokens')).toEqual({ initial_management: token, agent: token });
  });

  it('sets nothing the main consul.hcl sets, so merging the two files overrides no setting', async () => {
    const spec = referenceSpec();
    const main = leafPaths(await parseHcl(renderServerHcl(spec)));
    const fragment = leafPaths(await parseHcl(renderServerSecretsTemplate(spec), 'secrets.hcl.tpl'));

    expect(fragment.sort()).toEqual(['acl.tokens.agent', 'acl.tokens.initial_management', 'encrypt']);
    expect(fragment.filter((p) => main.includes(p))).toEqual([]);
    expect(main).toContain('acl.enabled');
  });

  it('has no acl block without ACLs and no encrypt without gossip encryption', async () => {
    const noAcl = await parseHcl(renderServerSecretsTemplate(smallSpec({ security: { acl: { enabled: false } } })));
    const noGossip = await parseHcl(renderServerSecretsTemplate(smallSpec({ security: { gossip: { enabled: false } } })));

    expect(noAcl).toEqual({ encrypt: '${CONSUL_GOSSIP_KEY}' });
    expect(Object.keys(noGossip)).toEqual(['acl']);
  });
});

describe('serverCertificateDnsNames', () => {
  it('names what clients verify: server.<dc>.consul, the internal address dataplanes dial, and localhost', () => {
    expect(serverCertificateDnsNames(referenceSpec())).toEqual(['server.dc1.consul', 'consul-server.reference-mesh.internal', 'localhost']);
    expect(serverCertificateDnsNames(smallSpec(), 'consul.example.internal')).toEqual(['server.dc7.consul', 'consul.example.internal', 'localhost']);
  });
});
