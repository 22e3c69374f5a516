// hcl2-parser ships a declaration file that is not a module; type the one function used.
const { parseToObject } = require('hcl2-parser') as { parseToObject(input: string): [Record<string, unknown> | null, unknown] };

/**
 * Consul ACL policy rules (the `Rules` of `/v1/acl/policy`), parsed and evaluated as Consul does
 * (https://developer.hashicorp.com/consul/docs/secure/acl/rule):
 *
 * - Resources with labels (`service`, `node`, `key`, `agent`, `session`, `event`, `query`) take an exact rule
 *   (`service "web" { policy = "write" }`) or a prefix rule (`service_prefix "" { policy = "read" }`). An exact rule
 *   wins over any prefix rule; among prefix rules the longest matching prefix wins. No rule: denied (the emulator
 *   always runs with `default_policy = "deny"`).
 * - Resources without labels (`acl`, `operator`, `mesh`, `peering`, `keyring`) are one attribute: `operator = "read"`.
 *   `mesh` and `peering` fall back to `operator` when unset.
 * - A `service` rule's `intentions` (for the service as a destination) defaults to `read` when its policy is
 *   `read` or `write`, else `deny`: writing intentions needs `intentions = "write"` explicitly.
 * - When several policies of one token set the same rule, `deny` takes precedence, then `write`, `list`, `read`.
 *
 * Consul also accepts HCL1's laxer layout; the emulator parses HCL2, so rules written one attribute a line (as the
 * orchestrator renders them) are what it accepts.
 */

export type Disposition = 'deny' | 'read' | 'list' | 'write';
export type LabelledResource = 'service' | 'node' | 'key' | 'agent' | 'session' | 'event' | 'query';
export type PlainResource = 'acl' | 'operator' | 'mesh' | 'peering' | 'keyring';

/** A rule set: per labelled resource its exact and prefix rules, per plain resource its disposition. */
export interface AclRules {
  readonly exact: ReadonlyMap<LabelledResource, ReadonlyMap<string, Disposition>>;
  readonly prefix: ReadonlyMap<LabelledResource, ReadonlyMap<string, Disposition>>;
  /** `service` rules' `intentions`, exact and prefix, keyed like the service rules. */
  readonly intentionsExact: ReadonlyMap<string, Disposition>;
  readonly intentionsPrefix: ReadonlyMap<string, Disposition>;
  readonly plain: ReadonlyMap<PlainResource, Disposition>;
}

export const LABELLED: readonly LabelledResource[] = ['service', 'node', 'key', 'agent', 'session', 'event', 'query'];
const PLAIN: readonly PlainResource[] = ['acl', 'operator', 'mesh', 'peering', 'keyring'];
const DISPOSITIONS: readonly Disposition[] = ['deny', 'read', 'list', 'write'];

/** Thrown for rules Consul would refuse (`Failed to parse ACL rules: ...`). */
export class AclRulesError extends Error {
  override readonly name = 'AclRulesError';
}

/** Consul's merge order when two policies set the same rule: deny first, then write, list, read. */
const PRECEDENCE: Readonly<Record<Disposition, number>> = { deny: 4, write: 3, list: 2, read: 1 };

function stronger(a: Disposition | undefined, b: Disposition): Disposition {
  return a === undefined || PRECEDENCE[b] > PRECEDENCE[a] ? b : a;
}

function disposition(value: unknown, where: string, allowList: boolean): Disposition {
  if (typeof value !== 'string' || !DISPOSITIONS.includes(value as Disposition) || (value === 'list' && !allowList)) {
    throw new AclRulesError(`Invalid ${where} policy: ${JSON.stringify(value)}`);
  }
  return value as Disposition;
}

/** Builds a rule set from mutable maps (shared by parsing and merging). */
class RulesBuilder {
  readonly exact = new Map<LabelledResource, Map<string, Disposition>>();
  readonly prefix = new Map<LabelledResource, Map<string, Disposition>>();
  readonly intentionsExact = new Map<string, Disposition>();
  readonly intentionsPrefix = new Map<string, Disposition>();
  readonly plain = new Map<PlainResource, Disposition>();

  add(kind: 'exact' | 'prefix', resource: LabelledResource, label: string, value: Disposition): void {
    const table = this[kind];
    let rules = table.get(resource);
    if (!rules) table.set(resource, (rules = new Map()));
    rules.set(label, stronger(rules.get(label), value));
  }

  addIntentions(kind: 'exact' | 'prefix', label: string, value: Disposition): void {
    const table = kind === 'exact' ? this.intentionsExact : this.intentionsPrefix;
    table.set(label, stronger(table.get(label), value));
  }

  addPlain(resource: PlainResource, value: Disposition): void {
    this.plain.set(resource, stronger(this.plain.get(resource), value));
  }

  merge(rules: AclRules): void {
    for (const kind of ['exact', 'prefix'] as const) {
      for (const [resource, table] of rules[kind]) for (const [label, value] of table) this.add(kind, resource, label, value);
    }
    for (const [label, value] of rules.intentionsExact) this.addIntentions('exact', label, value);
    for (const [label, value] of rules.intentionsPrefix) this.addIntentions('prefix', label, value);
    for (const [resource, value] of rules.plain) this.addPlain(resource, value);
  }
}

/**
 * Parsed rule sets by their text: every request resolves its token's policies, and parsing HCL (a compiled Go
 * parser) costs far more than the check itself. Rule sets are never changed once built, so they can be shared.
 */
const PARSED = new Map<string, AclRules>();
const PARSED_LIMIT = 1000;

