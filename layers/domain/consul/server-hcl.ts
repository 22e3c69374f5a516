import type { MeshSpec } from '../spec/schema';
import { attr, blank, block, comment, renderHcl, type HclBodyItem } from './hcl';
import { CONSUL_PORTS } from './ports';
import { buildServerRetryJoin } from './retry-join';
import { SERVER_RUNTIME } from './runtime-contract';

/** Choices that are not part of the mesh spec. */
export interface ServerHclOptions {
  /**
   * The network interface whose address Consul binds to (go-sockaddr `GetInterfaceIP`). Default `eth0`, the task's
   * interface in awsvpc and host network modes.
   */
  bindInterface?: string;
  /** Consul's log level. Default `INFO`. */
  logLevel?: 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
}

const INTERFACE_NAME = /^[A-Za-z0-9_.-]{1,15}$/;

/**
 * Renders the Consul server agent configuration (`consul.hcl`, HCL native syntax) for a mesh spec.
 *
 * Improves on the tutorial's file: `bootstrap_expect` is the spec's server count (1, 3 or 5), the servers find each
 * other through cloud auto-join on their ECS tag (buildServerRetryJoin), never a hard-coded IP; with TLS on, every
 * connection is verified (`verify_incoming`, `verify_outgoing`, `verify_server_hostname`); gossip is encrypted and
 * verified both ways; ACLs are on with the spec's default policy.
 *
 * Secrets are never in this text, and neither is any key the secret fragments set, so merging overrides nothing.
 * The server image's entrypoint receives them at start from SSM SecureString (serverSecretsToFetch) and writes:
 * - `encrypt` into `/consul/config/gossip.hcl` and `acl { tokens { initial_management, agent } }` into
 *   `/consul/config/acl-tokens.hcl`; Consul (started with `-config-dir=/consul/config`) merges them with this file;
 * - the CA certificate to `/consul/config/tls/ca.pem`, and a server certificate and key issued with the CA key
 *   (`consul tls cert create -server -dc <dc>`, plus `-additional-dnsname` for CONSUL_CERT_DNS_NAMES) to the fixed
 *   paths this file's `tls` block names (SERVER_RUNTIME).
 *
 * Deterministic: the same spec and options give byte-identical text.
 *
 * @example
 *   const hcl = renderServerHcl(loadMeshSpec('examples/mesh.yaml'));
 *   // bootstrap_expect = 3, retry_join = ["provider=aws service=ecs ..."], tls { defaults { verify_incoming = true ... } }
 */
