import { createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';
import type { SsmApi } from '../adapters/ssm';
import type { MeshSpec } from '../domain/spec/schema';
import { SecretsInconsistentError } from '../errors';
import { meshSecrets } from './wanted-secrets';

/** The SSM calls the secrets step makes (DescribeParameters for existence: no value is read to learn it). */
export type SecretsSsm = Pick<SsmApi, 'getParameter' | 'describeParameters' | 'putParameter'>;

/**
 * Creates the mesh's secrets (`meshSecrets`: the one list the plan reads too) in SSM as SecureString when they do not
 * exist yet, and never touches existing ones; the TLS CA is an RSA 2048 key and its self-signed certificate (5 years).
 *
 * Secrets are created once (DESIGN.md section 9): each is looked up first and generated only when absent, so a
 * deployment that finds them all makes no write call at all; `PutParameter(Overwrite=false)` keeps creation atomic
 * if two writers ever race. Changing a secret is rotation, an explicit operation, never a side effect of a deployment.
 * Values are generated here and go straight to SSM: they are never returned, logged or stored elsewhere.
 */
export async function ensureSecrets(spec: MeshSpec, deps: { ssm: SecretsSsm }): Promise<{ created: string[]; existing: string[] }> {
  const { generated: wanted, ca } = meshSecrets(spec);
  const created: string[] = [];
  const existing: string[] = [];
  // One metadata lookup for every secret: a deployment that finds them all writes and decrypts nothing.
  const present = await existingNames(deps.ssm, [...wanted.map((w) => w.name), ...(ca ? [ca.key, ca.cert] : [])]);
  for (const { name, make } of wanted) {
    if (await createIfAbsent(deps.ssm, name, make, present)) created.push(name);
    else existing.push(name);
  }
  if (ca) {
    if (present.has(ca.key) && present.has(ca.cert)) {
      existing.push(ca.key, ca.cert);
      return { created, existing };
    }
    const result = await ensureCa(spec, ca, deps.ssm);
    created.push(...result.created);
    existing.push(...result.existing);
  }
  return { created, existing };
}

/**
 * The CA key and certificate belong together: the certificate must carry the key's public half, or the servers'
 * trust splits on their next restart. Both absent → a new CA; both present → nothing; a key without its certificate
 * (a first deployment interrupted between the two writes) → a certificate is issued for the stored key; a
 * certificate without its key cannot be repaired without changing what the servers trust, so it is refused.
 */
async function ensureCa(spec: MeshSpec, names: { key: string; cert: string }, ssm: SecretsSsm): Promise<{ created: string[]; existing: string[] }> {
  const [key, cert] = await Promise.all([readSecret(ssm, names.key), readSecret(ssm, names.cert)]);
  if (key !== undefined && cert !== undefined) return { created: [], existing: [names.key, names.cert] };
  if (key === undefined && cert !== undefined) {
    throw new SecretsInconsistentError(
      `the CA certificate ${names.cert} exists but its key ${names.key} does not: restore the key (SSM keeps its history), or delete both parameters to create a new CA and then replace every Consul server and dataplane task`,
    );
  }
  if (key === undefined) {
    const ca = generateCa(spec);
    if (!(await createIfAbsent(ssm, names.key, () => ca.key))) {
      // Created meanwhile by a concurrent writer: issue the certificate for the key that is stored, not ours.
      return ensureCa(spec, names, ssm);
    }
    const certCreated = await createIfAbsent(ssm, names.cert, () => ca.cert);
    return { created: certCreated ? [names.key, names.cert] : [names.key], existing: certCreated ? [] : [names.cert] };
  }
  const certCreated = await createIfAbsent(ssm, names.cert, () => issueCaCertificate(spec, key));
  return { created: certCreated ? [names.cert] : [], existing: certCreated ? [names.key] : [names.key, names.cert] };
}

/** The decrypted value of a parameter, or undefined when it does not exist. */
async function readSecret(ssm: SecretsSsm, name: string): Promise<string | undefined> {
  try {
    return (await ssm.getParameter(name, { decrypt: true }))?.Value;
  } catch (error) {
    if ((error as Error).name === 'ParameterNotFound') return undefined;
    throw error;
  }
}

/**
 * Which of `names` exist, from their metadata only (DescribeParameters with a `Name Equals` filter, at most 50 names a
 * filter): never a value, so it needs no read permission on the secrets themselves. The Consul management token in
 * particular is readable by the ACL step alone (an IAM Deny for every other role), yet its existence must be known here.
 */
async function existingNames(ssm: SecretsSsm, names: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (const parameter of await ssm.describeParameters(names)) if (parameter.Name) found.add(parameter.Name);
  return found;
}

/**
 * Creates a SecureString only when the parameter does not exist: looked up first (`existing`, or one
 * DescribeParameters), so an existing secret costs no write and is never generated. Overwrite=false still guards a
 * race with another writer.
 */
async function createIfAbsent(ssm: SecretsSsm, name: string, make: () => string, existing?: Set<string>): Promise<boolean> {
  if ((existing ?? (await existingNames(ssm, [name]))).has(name)) return false;
  const value = make();
  try {
    await ssm.putParameter({
      Name: name,
      Type: 'SecureString',
      Value: value,
      Overwrite: false,
      // A PEM certificate or key can exceed the Standard tier's 4 KB.
      Tier: value.length > 4096 ? 'Advanced' : 'Standard',
      Description: 'consul-mesh secret (generated; never logged)',
    });
    return true;
  } catch (error) {
    if ((error as Error).name === 'ParameterAlreadyExists') return false;
    throw error;
  }
}

/** A new CA: a fresh RSA key and its self-signed certificate (the rotation of the CA makes its new one here too). */
export function generateCa(spec: Pick<MeshSpec, 'name'>): { cert: string; key: string } {
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { key: privateKey, cert: issueCaCertificate(spec, privateKey) };
}

/**
 * A self-signed CA certificate for Consul's agent TLS, for the given key (PEM, PKCS#8). Node's crypto makes and
 * reads keys; node-forge builds and signs the X.509 certificate (Node can parse certificates but not create them).
 */
export function issueCaCertificate(spec: Pick<MeshSpec, 'name'>, privateKeyPem: string): string {
  const publicKey = createPublicKey(privateKeyPem).export({ type: 'spki', format: 'pem' }).toString();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey);
  cert.serialNumber = `01${randomBytes(8).toString('hex')}`;
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 5 * 365 * 24 * 3600 * 1000);
  const subject = [
    { name: 'commonName', value: `Consul Agent CA ${spec.name}` },
    { name: 'organizationName', value: 'consul-mesh' },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(privateKeyPem), forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}
