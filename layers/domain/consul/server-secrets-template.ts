import type { MeshSpec } from '../spec/schema';
import { attr, block, comment, placeholder, renderHcl, type HclBodyItem } from './hcl';
import { SERVER_RUNTIME } from './runtime-contract';

/**
 * The template of the servers' secrets fragment: an HCL file with `${NAME}` placeholders only, no value.
 *
 * At start the entrypoint substitutes the variables ECS injected from SSM SecureString (serverSecretsToFetch) and
 * writes the result to `SERVER_RUNTIME.secretsFile` with mode 0600:
 *
 *   printf '%s' "$CONSUL_SECRETS_TEMPLATE" | envsubst '$CONSUL_GOSSIP_KEY $CONSUL_ACL_BOOTSTRAP_TOKEN' > /consul/config/secrets.hcl
 *
 * Consul loads every file of `-config-dir` and merges them (nested blocks such as `acl` merge key by key), so this
 * fragment completes consul.hcl without the main file ever holding a secret. The entrypoint must refuse to start when
 * a listed variable is empty: Consul would otherwise start without gossip encryption or without a management token.
 *
 * The servers use the initial management token as their agent token too, so they can register their own node and
 * update coordinates while `default_policy = "deny"`.
 */
export function renderServerSecretsTemplate(spec: MeshSpec): string {
  const security = spec.consul.security;
  const body: HclBodyItem[] = [
    comment(
      [
        `Secrets of the Consul servers of mesh "${spec.name}": a template with placeholders only.`,
        `The entrypoint substitutes the values ECS injected from SSM SecureString and writes ${SERVER_RUNTIME.secretsFile} (mode 0600).`,
      ].join('\n'),
    ),
  ];
  if (security.gossip.enabled) {
    body.push(attr('encrypt', placeholder(SERVER_RUNTIME.env.gossipKey), 'Gossip (Serf) encryption key.'));
  }
  if (security.acl.enabled) {
    const token = placeholder(SERVER_RUNTIME.env.bootstrapToken);
    body.push(block('acl', [block('tokens', [attr('initial_management', token), attr('agent', token)])]));
  }
  return renderHcl(body);
}

/** The environment variables renderServerSecretsTemplate refers to, in the order envsubst should be given them. */
export function serverSecretsTemplateVariables(spec: MeshSpec): string[] {
  const security = spec.consul.security;
  const vars: string[] = [];
  if (security.gossip.enabled) vars.push(SERVER_RUNTIME.env.gossipKey);
  if (security.acl.enabled) vars.push(SERVER_RUNTIME.env.bootstrapToken);
  return vars;
}