export function renderServerHcl(spec: MeshSpec, options: ServerHclOptions = {}): string {
  const bindInterface = options.bindInterface ?? 'eth0';
  if (!INTERFACE_NAME.test(bindInterface)) throw new RangeError(`not a network interface name: ${JSON.stringify(bindInterface)}`);
  const security = spec.consul.security;
  const tls = security.tls.enabled;

  const body: HclBodyItem[] = [
    comment(
      [
        `Consul server agent configuration of mesh "${spec.name}", datacenter "${spec.datacenter}".`,
        'Rendered from the mesh spec by the orchestrator and stored in SSM Parameter Store: do not edit by hand.',
        '',
        'This file holds no secret. At start the entrypoint receives them from SSM SecureString and writes',
        `${SERVER_RUNTIME.gossipFile} (the gossip key) and ${SERVER_RUNTIME.aclTokensFile} (the ACL tokens), mode 0600,`,
        `which Consul merges with this file (-config-dir=${SERVER_RUNTIME.configDir}), and the TLS files under ${SERVER_RUNTIME.configDir}/tls.`,
      ].join('\n'),
    ),
    blank,
    attr('datacenter', spec.datacenter),
    attr('primary_datacenter', spec.datacenter, 'The datacenter authoritative for ACLs: this one (a single-datacenter mesh).'),
    attr('data_dir', SERVER_RUNTIME.dataDir),
    attr('log_level', options.logLevel ?? 'INFO'),
    attr('log_json', true),
    attr('disable_update_check', true),
    blank,
    attr('server', true),
    attr('bootstrap_expect', spec.consul.servers.count, 'Raft elects a leader once this many servers have joined: the spec\'s server count (1, 3 or 5).'),
    blank,
    block('ui_config', [attr('enabled', true)]),
    attr('client_addr', '0.0.0.0', 'The HTTP, HTTPS, gRPC and DNS interfaces listen on every address of the task.'),
    attr('bind_addr', `{{ GetInterfaceIP "${bindInterface}" }}`, 'Cluster traffic (RPC, Serf) uses the task\'s own address, resolved at start by go-sockaddr.'),
    blank,
    attr(
      'retry_join',
      [buildServerRetryJoin(spec)],
      'Servers find each other through cloud auto-join: the running ECS tasks tagged with this mesh, never an IP.',
    ),
    blank,
    block('ports', [
      attr('http', CONSUL_PORTS.http),
      ...(tls ? [attr('https', CONSUL_PORTS.https)] : []),
      attr('grpc', CONSUL_PORTS.grpc),
      ...(tls ? [attr('grpc_tls', CONSUL_PORTS.grpcTls, 'Dataplanes connect here when TLS is on (Consul 1.14+ serves TLS gRPC on its own port).')] : []),
    ]),
    blank,
    block('connect', [attr('enabled', true)], 'The service mesh: the built-in CA signs the sidecars\' mTLS certificates.'),
  ];

  if (tls) {
    body.push(
      blank,
      block(
        'tls',
        [
          block('defaults', [
            attr('ca_file', SERVER_RUNTIME.caFile),
            attr('cert_file', SERVER_RUNTIME.certFile),
            attr('key_file', SERVER_RUNTIME.keyFile),
            attr('verify_incoming', true),
            attr('verify_outgoing', true),
          ]),
          block('internal_rpc', [attr('verify_server_hostname', true)], 'Servers check that a peer\'s certificate says server.<datacenter>.consul.'),
          block(
            'grpc',
            [attr('verify_incoming', false)],
            'Dataplanes present no client certificate: they verify the server\'s certificate and authenticate with an ACL token.',
          ),
          block(
            'https',
            [attr('verify_incoming', false)],
            'API clients (the orchestrator, the UI) verify the server\'s certificate and authenticate with an ACL token.',
          ),
        ],
        'TLS everywhere, verified. Certificate files are written by the entrypoint at start.',
      ),
    );
    if (security.tls.autoEncrypt) {
      body.push(blank, block('auto_encrypt', [attr('allow_tls', true)], 'Servers may hand out TLS certificates to client agents (auto_encrypt).'));
    }
  }

  if (security.gossip.enabled) {
    body.push(
      blank,
      comment(`Gossip is encrypted; the key (\`encrypt\`) is in ${SERVER_RUNTIME.gossipFile}, written at start.`),
      attr('encrypt_verify_incoming', true),
      attr('encrypt_verify_outgoing', true),
    );
  }

  if (security.acl.enabled) {
    body.push(
      blank,
      block(
        'acl',
        [
          attr('enabled', true),
          attr('default_policy', security.acl.defaultPolicy),
          attr('down_policy', 'extend-cache'),
          attr('enable_token_persistence', true),
        ],
        `ACLs on. The tokens (initial_management, agent) are in ${SERVER_RUNTIME.aclTokensFile}, written at start.`,
      ),
    );
  }

  return renderHcl(body);
}

/**
 * The arguments the server entrypoint runs Consul with (`exec consul agent -config-dir=...`), so every fragment of
 * the config directory is loaded. The entrypoint spells them itself; the runtime-contract test holds it to these.
 */
export function serverAgentArgs(): string[] {
  return ['agent', `-config-dir=${SERVER_RUNTIME.configDir}`];
}