/** Parses a policy's `Rules` (HCL). An empty string is a policy that grants nothing. */
export function parseAclRules(text: string): AclRules {
  const known = PARSED.get(text);
  if (known) return known;
  const rules = parseAclRulesUncached(text);
  if (PARSED.size >= PARSED_LIMIT) PARSED.clear();
  PARSED.set(text, rules);
  return rules;
}

function parseAclRulesUncached(text: string): AclRules {
  const builder = new RulesBuilder();
  if (text.trim() === '') return builder;
  const [parsed, error] = parseToObject(text.endsWith('\n') ? text : `${text}\n`);
  if (!parsed || error) throw new AclRulesError(`Failed to parse ACL rules: ${String(error ?? 'invalid HCL')}`);
  for (const [key, value] of Object.entries(parsed)) {
    if ((PLAIN as readonly string[]).includes(key)) {
      builder.addPlain(key as PlainResource, disposition(value, key, false));
      continue;
    }
    const prefix = key.endsWith('_prefix');
    const resource = (prefix ? key.slice(0, -'_prefix'.length) : key) as LabelledResource;
    if (!LABELLED.includes(resource) || typeof value !== 'object' || value === null) {
      throw new AclRulesError(`Failed to parse ACL rules: unknown rule ${JSON.stringify(key)}`);
    }
    for (const [label, blocks] of Object.entries(value as Record<string, unknown>)) {
      for (const block of ([] as unknown[]).concat(blocks)) {
        const body = (block ?? {}) as Record<string, unknown>;
        const policy = disposition(body.policy, `${key} ${JSON.stringify(label)}`, resource === 'key');
        builder.add(prefix ? 'prefix' : 'exact', resource, label, policy);
        if (resource === 'service') {
          const intentions =
            body.intentions !== undefined
              ? disposition(body.intentions, `${key} ${JSON.stringify(label)} intentions`, false)
              : policy === 'read' || policy === 'write'
                ? 'read'
                : 'deny';
          builder.addIntentions(prefix ? 'prefix' : 'exact', label, intentions);
        }
      }
    }
  }
  return builder;
}

/** The union of several policies' rules, with Consul's precedence for rules they share. */
export function mergeAclRules(all: readonly AclRules[]): AclRules {
  const builder = new RulesBuilder();
  for (const rules of all) builder.merge(rules);
  return builder;
}

/**
 * The policy Consul synthesises for a token's service identity (`ServiceIdentities: [{ ServiceName }]`): write on
 * the service and its sidecar proxy, read on every service and node for discovery.
 */
export function serviceIdentityRules(serviceName: string): AclRules {
  return parseAclRules(
    [
      `service "${serviceName}" {\n  policy = "write"\n}`,
      `service "${serviceName}-sidecar-proxy" {\n  policy = "write"\n}`,
      'service_prefix "" {\n  policy = "read"\n}',
      'node_prefix "" {\n  policy = "read"\n}',
    ].join('\n'),
  );
}

/**
 * The policy Consul synthesises for a token's node identity (`NodeIdentities: [{ NodeName, Datacenter }]`), what a
 * client agent's token needs: write on its own node, read on every service.
 */
export function nodeIdentityRules(nodeName: string): AclRules {
  return parseAclRules([`node "${nodeName}" {\n  policy = "write"\n}`, 'service_prefix "" {\n  policy = "read"\n}'].join('\n'));
}

function lookup(exact: ReadonlyMap<string, Disposition> | undefined, prefix: ReadonlyMap<string, Disposition> | undefined, name: string): Disposition | undefined {
  const hit = exact?.get(name);
  if (hit !== undefined) return hit;
  let best: { length: number; value: Disposition } | undefined;
  for (const [label, value] of prefix ?? []) {
    if (name.startsWith(label) && (!best || label.length > best.length)) best = { length: label.length, value };
  }
  return best?.value;
}

function grants(value: Disposition | undefined, level: 'read' | 'list' | 'write'): boolean {
  if (value === undefined || value === 'deny') return false;
  if (level === 'write') return value === 'write';
  if (level === 'list') return value === 'list' || value === 'write';
  return true;
}

/**
 * Whether `rules` allow `level` on `resource` named `name`. With no name (an endpoint that lists, which Consul
 * answers filtered), true when any rule of the resource grants the level: the emulator does not filter lists.
 */
export function rulesAllow(rules: AclRules, resource: LabelledResource | PlainResource | 'intentions', level: 'read' | 'list' | 'write', name?: string): boolean {
  if (resource === 'intentions') {
    if (name === undefined) return [...rules.intentionsExact.values(), ...rules.intentionsPrefix.values()].some((v) => grants(v, level));
    return grants(lookup(rules.intentionsExact, rules.intentionsPrefix, name), level);
  }
  if ((PLAIN as readonly string[]).includes(resource)) {
    const plain = resource as PlainResource;
    // mesh:* and peering:* fall back to operator:* when the policy does not set them (Consul's policy authorizer).
    const value = rules.plain.get(plain) ?? (plain === 'mesh' || plain === 'peering' ? rules.plain.get('operator') : undefined);
    return grants(value, level);
  }
  const labelled = resource as LabelledResource;
  if (name === undefined) {
    return [...(rules.exact.get(labelled)?.values() ?? []), ...(rules.prefix.get(labelled)?.values() ?? [])].some((v) => grants(v, level));
  }
  return grants(lookup(rules.exact.get(labelled), rules.prefix.get(labelled), name), level);
}
