import type { MeshSpec } from '../spec/schema';
import { secretParameterNames } from '../naming';
import { SERVER_RUNTIME } from './runtime-contract';

/** What the server entrypoint does with a secret once it has it. */
export type ServerSecretDestination =
  /** Writes it to this file (mode 0600): as is (a PEM), or as the HCL fragment the file's name says. */
  | { readonly file: string }
  /** Uses it once to issue these files, then deletes it: it is never kept in the task. */
  | { readonly issues: readonly string[] };

/** One secret a Consul server needs at start. */
export interface ServerSecret {
  readonly name: 'gossip-key' | 'ca-cert' | 'ca-key' | 'bootstrap-token' | 'agent-token';
  /** The SSM SecureString parameter holding the value (naming.secretParameterNames). */
  readonly parameter: string;
  /** The environment variable the value arrives in (container definition `secrets`: `{ name: env, valueFrom: parameter }`). */
  readonly env: string;
  readonly destination: ServerSecretDestination;
  /** Why the server needs it. */
  readonly purpose: string;
}

/**
 * The SSM parameters the Consul server container must fetch at start, for what the spec turns on:
 * the gossip key (gossip encryption), the CA certificate and key (TLS: the server certificate is issued at start),
 * the ACL bootstrap token (the initial management token) and the servers' agent token, which is not the management
 * token: an agent's own catalog updates need only node write.
 *
 * buildServerLaunch maps each entry to the container's `secrets` (`{ name: env, valueFrom: parameter }`), so ECS
 * decrypts the values at task start; the entrypoint writes them as `destination` says (SERVER_RUNTIME). None of the
 * values ever appears in the rendered configuration, which only names the files.
 *
 * @param root the orchestrator's SSM root (`/consul-mesh` unless configured), for parameters the spec does not name.
 */
export function serverSecretsToFetch(spec: MeshSpec, root?: string): ServerSecret[] {
  const names = secretParameterNames(spec, root);
  const security = spec.consul.security;
  const secrets: ServerSecret[] = [];
  if (security.gossip.enabled) {
    secrets.push({
      name: 'gossip-key',
      parameter: names.gossipKey,
      env: SERVER_RUNTIME.env.gossipKey,
      destination: { file: SERVER_RUNTIME.gossipFile },
      purpose: 'gossip encryption key (`encrypt`), written as a fragment Consul merges with consul.hcl',
    });
  }
  if (security.tls.enabled) {
    secrets.push(
      {
        name: 'ca-cert',
        parameter: names.caCert,
        env: SERVER_RUNTIME.env.caCert,
        destination: { file: SERVER_RUNTIME.caFile },
        purpose: 'CA certificate that servers, dataplanes and the orchestrator verify each other with',
      },
      {
        name: 'ca-key',
        parameter: names.caKey,
        env: SERVER_RUNTIME.env.caKey,
        destination: { issues: [SERVER_RUNTIME.certFile, SERVER_RUNTIME.keyFile] },
        purpose: 'CA key, used once at start to issue this server\'s certificate, then deleted',
      },
    );
  }
  if (security.acl.enabled) {
    secrets.push({
      name: 'bootstrap-token',
      parameter: names.bootstrapToken,
      env: SERVER_RUNTIME.env.bootstrapToken,
      destination: { file: SERVER_RUNTIME.aclTokensFile },
      purpose: 'ACL initial management token, written as a fragment Consul merges with consul.hcl',
    });
    secrets.push({
      name: 'agent-token',
      parameter: names.agentToken,
      env: SERVER_RUNTIME.env.agentToken,
      destination: { file: SERVER_RUNTIME.aclTokensFile },
      purpose: 'the servers\' agent token (node write only; the ACL step creates it in Consul), in the same fragment',
    });
  }
  return secrets;
}
