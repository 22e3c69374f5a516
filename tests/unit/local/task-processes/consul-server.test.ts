import { generateKeyPairSync, randomBytes, randomUUID, X509Certificate } from 'node:crypto';
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

  it('signs with the bundle\'s certificate of the CA key, whatever its place, and trusts every CA of the bundle (a CA rotation)', async () => {
    const other = newCa();
    let seen: { trusts: string[]; issuer: string } | undefined;

    const verdict = await checkConsulServer(SCRIPT, environment({ CONSUL_CA_CERT: `${other.cert}${ca.cert}` }), ({ trusts, presents }) => {
      seen = { trusts: trusts.map((c) => c.fingerprint256), issuer: trusts.find((c) => presents.checkIssued(c) && presents.verify(c.publicKey))?.fingerprint256 ?? 'none' };
      return undefined;
    });

    expect(verdict).toBeUndefined();
    const fingerprint = (pem: string) => new X509Certificate(pem).fingerprint256;
    expect(seen).toEqual({ trusts: [fingerprint(other.cert), fingerprint(ca.cert)], issuer: fingerprint(ca.cert) });
  });

  it('exits 1 naming the bundle when the CA key matches none of its certificates', async () => {
    const verdict = await checkConsulServer(SCRIPT, environment({ CONSUL_CA_CERT: `${newCa().cert}${newCa().cert}` }));
    expect(verdict).toEqual({ exitCode: 1, reason: expect.stringContaining('CONSUL_CA_KEY matches none of the 2 certificate(s) of CONSUL_CA_CERT') });
  });

  it('is unhealthy when the running servers and it do not trust each other (its certificate is of a CA they do not hold)', async () => {
    const verdict = await checkConsulServer(SCRIPT, environment(), () => 'a running server (t1) rejects this server\'s certificate: x509: certificate signed by unknown authority');
    expect(verdict).toEqual({ unhealthy: true, reason: expect.stringContaining('RPC between servers fails: a running server (t1) rejects') });
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
