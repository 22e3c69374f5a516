import { dataplaneTokenParameterName } from '../domain/consul/parameter-names';
import { secretParameterNames } from '../domain/naming';
import type { MeshSpec } from '../domain/spec/schema';

/**
 * The SecureString parameters a deployment of `spec` needs, by name (the same set `ensureSecrets` creates when
 * absent): the gossip key, the ACL tokens (bootstrap, orchestrator, the servers' agent, one per dataplane) and the
 * TLS CA key and certificate. The plan reports the missing ones as `secret` creations; none is ever updated or
 * removed by a deployment (DESIGN.md section 9: secrets are created once).
 */
export function wantedSecretNames(spec: MeshSpec): string[] {
  const names = secretParameterNames(spec);
  const security = spec.consul.security;
  const wanted: string[] = [];
  if (security.gossip.enabled) wanted.push(names.gossipKey);
  if (security.acl.enabled) {
    wanted.push(names.bootstrapToken, names.orchestratorToken, names.agentToken);
    for (const cluster of spec.clusters) for (const service of cluster.services) wanted.push(dataplaneTokenParameterName(spec, service.name));
    if (spec.ingress) wanted.push(dataplaneTokenParameterName(spec, spec.ingress.name));
  }
  if (security.tls.enabled) wanted.push(names.caKey, names.caCert);
  return wanted;
}
