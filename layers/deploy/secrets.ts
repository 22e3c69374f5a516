import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import forge from 'node-forge';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import type { MeshSpec } from '../domain/spec/schema';
import { secretParameterNames } from '../domain/naming';
import { dataplaneTokenParameterName } from '../domain/consul/parameter-names';

/**
 * Creates the mesh's secrets in SSM as SecureString when they do not exist yet, and never touches existing ones:
 * the gossip key (32 random bytes, base64, as `consul keygen` makes), the ACL bootstrap token, the orchestrator's
 * and the servers' agent token and one token per dataplane (UUIDs, Consul's SecretID format), and a TLS CA (RSA 2048, self-signed, 5 years) when TLS is on.
 * `PutParameter(Overwrite=false)` makes creation atomic and idempotent; a re-run writes nothing.
 * Values are generated here and go straight to SSM: they are never returned, logged or stored elsewhere.
 */
export async function ensureSecrets(spec: MeshSpec, deps: { ssm: Pick<SSMClient, 'send'> }): Promise<{ created: string[]; existing: string[] }> {
  const names = secretParameterNames(spec);
  const security = spec.consul.security;
  const wanted: Array<{ name: string; make: () => string }> = [];
  if (security.gossip.enabled) wanted.push({ name: names.gossipKey, make: () => randomBytes(32).toString('base64') });
  if (security.acl.enabled) {
    wanted.push({ name: names.bootstrapToken, make: randomUUID });
    // The orchestrator's and the servers' agent token; the ACL step creates them in Consul with these SecretIDs.
    wanted.push({ name: names.orchestratorToken, make: randomUUID });
    wanted.push({ name: names.agentToken, make: randomUUID });
    const dataplanes = spec.clusters.flatMap((c) => c.services.map((s) => s.name));
    if (spec.ingress) dataplanes.push(spec.ingress.name);
    for (const name of dataplanes) wanted.push({ name: dataplaneTokenParameterName(spec, name), make: randomUUID });
  }
  const created: string[] = [];
  const existing: string[] = [];
  for (const { name, make } of wanted) {
    if (await putIfAbsent(deps.ssm, name, make)) created.push(name);
    else existing.push(name);
  }
  if (security.tls.enabled) {
    // The CA key and certificate are created together or not at all: a certificate without its key is useless.
    let ca: { cert: string; key: string } | undefined;
    const make = () => (ca ??= generateCa(spec));
    if (await putIfAbsent(deps.ssm, names.caKey, () => make().key)) created.push(names.caKey);
    else existing.push(names.caKey);
    if (await putIfAbsent(deps.ssm, names.caCert, () => make().cert, !!ca)) created.push(names.caCert);
    else existing.push(names.caCert);
  }
  return { created, existing };
}

async function putIfAbsent(ssm: Pick<SSMClient, 'send'>, name: string, make: () => string, overwrite = false): Promise<boolean> {
  const value = make();
  try {
    await ssm.send(
      new PutParameterCommand({
        Name: name,
        Type: 'SecureString',
        Value: value,
        Overwrite: overwrite,
        // A PEM certificate or key can exceed the Standard tier's 4 KB.
        Tier: value.length > 4096 ? 'Advanced' : 'Standard',
        Description: 'consul-mesh secret (generated; never logged)',
      }),
    );
    return true;
  } catch (error) {
    if ((error as Error).name === 'ParameterAlreadyExists') return false;
    throw error;
  }
}

/**
 * A self-signed CA for Consul's agent TLS. Node's crypto makes the key; node-forge builds and signs the X.509
 * certificate (Node can parse certificates but not create them).
 */
function generateCa(spec: MeshSpec): { cert: string; key: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
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
  cert.sign(forge.pki.privateKeyFromPem(privateKey), forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: privateKey };
}
