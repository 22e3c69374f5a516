import { createPublicKey, X509Certificate } from 'node:crypto';
import { DeleteParameterCommand, GetParameterCommand, GetParameterHistoryCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { startPartialCloud, type PartialCloud } from '@consul-mesh/local-cloud';
import { loadMeshSpec } from '../../../layers/domain/spec';
import { secretParameterNames } from '../../../layers/domain/naming';
import { ensureSecrets, issueCaCertificate } from '../../../layers/deploy/secrets';
import { wantedSecretNames } from '../../../layers/deploy/wanted-secrets';
import type { MeshSpec } from '../../../layers/domain/spec/schema';
import { createSsmApi } from '../../../layers/adapters/ssm';

/** The public key of a PEM certificate and of a PEM private key, in one comparable form. */
function certPublicKey(certPem: string): string {
  return new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'pem' }).toString();
}
function keyPublicKey(keyPem: string): string {
  return createPublicKey(keyPem).export({ type: 'spki', format: 'pem' }).toString();
}

/** The deploy's secrets against the local SSM, through the real SDK client: created once, never changed. */
describe('creating the mesh secrets in SSM', () => {
  let cloud: PartialCloud;
  let ssm: SSMClient;
  const reference = loadMeshSpec('examples/mesh.yaml');
  const renamed = (name: string): MeshSpec => ({ ...reference, name });

  beforeAll(async () => {
    cloud = await startPartialCloud({ ssm: true, logger: () => undefined });
    ssm = new SSMClient(cloud.clientConfig);
  });
  afterAll(async () => {
    await cloud?.close();
  });

  const read = async (name: string) => (await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }))).Parameter!;
  const versions = async (name: string) => (await ssm.send(new GetParameterHistoryCommand({ Name: name }))).Parameters!.length;

  it('creates every secret on the first run and writes nothing on later runs: the CA certificate keeps matching its key', async () => {
    const spec = renamed('secrets-once');
    const first = await ensureSecrets(spec, { ssm: createSsmApi(ssm) });
    expect(first.existing).toEqual([]);
    const names = secretParameterNames(spec);
    expect(first.created).toEqual(expect.arrayContaining([names.gossipKey, names.bootstrapToken, names.caKey, names.caCert]));
    // What the plan reports as secret creations is exactly what ensureSecrets creates: one list.
    expect([...first.created].sort()).toEqual(wantedSecretNames(spec).sort());

    cloud.aws.resetCallCounts();
    for (let i = 0; i < 3; i++) {
      const again = await ensureSecrets(spec, { ssm: createSsmApi(ssm) });
      expect(again.created).toEqual([]);
      expect(again.existing.sort()).toEqual([...first.created].sort());
    }
    // Not even a refused PutParameter: an existing secret costs reads only.
    expect(cloud.aws.callCounts()['AmazonSSM.PutParameter']).toBeUndefined();
    for (const name of first.created) expect(await versions(name)).toBe(1);

    const cert = (await read(names.caCert)).Value!;
    const key = (await read(names.caKey)).Value!;
    expect(certPublicKey(cert)).toBe(keyPublicKey(key));
  });

  it('issues the certificate for the stored key when a first run stopped between the key and the certificate', async () => {
    const spec = renamed('secrets-key-only');
    await ensureSecrets(spec, { ssm: createSsmApi(ssm) });
    const names = secretParameterNames(spec);
    const key = (await read(names.caKey)).Value!;
    await ssm.send(new DeleteParameterCommand({ Name: names.caCert }));

    const repaired = await ensureSecrets(spec, { ssm: createSsmApi(ssm) });
    expect(repaired.created).toEqual([names.caCert]);
    expect((await read(names.caKey)).Value).toBe(key);
    expect(await versions(names.caKey)).toBe(1);
    expect(certPublicKey((await read(names.caCert)).Value!)).toBe(keyPublicKey(key));
  });

  it('refuses, changing nothing, when the CA certificate exists without its key', async () => {
    const spec = renamed('secrets-cert-only');
    await ensureSecrets(spec, { ssm: createSsmApi(ssm) });
    const names = secretParameterNames(spec);
    await ssm.send(new DeleteParameterCommand({ Name: names.caKey }));
    const cert = (await read(names.caCert)).Value!;

    cloud.aws.resetCallCounts();
    await expect(ensureSecrets(spec, { ssm: createSsmApi(ssm) })).rejects.toMatchObject({ name: 'SecretsInconsistent', message: expect.stringContaining(names.caKey) });
    expect((await read(names.caCert)).Value).toBe(cert);
    expect(cloud.aws.callCounts()['AmazonSSM.PutParameter']).toBeUndefined();
  });

  it('never overwrites a secret a user created beforehand', async () => {
    const spec = renamed('secrets-given');
    const names = secretParameterNames(spec);
    await ssm.send(new PutParameterCommand({ Name: names.gossipKey, Type: 'SecureString', Value: 'user-provided-key' }));
    const result = await ensureSecrets(spec, { ssm: createSsmApi(ssm) });
    expect(result.existing).toContain(names.gossipKey);
    expect((await read(names.gossipKey)).Value).toBe('user-provided-key');
  });

  it('signs a certificate whose public key is the given key', () => {
    const { privateKey } = jest.requireActual<typeof import('node:crypto')>('node:crypto').generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const cert = new X509Certificate(issueCaCertificate({ name: 'm' }, privateKey));
    expect(cert.ca).toBe(true);
    expect(cert.subject).toContain('Consul Agent CA m');
    expect(cert.publicKey.export({ type: 'spki', format: 'pem' })).toBe(keyPublicKey(privateKey));
  });
});
