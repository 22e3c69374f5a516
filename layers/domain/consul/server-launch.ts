import type { MeshSpec } from '../spec/schema';
import { configParameterNames } from '../naming';
import type { ContainerEnvironmentVariable, ContainerLaunch, ContainerSecret, LaunchOptions } from './launch-types';
import { CONSUL_PORTS } from './ports';
import { SERVER_RUNTIME } from './runtime-contract';
import { serverSecretsToFetch } from './server-secrets';
import { serverCertificateDnsNames, serverTlsServerName } from './server-names';

/**
 * The launch contract of the Consul server container. The server image's entrypoint:
 * 1. writes `CONSUL_CONFIG` (the rendered consul.hcl) to SERVER_RUNTIME.configFile;
 * 2. writes the secrets serverSecretsToFetch lists where their `destination` says: `encrypt` into gossip.hcl, the
 *    tokens into acl-tokens.hcl, the CA certificate, and a server certificate and key issued with the CA key for
 *    `server.<dc>.consul` plus `CONSUL_CERT_DNS_NAMES`;
 * 3. execs `consul agent -config-dir=/consul/config` (serverAgentArgs), which merges consul.hcl with the fragments.
 *
 * The health check asks the agent's HTTP listener (`ports.http`, on `client_addr`) for autopilot's server health
 * (`/v1/operator/autopilot/health`, with the agent token: operator:read) and passes only when this server is a voter
 * that is caught up (buildServerHealthCheck).
 */
export function buildServerLaunch(spec: MeshSpec, options: LaunchOptions = {}): ContainerLaunch {
  const parameter = configParameterNames(spec, options.ssmRoot).serverHcl;
  const environment: ContainerEnvironmentVariable[] = [{ name: SERVER_RUNTIME.env.configParameter, value: parameter }];
  if (options.configHash !== undefined) environment.push({ name: SERVER_RUNTIME.env.configHash, value: options.configHash });
  if (spec.consul.security.tls.enabled) {
    // `consul tls cert create -server` already puts server.<dc>.<domain> and localhost in the certificate.
    const extra = serverCertificateDnsNames(spec).filter((n) => n !== serverTlsServerName(spec) && n !== 'localhost');
    if (extra.length > 0) environment.push({ name: SERVER_RUNTIME.env.certDnsNames, value: extra.join(' ') });
  }
  const secrets: ContainerSecret[] = [
    { name: SERVER_RUNTIME.env.config, valueFrom: parameter },
    ...serverSecretsToFetch(spec, options.ssmRoot).map((s) => ({ name: s.env, valueFrom: s.parameter })),
  ];
  return { environment, secrets, healthCheckUrl: `http://127.0.0.1:${CONSUL_PORTS.http}/v1/operator/autopilot/health` };
}
