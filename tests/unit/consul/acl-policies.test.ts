import { aclPolicyName, buildAclPlan, renderIngressGatewayRules, renderOrchestratorRules, renderServerAgentRules, tokenAccessorId } from '../../../layers/domain/consul/acl-policies';
import { dataplaneTokenParameterName } from '../../../layers/domain/consul/parameter-names';
import { secretParameterNames } from '../../../layers/domain/naming';
import type { MeshSpec } from '../../../layers/domain/spec/schema';
import { parseAclRules, rulesAllow, serviceIdentityRules } from '@consul-mesh/local-cloud';
import { referenceSpec } from './support/specs';
import { aclRemovals, removalScope } from '../../../layers/deploy/acl';

/** What a policy lets its holder do, evaluated by the local Consul's rule engine (exact > longest prefix > deny). */
function can(rules: string) {
  const parsed = parseAclRules(rules);
  return (resource: Parameters<typeof rulesAllow>[1], level: 'read' | 'write', name?: string) => rulesAllow(parsed, resource, level, name);
}

describe('the mesh\'s ACL policies and tokens', () => {
  const spec = referenceSpec();

  it('lets the orchestrator write its synthetic nodes, services, sidecars, gateway, KV prefix and mesh config entries, and nothing else', () => {
    const orchestrator = can(renderOrchestratorRules(spec));

    for (const node of ['cluster-1', 'cluster-2', 'ingress']) expect(orchestrator('node', 'write', node)).toBe(true);
    for (const service of ['users', 'users-sidecar-proxy', 'todos', 'notifications-sidecar-proxy', 'ingress-gateway']) expect(orchestrator('service', 'write', service)).toBe(true);
    expect(orchestrator('intentions', 'write', 'todos')).toBe(true);
    expect(orchestrator('key', 'write', 'consul-mesh/reference-mesh/spec')).toBe(true);
    expect(orchestrator('mesh', 'write')).toBe(true);

    expect(orchestrator('service', 'write', 'billing')).toBe(false);
    expect(orchestrator('node', 'write', 'some-other-node')).toBe(false);
    expect(orchestrator('key', 'read', 'consul-mesh/other-mesh/spec')).toBe(false);
    expect(orchestrator('acl', 'read')).toBe(false);
    expect(orchestrator('operator', 'write')).toBe(false);
    expect(orchestrator('intentions', 'write', 'ingress-gateway')).toBe(false);
  });

  it('grants peering:write only to a mesh that has peers, or had them (to delete its peerings)', () => {
    const peered: MeshSpec = { ...spec, peers: [{ name: 'west', mesh: 'west-mesh', region: 'eu-west-1', role: 'acceptor' }] };
    expect(can(renderOrchestratorRules(spec))('peering', 'write')).toBe(false);
    expect(can(renderOrchestratorRules(spec))('peering', 'read')).toBe(false);
    expect(can(renderOrchestratorRules(peered))('peering', 'write')).toBe(true);
    expect(can(renderOrchestratorRules(spec, peered))('peering', 'write')).toBe(true);
    // Neither spec has peers, but the plan deletes marked peerings Consul still lists (a deployment stopped after
    // storing its spec, before its peering stage): the rule stays until they are gone.
    const plan = { removals: [], peering: { removed: [{ name: 'west' }] } };
    expect(can(renderOrchestratorRules(spec, spec, removalScope(aclRemovals(plan))))('peering', 'write')).toBe(true);
    expect(can(renderOrchestratorRules(spec, spec, removalScope(aclRemovals({ removals: [], peering: { removed: [] } }))))('peering', 'write')).toBe(false);
  });

  it('keeps the services of the previously deployed spec in the orchestrator\'s policy, so their tasks can still be deregistered', () => {
    const without: MeshSpec = { ...spec, clusters: spec.clusters.map((c) => ({ ...c, services: c.services.filter((s) => s.name !== 'notifications') })) };

    expect(can(renderOrchestratorRules(without))('service', 'write', 'notifications')).toBe(false);
    expect(can(renderOrchestratorRules(without, spec))('service', 'write', 'notifications')).toBe(true);
  });

  it('keeps what the change set removes in the orchestrator\'s policy even when the stored spec no longer names it', () => {
    // A deployment stopped after it stored its spec: the next one finds `previous` without the service it removes.
    const without: MeshSpec = { ...spec, clusters: spec.clusters.map((c) => ({ ...c, services: c.services.filter((s) => s.name !== 'notifications') })), ingress: undefined };
    const removing = removalScope([
      { kind: 'service', id: 'cluster-2/notifications', action: 'remove', reasons: [], role: 'service' },
      { kind: 'service', id: 'ingress/ingress-gateway', action: 'remove', reasons: [], role: 'ingress-gateway' },
      { kind: 'config-entry', id: 'service-defaults/notifications', action: 'remove', reasons: [] },
      { kind: 'cluster', id: 'ingress', action: 'remove', reasons: [] },
    ]);
    const orchestrator = can(renderOrchestratorRules(without, without, removing));

    expect(orchestrator('service', 'write', 'notifications')).toBe(true);
    expect(orchestrator('service', 'write', 'notifications-sidecar-proxy')).toBe(true);
    expect(orchestrator('service', 'write', 'ingress-gateway')).toBe(true);
    expect(orchestrator('node', 'write', 'ingress')).toBe(true);
    expect(can(renderOrchestratorRules(without, without))('service', 'write', 'notifications')).toBe(false);
  });

  it('lets the servers\' agent token write nodes, read services and read (only read) autopilot\'s server health for the container health check', () => {
    const agent = can(renderServerAgentRules());
    expect(agent('node', 'write', 'ip-10-0-1-23')).toBe(true);
    expect(agent('service', 'read', 'users')).toBe(true);
    expect(agent('operator', 'read')).toBe(true);

    expect(agent('operator', 'write')).toBe(false);
    expect(agent('service', 'write', 'users')).toBe(false);
    expect(agent('key', 'read', 'consul-mesh/reference-mesh/spec')).toBe(false);
    expect(agent('acl', 'read')).toBe(false);
  });

  it('gives the ingress gateway Consul\'s documented gateway rules: write on itself, read on every service and node', () => {
    const gateway = can(renderIngressGatewayRules('ingress-gateway'));

    expect(gateway('service', 'write', 'ingress-gateway')).toBe(true);
    expect(gateway('service', 'read', 'users')).toBe(true);
    expect(gateway('node', 'read', 'cluster-1')).toBe(true);
    expect(gateway('service', 'write', 'users')).toBe(false);
    expect(gateway('key', 'read', 'consul-mesh/reference-mesh/spec')).toBe(false);
  });

  it('makes each service\'s dataplane token a service identity of that service only', () => {
    const identity = serviceIdentityRules('users');

    expect(rulesAllow(identity, 'service', 'write', 'users')).toBe(true);
    expect(rulesAllow(identity, 'service', 'write', 'users-sidecar-proxy')).toBe(true);
    expect(rulesAllow(identity, 'service', 'read', 'todos')).toBe(true);
    expect(rulesAllow(identity, 'service', 'write', 'todos')).toBe(false);
  });

  it('plans one token per dataplane, the gateway\'s, the orchestrator\'s and the servers\' agent token, each at its SSM parameter', () => {
    const plan = buildAclPlan(spec);
    const byRole = Object.fromEntries(plan.tokens.map((t) => [t.role, t]));
    const names = secretParameterNames(spec);

    expect(Object.keys(byRole).sort()).toEqual(
      ['dataplane/activities', 'dataplane/notifications', 'dataplane/todos', 'dataplane/users', 'ingress/ingress-gateway', 'orchestrator', 'server-agent'].sort(),
    );
    expect(byRole['dataplane/users']).toMatchObject({ parameter: dataplaneTokenParameterName(spec, 'users'), ServiceIdentities: [{ ServiceName: 'users' }], Policies: [] });
    expect(byRole['ingress/ingress-gateway']).toMatchObject({ parameter: dataplaneTokenParameterName(spec, 'ingress-gateway'), Policies: [{ Name: 'reference-mesh-ingress-ingress-gateway' }] });
    expect(byRole.orchestrator).toMatchObject({ parameter: names.orchestratorToken, Policies: [{ Name: aclPolicyName(spec, 'orchestrator') }] });
    expect(byRole['server-agent'].parameter).toBe(names.agentToken);
    // No token of the plan is the management token, and every policy's name is one Consul accepts.
    expect(plan.tokens.map((t) => t.parameter)).not.toContain(names.bootstrapToken);
    for (const policy of plan.policies) expect(policy.Name).toMatch(/^[A-Za-z0-9\-_]{1,128}$/);
    for (const policy of plan.policies) expect(() => parseAclRules(policy.Rules)).not.toThrow();
  });

  it('derives stable, distinct, UUID-shaped AccessorIDs from the mesh and the role', () => {
    const ids = buildAclPlan(spec).tokens.map((t) => t.AccessorID);

    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(tokenAccessorId(spec, 'orchestrator')).toBe(tokenAccessorId({ name: spec.name }, 'orchestrator'));
    expect(tokenAccessorId({ name: 'other-mesh' }, 'orchestrator')).not.toBe(tokenAccessorId(spec, 'orchestrator'));
  });
});
