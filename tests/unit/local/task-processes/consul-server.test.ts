import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { checkConsulServer } from '../../../../local/task-processes/consul-server';
import { issueCaCertificate } from '../../../../layers/deploy/secrets';
import { renderServerHcl } from '../../../../layers/domain/consul/server-hcl';
import { loadMeshSpec } from '../../../../layers/domain/spec';

const SCRIPT = resolve('docker/consul-server/entrypoint.sh');

function newCa(): { cert: string; key: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  return { key: privateKey, cert: issueCaCertificate({ name: 'm' }, privateKey) };
}

/** The Consul server container's process, started from its real entrypoint with what ECS injects. */
describe('the Consul server stand-in', () => {
  const spec = loadMeshSpec('examples/mesh.yaml');
  const ca = newCa();
  const environment = (overrides: Record<string, string> = {}) => ({
    CONSUL_CONFIG: renderServerHcl(spec),
    CONSUL_GOSSIP_KEY: randomBytes(32).toString('base64'),
    CONSUL_CA_CERT: ca.cert,
    CONSUL_CA_KEY: ca.key,
    CONSUL_BOOTSTRAP_TOKEN: randomUUID(),
    CONSUL_AGENT_TOKEN: randomUUID(),
    ...overrides,
  });

  it('starts with the reference mesh\'s configuration and secrets: its certificate is issued by the CA at start', async () => {
    expect(await checkConsulServer(SCRIPT, environment())).toBeUndefined();
  });

  it('exits 1 with the entrypoint\'s error when the configuration secret is missing', async () => {
    const { CONSUL_CONFIG: _config, ...rest } = environment();
    expect(await checkConsulServer(SCRIPT, rest)).toEqual({ exitCode: 1, reason: expect.stringMatching(/^error: CONSUL_CONFIG is empty/) });
  });

  it('exits 1 when consul.hcl names a key the agent does not know', async () => {
    const verdict = await checkConsulServer(SCRIPT, environment({ CONSUL_CONFIG: `${renderServerHcl(spec)}\nui = true\nacl_enabled = true\n` }));
    expect(verdict).toEqual({ exitCode: 1, reason: expect.stringContaining('invalid config key acl_enabled') });
  });

  it('exits 1 when the gossip key is not a key memberlist accepts', async () => {
    const verdict = await checkConsulServer(SCRIPT, environment({ CONSUL_GOSSIP_KEY: randomBytes(20).toString('base64') }));
    expect(verdict).toEqual({ exitCode: 1, reason: '==> encrypt has invalid key: key size must be 16, 24 or 32 bytes, got 20' });
  });

  it('exits 1 when the CA key does not belong to the CA certificate (the server certificate cannot be issued)', async () => {
    const verdict = await checkConsulServer(SCRIPT, environment({ CONSUL_CA_KEY: newCa().key }));
    expect(verdict).toMatchObject({ exitCode: 1 });
  });

  it('exits 1 when consul.hcl names TLS files nobody wrote (no CA key to issue the server certificate)', async () => {
    const { CONSUL_CA_KEY: _key, ...rest } = environment();
    expect(await checkConsulServer(SCRIPT, rest)).toEqual({
      exitCode: 1,
      reason: '==> Failed to load TLS configuration: open /consul/config/tls/server.pem: no such file or directory',
    });
  });

  it('refuses a token that is not one before the agent starts', async () => {
    const verdict = await checkConsulServer(SCRIPT, environment({ CONSUL_BOOTSTRAP_TOKEN: 'not a token' }));
    expect(verdict).toEqual({ exitCode: 1, reason: 'error: CONSUL_BOOTSTRAP_TOKEN is not a token (expected a UUID)' });
  });
});
