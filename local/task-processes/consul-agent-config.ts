// hcl2-parser ships a declaration file that is not a module; type the one function used (as acl-rules.ts does).
const { parseToObject } = require('hcl2-parser') as { parseToObject(input: string): [Record<string, unknown> | null, unknown] };

/**
 * What `consul agent -config-dir=<dir>` does with its directory before it starts: it reads every `*.hcl` and
 * `*.json` file of the directory (not its subdirectories) in lexical order, parses each one and decodes it into its
 * configuration struct, refusing the whole configuration when a file does not parse, names a key the agent does
 * not know (`invalid config key <path>`) or gives a value of the wrong type
 * (https://developer.hashicorp.com/consul/docs/agent/config/config-files).
 *
 * The keys are those of Consul 1.20's agent configuration reference. Blocks the project does not write (service
 * definitions, telemetry, limits, ...) are accepted with any content: their keys are not checked here.
 */

type Kind = 'string' | 'bool' | 'int' | 'strings' | 'map' | 'any';
interface Schema {
  readonly [key: string]: Kind | Schema;
}

const keys = (kind: Kind, names: string): Record<string, Kind> => Object.fromEntries(names.trim().split(/\s+/).map((n) => [n, kind]));

const TLS_COMMON: Schema = {
  ...keys('string', 'ca_file ca_path cert_file key_file tls_min_version tls_cipher_suites'),
  ...keys('bool', 'verify_incoming verify_outgoing'),
};

/** Consul 1.20's agent configuration keys and their types. */
const AGENT_SCHEMA: Schema = {
  ...keys(
    'string',
    `acl_datacenter acl_default_policy acl_down_policy acl_ttl acl_token acl_agent_token acl_agent_master_token
     acl_master_token acl_replication_token advertise_addr advertise_addr_ipv4 advertise_addr_ipv6 advertise_addr_wan
     advertise_addr_wan_ipv4 advertise_addr_wan_ipv6 advertise_reconnect_timeout alt_domain bind_addr
     check_update_interval client_addr data_dir datacenter default_query_time discovery_max_stale domain encrypt
     license_path log_file log_level log_rotate_duration max_query_time node_id node_name pid_file primary_datacenter
     primary_gateways_interval raft_snapshot_interval reconnect_timeout reconnect_timeout_wan retry_interval
     retry_interval_wan segment serf_lan serf_wan server_name server_rejoin_age_max session_ttl_min syslog_facility
     ui_content_path ui_dir ca_file ca_path cert_file key_file tls_min_version tls_cipher_suites`,
  ),
  ...keys(
    'bool',
    `bootstrap disable_anonymous_signature disable_coordinates disable_host_node_id disable_http_unprintable_char_filter
     disable_keyring_file disable_remote_exec disable_update_check discard_check_output enable_agent_tls_for_checks
     enable_central_service_config enable_debug enable_local_script_checks enable_script_checks enable_syslog
     encrypt_verify_incoming encrypt_verify_outgoing leave_on_terminate log_json read_replica rejoin_after_leave server
     skip_leave_on_interrupt translate_wan_addrs ui verify_incoming verify_incoming_rpc verify_incoming_https
     verify_outgoing verify_server_hostname tls_prefer_server_cipher_suites auto_reload_config
     acl_enable_key_list_policy acl_enforce_version_8`,
  ),
  ...keys(
    'int',
    `bootstrap_expect check_output_max_size log_rotate_bytes log_rotate_max_files raft_protocol raft_snapshot_threshold
     raft_trailing_logs retry_max retry_max_wan`,
  ),
  ...keys(
    'strings',
    `retry_join retry_join_wan start_join start_join_wan recursors primary_gateways serf_lan_allowed_cidrs
     serf_wan_allowed_cidrs experiments`,
  ),
  node_meta: 'map',
  ...keys(
    'any',
    `service services check checks watches config_entries segments cloud audit auto_config cache reporting locality
     raft_logstore raft_boltdb peering rpc xds http_config dns_config telemetry limits performance gossip_lan gossip_wan
     unix_sockets autopilot license`,
  ),
  acl: {
    ...keys('bool', 'enabled enable_key_list_policy enable_token_persistence enable_token_replication msp_disable_bootstrap'),
    ...keys('string', 'default_policy down_policy policy_ttl role_ttl token_ttl'),
    tokens: {
      ...keys('string', 'initial_management agent agent_recovery default replication config_file_service_registration dns master agent_master'),
      managed_service_provider: 'any',
    },
  },
  addresses: keys('string', 'dns http https grpc grpc_tls'),
  ports: keys('int', 'dns http https grpc grpc_tls serf_lan serf_wan server sidecar_min_port sidecar_max_port expose_min_port expose_max_port'),
  connect: {
    ...keys('bool', 'enabled enable_mesh_gateway_wan_federation enable_serverless_plugin'),
    ca_provider: 'string',
    ca_config: 'any',
  },
  tls: {
    defaults: TLS_COMMON,
    internal_rpc: { ...TLS_COMMON, verify_server_hostname: 'bool' },
    grpc: { ...TLS_COMMON, use_auto_cert: 'bool' },
    https: TLS_COMMON,
  },
  auto_encrypt: { ...keys('bool', 'allow_tls tls'), ...keys('strings', 'dns_san ip_san') },
  ui_config: {
    enabled: 'bool',
    ...keys('string', 'dir content_path metrics_provider metrics_provider_options_json'),
    metrics_provider_files: 'strings',
    metrics_proxy: 'any',
    dashboard_url_templates: 'map',
  },
};

