import { randomBytes, randomUUID } from 'node:crypto';
import { dataplaneTokenParameterName } from '../domain/consul/parameter-names';
import { secretParameterNames } from '../domain/naming';
import type { MeshSpec } from '../domain/spec/schema';

/** A secret generated on its own: its SSM name and how a new value is made. */
export interface GeneratedSecret {
  name: string;
  make: () => string;
}

/**
 * The mesh's secrets, the one list both `ensureSecrets` (which creates the missing ones) and the plan (which reports
 * them as `secret` creations) read: the gossip key (32 random bytes, base64, as `consul keygen` makes), the ACL tokens
 * (bootstrap, the orchestrator's, the servers' agent token and one per dataplane: UUIDs, Consul's SecretID format),
 * and the TLS CA's key and certificate, which belong together and are made as a pair (`ca`).
 */
export function meshSecrets(spec: MeshSpec): { generated: GeneratedSecret[]; ca?: { key: string; cert: string } } {
  const names = secretParameterNames(spec);
  const security = spec.consul.security;
  const generated: GeneratedSecret[] = [];
  if (security.gossip.enabled) generated.push({ name: names.gossipKey, make: () => randomBytes(32).toString('base64') });
  if (security.acl.enabled) {
    generated.push({ name: names.bootstrapToken, make: randomUUID });
    // The orchestrator's and the servers' agent token; the ACL step creates them in Consul with these SecretIDs.
    generated.push({ name: names.orchestratorToken, make: randomUUID });
    generated.push({ name: names.agentToken, make: randomUUID });
    const dataplanes = spec.clusters.flatMap((c) => c.services.map((s) => s.name));
    if (spec.ingress) dataplanes.push(spec.ingress.name);
    if (spec.meshGateway) dataplanes.push(spec.meshGateway.name);
    for (const name of dataplanes) generated.push({ name: dataplaneTokenParameterName(spec, name), make: randomUUID });
  }
  return { generated, ...(security.tls.enabled ? { ca: { key: names.caKey, cert: names.caCert } } : {}) };
}

/**
 * The SecureString parameters a deployment of `spec` needs, by name (the set `ensureSecrets` creates when absent).
 * The plan reports the missing ones as `secret` creations; none is ever updated or removed by a deployment
 * (DESIGN.md section 9: secrets are created once).
 */
export function wantedSecretNames(spec: MeshSpec): string[] {
  const { generated, ca } = meshSecrets(spec);
  return [...generated.map((s) => s.name), ...(ca ? [ca.key, ca.cert] : [])];
}
