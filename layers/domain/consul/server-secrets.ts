import type { MeshSpec } from '../spec/schema';
import { secretParameterNames } from '../naming';
import { SERVER_RUNTIME } from './runtime-contract';

/** Where the server entrypoint puts a secret once it has it. */
export type ServerSecretDestination =
  /** Written to this file (mode 0600). */
  | { readonly file: string }
  /** Only substituted into the secrets template (renderServerSecretsTemplate), never written elsewhere. */
  | { readonly template: true };

/** One secret a Consul server needs at start. */
export interface ServerSecret {
  readonly name: 'gossip-key' | 'ca-cert' | 'ca-key' | 'bootstrap-token';
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
 * and the ACL bootstrap token (the initial management token, also the servers' agent token).
 *
 * The task-definition builder maps each entry to the container's `secrets` (`{ name: env, valueFrom: parameter }`),
 * so ECS decrypts the values at task start; the entrypoint writes them as `destination` says. None of the values ever
 * appears in the rendered configuration.
 */
export function serverSecretsToFetch(spec: MeshSpec): ServerSecret[] {
  const names = secretParameterNames(spec);
  const security = spec.consul.security;
  const secrets: ServerSecret[] = [];
  if (security.gossip.enabled) {
    secrets.push({
      name: 'gossip-key',
      parameter: names.gossipKey,
      env: SERVER_RUNTIME.env.gossipKey,
      destination: { template: true },
      purpose: 'gossip encryption key (`encrypt`), substituted into the secrets fragment',
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
        destination: { file: SERVER_RUNTIME.caKeyFile },
        purpose: 'CA key, used once at start to issue this server\'s certificate, then deleted',
      },
    );
  }
  if (security.acl.enabled) {
    secrets.push({
      name: 'bootstrap-token',
      parameter: names.bootstrapToken,
      env: SERVER_RUNTIME.env.bootstrapToken,
      destination: { template: true },
      purpose: 'ACL initial management token (and the servers\' agent token), substituted into the secrets fragment',
    });
  }
  return secrets;
}