/** The merged configuration of a directory: later files override earlier ones key by key, as Consul merges them. */
export type AgentConfig = Record<string, unknown>;

/** A configuration file Consul refuses, with the text it exits with. */
export class AgentConfigError extends Error {
  override readonly name = 'AgentConfigError';
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Go's weak decoding of a scalar: "true"/"1" decode as bool, "3" as int (HCL1 and JSON values are not always typed). */
function typeError(path: string, kind: Kind, value: unknown): string | undefined {
  const got = Array.isArray(value) ? 'slice' : isRecord(value) ? 'map' : typeof value;
  switch (kind) {
    case 'string':
      return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? undefined : `'${path}' expected type 'string', got unconvertible type '${got}'`;
    case 'bool':
      return typeof value === 'boolean' || (typeof value === 'string' && /^(1|0|t|f|true|false|TRUE|FALSE|True|False)$/.test(value)) || typeof value === 'number'
        ? undefined
        : `'${path}' expected type 'bool', got unconvertible type '${got}'`;
    case 'int':
      return (typeof value === 'number' && Number.isInteger(value)) || (typeof value === 'string' && /^-?\d+$/.test(value)) || typeof value === 'boolean'
        ? undefined
        : `'${path}' expected type 'int', got unconvertible type '${got}'`;
    case 'strings':
      return Array.isArray(value) ? (value.every((v) => typeof v === 'string') ? undefined : `'${path}' expected type '[]string'`) : typeof value === 'string' ? undefined : `'${path}' expected type '[]string', got unconvertible type '${got}'`;
    case 'map':
      return isRecord(value) || (Array.isArray(value) && value.every(isRecord)) ? undefined : `'${path}' expected a map, got '${got}'`;
    case 'any':
      return undefined;
  }
}

/** Every problem of one decoded file against the schema, with Consul's texts. */
function check(value: Record<string, unknown>, schema: Schema, prefix: string, problems: string[]): void {
  for (const [key, raw] of Object.entries(value)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    const expected = schema[key];
    if (expected === undefined) {
      problems.push(`invalid config key ${path}`);
      continue;
    }
    if (typeof expected === 'string') {
      const problem = typeError(path, expected, raw);
      if (problem) problems.push(problem);
      continue;
    }
    // A block: `name { ... }` (HCL gives a list of bodies) or `name = { ... }`.
    const bodies = Array.isArray(raw) ? raw : [raw];
    for (const body of bodies) {
      if (!isRecord(body)) problems.push(`'${path}' expected a map, got '${Array.isArray(body) ? 'slice' : typeof body}'`);
      else check(body, expected, path, problems);
    }
  }
}

/** Parses one configuration file as the agent does (`.hcl` with HashiCorp's HCL parser, `.json` as JSON). */
export function parseAgentConfigFile(name: string, text: string): Record<string, unknown> {
  let parsed: unknown;
  if (name.endsWith('.json')) {
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new AgentConfigError(`failed to parse ${name}: ${(error as Error).message}`);
    }
  } else {
    const [result, error] = parseToObject(text.endsWith('\n') ? text : `${text}\n`);
    if (!result) throw new AgentConfigError(`failed to parse ${name}: ${describeHclError(error)}`);
    parsed = result;
  }
  if (!isRecord(parsed)) throw new AgentConfigError(`failed to parse ${name}: not an object`);
  const problems: string[] = [];
  check(parsed, AGENT_SCHEMA, '', problems);
  if (problems.length > 0) {
    const head = problems.length === 1 ? '1 error occurred:' : `${problems.length} errors occurred:`;
    throw new AgentConfigError(`failed to parse ${name}: ${head}\n${problems.map((p) => `\t* ${p}`).join('\n')}\n`);
  }
  return parsed;
}

function describeHclError(error: unknown): string {
  const text = typeof error === 'string' ? error : JSON.stringify(error);
  return text === '{}' || text === undefined ? 'invalid HCL syntax' : text;
}

/** The value at a dotted path of a decoded file (blocks are lists of bodies: the last body that sets it wins). */
export function configValue(config: Record<string, unknown>, path: string): unknown {
  let current: unknown[] = [config];
  for (const part of path.split('.')) {
    current = current.flatMap((node) => (isRecord(node) && node[part] !== undefined ? ([] as unknown[]).concat(Array.isArray(node[part]) && isRecord((node[part] as unknown[])[0]) ? (node[part] as unknown[]) : [node[part]]) : []));
  }
  return current.at(-1);
}
