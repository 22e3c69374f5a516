import type { Service, TaskDefinition } from '@aws-sdk/client-ecs';
import type { ChangeSet, ResourceChange } from '../../../layers/deploy/change-set';
import { computeChangeSet, REGISTERS, type ChangeSetContext } from '../../../layers/deploy/compute-change-set';
import { renderedConfiguration } from '../../../layers/deploy/config-store';
import { planImages } from '../../../layers/deploy/images';
import type { MeshState } from '../../../layers/deploy/mesh-state';
import { buildTargetTaskDefinition } from '../../../layers/deploy/service-decision';
import { configHashes } from '../../../layers/deploy/stage';
import { wantedSecretNames } from '../../../layers/deploy/wanted-secrets';
import { peeringTokenParameter } from '../../../layers/deploy/peering';
import { buildConfigEntries } from '../../../layers/domain/consul/config-entries';
import { buildCreateService } from '../../../layers/domain/ecs/service';
import { deployStages, meshClusters, resolveTarget } from '../../../layers/domain/ecs/targets';
import { TAG } from '../../../layers/domain/naming';
import type { MeshSpec } from '../../../layers/domain/spec';
import { ACCOUNT, specFrom } from '../ecs/support';

/**
 * computeChangeSet, pure, on state fixtures: a mesh deployed exactly as a spec says (built with the same builders the
 * stages use, then changed the way ECS, SSM and Consul would hold it), and each kind of change to it.
 */
const REGISTRY = `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com`;
const HASH = 'ab'.repeat(32);
const context: ChangeSetContext = {
  taskContext: {
    executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/mesh-execution`,
    taskRoleArns: { server: `arn:aws:iam::${ACCOUNT}:role/server`, 'ingress-gateway': `arn:aws:iam::${ACCOUNT}:role/gateway`, service: `arn:aws:iam::${ACCOUNT}:role/service` },
    accountId: ACCOUNT,
  },
  serviceContext: { subnets: ['subnet-1', 'subnet-2'], securityGroups: ['sg-1'] },
  registry: REGISTRY,
};

type Input = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function input(): Input {
  return {
    name: 'shop',
    consul: { servers: { count: 3 }, dataplane: { image: 'hashicorp/consul-dataplane:1.6.0' } },
    clusters: [
      { name: 'cluster-1', services: [{ name: 'users', image: 'users:1.0.0', port: 8080, desiredCount: 2 }, { name: 'activities', build: { context: 'docker/services/activities', contentHash: HASH }, port: 8081 }] },
      { name: 'cluster-2', services: [{ name: 'todos', image: 'todos:2.0.0', port: 8080 }] },
    ],
    ingress: { listeners: [{ port: 80, services: ['*'] }] },
    intentions: [
      { source: 'users', destination: 'todos', action: 'allow' },
      { source: 'todos', destination: 'users', action: 'allow' },
    ],
  };
}

function spec(mutate: (i: Input) => void = () => undefined): MeshSpec {
  const i = input();
  mutate(i);
  return specFrom(i as never);
}

const tags = (mesh: string, role: string) => [
  { key: TAG.mesh, value: mesh },
  { key: TAG.role, value: role },
];

/** The state a successful deployment of `deployed` leaves: every resource as the stages wrote it, one revision each. */
function deployedState(deployed: MeshSpec): MeshState {
  const images: Record<string, string> = {};
  for (const job of planImages(deployed)) images[job.name] = job.repository ? `${REGISTRY}/${job.repository}:${job.tag}` : (job.image ?? '');
  const taskContext = { ...context.taskContext, images, configHashes: configHashes(deployed) };
  const state: MeshState = {
    mesh: deployed.name,
    clusters: [...new Set(meshClusters(deployed).map((c) => c.name))].map((name) => ({ name, status: 'ACTIVE', owned: true })),
    services: [],
    families: [],
    parameters: [
      ...[...renderedConfiguration(deployed)].map(([name, value]) => ({ name, type: 'String', value })),
      ...wantedSecretNames(deployed).map((name) => ({ name, type: 'SecureString' })),
    ],
    images: planImages(deployed)
      .filter((j) => j.repository)
      .map((j) => ({ name: j.name, repositoryUri: `${REGISTRY}/${j.repository}`, exists: true })),
    configEntries: buildConfigEntries(deployed).map((e) => ({ kind: e.Kind, name: e.Name, entry: { ...e, CreateIndex: 10, ModifyIndex: 10 } as Record<string, unknown> })),
  };
  for (const target of deployStages(deployed).flat()) {
    const resolved = resolveTarget(deployed, target);
    const arn = `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/${resolved.family}:1`;
    const td = buildTargetTaskDefinition(deployed, target, taskContext);
    state.families.push({ family: resolved.family, latest: { ...(td as TaskDefinition), taskDefinitionArn: arn, revision: 1, status: 'ACTIVE' }, activeArns: [arn], owned: true });
    const create = buildCreateService(deployed, target, { ...context.serviceContext, taskDefinition: arn });
    const service: Service = { ...(create as unknown as Service), status: 'ACTIVE', runningCount: resolved.desiredCount, tags: tags(deployed.name, resolved.role) };
    state.services.push({ cluster: resolved.cluster, service, owned: true });
  }
  // Its peerings ACTIVE, an acceptor's token stored, and the spec in Consul KV.
  state.deployedSpec = JSON.parse(JSON.stringify(deployed)) as unknown;
  state.peerings = deployed.peers.map((p) => ({ name: p.name, state: 'ACTIVE' }));
  for (const p of deployed.peers.filter((x) => x.role === 'acceptor')) state.parameters.push({ name: peeringTokenParameter(deployed.name, p.mesh), type: 'SecureString' });
  return state;
}

const changed = (set: ChangeSet) => set.changes.filter((c) => c.action !== 'unchanged').map((c) => `${c.action} ${c.kind} ${c.id}`);
const find = (set: ChangeSet, kind: ResourceChange['kind'], id: string) => set.changes.find((c) => c.kind === kind && c.id === id);

describe('computeChangeSet', () => {
  it('finds nothing to do for the state its own spec left: every resource unchanged, noChange', () => {
    const s = spec();
    const set = computeChangeSet(s, deployedState(s), context);
    expect(changed(set)).toEqual([]);
    expect(set.refused).toEqual([]);
    expect(set.noChange).toBe(true);
    expect(new Set(set.changes.map((c) => c.kind))).toEqual(new Set(['image', 'secret', 'parameter', 'cluster', 'service', 'config-entry']));
  });

  it('creates everything in an empty account, in apply order, registering a revision for every service', () => {
    const s = spec();
    const set = computeChangeSet(s, { mesh: 'shop', clusters: [], services: [], families: [], parameters: [], images: [] }, context);
    expect(set.changes.every((c) => c.action === 'create')).toBe(true);
    const kinds = set.changes.map((c) => c.kind);
    expect([...new Set(kinds)]).toEqual(['image', 'secret', 'parameter', 'cluster', 'service', 'config-entry']);
    const services = set.changes.filter((c) => c.kind === 'service');
    expect(services.map((c) => c.id)).toEqual(['consul-server/consul-server', 'cluster-1/users', 'cluster-1/activities', 'cluster-2/todos', 'ingress/ingress-gateway']);
    expect(services.every((c) => c.reasons.some((r) => r.startsWith(REGISTERS)))).toBe(true);
    expect(find(set, 'image', 'activities')?.reasons[0]).toMatch(/CodeBuild builds it/);
    // Without Consul's answer (no state.configEntries) and no SSM copy, every entry is to be written.
    expect(set.changes.filter((c) => c.kind === 'config-entry').map((c) => c.id)).toEqual(['service-defaults/users', 'service-defaults/activities', 'service-defaults/todos', 'ingress-gateway/ingress-gateway', 'service-intentions/todos', 'service-intentions/users']);
  });

  it('updates a service in place for a desired count, without a new revision', () => {
    const before = spec();
    const set = computeChangeSet(spec((i) => (i.clusters[1].services[0].desiredCount = 3)), deployedState(before), context);
    expect(changed(set)).toEqual(['update service cluster-2/todos']);
    const todos = find(set, 'service', 'cluster-2/todos')!;
    expect(todos.fields).toEqual([{ path: 'desiredCount', before: '1', after: '3' }]);
    expect(todos.desiredCount).toBe(3);
    expect(todos.reasons.some((r) => r.startsWith(REGISTERS))).toBe(false);
  });

  it('rolls a service for an image, cpu, memory or env change: a new revision, the differing fields named', () => {
    const before = spec();
    const set = computeChangeSet(
      spec((i) => Object.assign(i.clusters[1].services[0], { image: 'todos:2.1.0', cpu: 512, memory: 1024, env: { MODE: 'fast' } })),
      deployedState(before),
      context,
    );
    expect(changed(set)).toEqual(['update service cluster-2/todos']);
    const todos = find(set, 'service', 'cluster-2/todos')!;
    expect(todos.reasons).toContain(`${REGISTERS} (shop-todos)`);
    const paths = todos.fields!.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['task definition cpu', 'task definition memory', 'task definition containerDefinitions[todos].image', 'task definition containerDefinitions[todos].environment']));
  });

  it('names a configuration-only change: the parameter is updated and the services reading it roll', () => {
    const before = spec();
    const set = computeChangeSet(spec((i) => (i.consul.security = { acl: { defaultPolicy: 'allow' } })), deployedState(before), context);
    expect(changed(set)).toEqual(['update parameter /consul-mesh/shop/config/server.hcl', 'update service consul-server/consul-server']);
    expect(find(set, 'service', 'consul-server/consul-server')!.reasons[0]).toBe('its configuration /consul-mesh/shop/config/server.hcl changed (rolls its tasks)');
  });

  it('removes a service the spec dropped, with its config entries, parameters and every revision; keeps the secrets', () => {
    const before = spec();
    const after = spec((i) => {
      i.clusters[0].services = i.clusters[0].services.filter((s: Input) => s.name !== 'activities');
    });
    const set = computeChangeSet(after, deployedState(before), context);
    expect(changed(set)).toEqual([
      'remove service cluster-1/activities',
      'remove config-entry service-defaults/activities',
      'remove parameter /consul-mesh/shop/config/dataplane/activities.json',
      'remove parameter /consul-mesh/shop/config-entries/service-defaults/activities',
      'remove task-definition shop-activities',
    ]);
    expect(find(set, 'service', 'cluster-1/activities')).toMatchObject({ desiredCount: 0, role: 'service', cluster: 'cluster-1' });
    expect(find(set, 'task-definition', 'shop-activities')!.fields).toEqual([{ path: 'revision', before: `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/shop-activities:1` }]);
    expect(set.changes.some((c) => c.kind === 'secret' && c.action === 'remove')).toBe(false);
  });

  it('removes a cluster the mesh created, keeps one holding services it did not create, and never removes others', () => {
    const before = spec((i) => i.clusters.push({ name: 'cluster-3', services: [{ name: 'billing', image: 'billing:1.0.0', port: 8080 }] }));
    const state = deployedState(before);
    const set = computeChangeSet(spec(), state, context);
    expect(changed(set).filter((c) => / (cluster|service) /.test(c))).toEqual(['remove service cluster-3/billing', 'remove cluster cluster-3']);

    state.services.push({ cluster: 'cluster-3', service: { serviceName: 'theirs', status: 'ACTIVE' }, owned: false });
    state.clusters.push({ name: 'someone-elses', status: 'ACTIVE', owned: false });
    const kept = computeChangeSet(spec(), state, context);
    expect(find(kept, 'cluster', 'cluster-3')).toMatchObject({ action: 'unchanged', reasons: [expect.stringContaining('theirs')] });
    expect(kept.changes.some((c) => c.id.includes('theirs') || c.id === 'someone-elses')).toBe(false);
  });

  it('adds, flips and removes intentions: the service-intentions entries change, intentions removed before service-defaults', () => {
    const before = spec();
    const set = computeChangeSet(
      spec((i) => (i.intentions = [{ source: 'todos', destination: 'users', action: 'deny' }, { source: 'users', destination: 'activities', action: 'allow' }])),
      deployedState(before),
      context,
    );
    expect(changed(set)).toEqual([
      'update parameter /consul-mesh/shop/config-entries/service-intentions/users',
      'create parameter /consul-mesh/shop/config-entries/service-intentions/activities',
      'update config-entry service-intentions/users',
      'create config-entry service-intentions/activities',
      'remove config-entry service-intentions/todos',
      'remove parameter /consul-mesh/shop/config-entries/service-intentions/todos',
    ]);
    expect(set.changes.some((c) => c.kind === 'service' && c.action !== 'unchanged')).toBe(false);
    const users = find(set, 'config-entry', 'service-intentions/users')!;
    expect(users.fields?.map((f) => f.path)).toEqual(['Sources']);
    expect(JSON.stringify(users.fields?.[0].after)).toContain('deny');
  });

  it('plans the mesh gateway and the peering entries like the rest, and their removal when the spec drops them', () => {
    const peered = spec((i) => {
      i.meshGateway = {};
      i.peers = [{ name: 'west', mesh: 'todos-mesh', region: 'eu-west-1', role: 'dialer' }];
      i.exports = [{ service: 'todos', peers: ['west'] }];
    });
    const added = computeChangeSet(peered, deployedState(spec()), context);
    expect(changed(added).filter((c) => / (cluster|service|config-entry|secret|peering) /.test(c))).toEqual([
      'create secret /consul-mesh/shop/secrets/acl/dataplane/mesh-gateway',
      'create cluster mesh-gateway',
      'create service mesh-gateway/mesh-gateway',
      'create config-entry mesh/mesh',
      'create config-entry exported-services/default',
      'create peering west',
    ]);
    expect(find(added, 'service', 'mesh-gateway/mesh-gateway')).toMatchObject({ role: 'mesh-gateway', desiredCount: 1 });
    expect(computeChangeSet(peered, deployedState(peered), context).noChange).toBe(true);

    const unexported = computeChangeSet(spec((i) => ((i.meshGateway = {}), (i.peers = []))), deployedState(peered), context);
    expect(changed(unexported).filter((c) => c.includes('config-entry'))).toEqual(['remove config-entry exported-services/default']);
    const removed = computeChangeSet(spec(), deployedState(peered), context);
    expect(changed(removed).filter((c) => / (cluster|service|config-entry|peering) /.test(c))).toEqual([
      'remove peering west',
      'remove service mesh-gateway/mesh-gateway',
      'remove cluster mesh-gateway',
      'remove config-entry exported-services/default',
      'remove config-entry mesh/mesh',
    ]);
    expect(find(removed, 'service', 'mesh-gateway/mesh-gateway')).toMatchObject({ role: 'mesh-gateway', desiredCount: 0 });
  });

  it('plans the peerings: the acceptor\'s token and the dialer\'s establish, nothing for live ones, and the deletion of a dropped peer', () => {
    const peers = (...list: MeshSpec['peers']) =>
      spec((i) => {
        i.meshGateway = {};
        i.peers = list;
      });
    const acceptor = { name: 'west', mesh: 'todos-mesh', region: 'eu-west-1', role: 'acceptor' as const };
    const dialer = { name: 'east', mesh: 'users-mesh', region: 'us-west-2', role: 'dialer' as const };
    const both = peers(acceptor, dialer);

    const first = computeChangeSet(both, deployedState(spec((i) => (i.meshGateway = {}))), context);
    expect(changed(first).filter((c) => c.includes(' peering '))).toEqual(['create peering west', 'create peering east']);
    expect(find(first, 'peering', 'west')?.reasons).toEqual([
      'generates a peering token for mesh "todos-mesh" (eu-west-1) and keeps it as a SecureString at /consul-mesh/shop/peering/todos-mesh/token, where that mesh\'s deployment reads it',
    ]);
    expect(find(first, 'peering', 'east')?.reasons[0]).toContain('with the token mesh "users-mesh" keeps in us-west-2 (/consul-mesh/users-mesh/peering/shop/token; deploy that mesh with this peer first)');

    // Deployed and live: nothing to generate, nothing to establish.
    expect(computeChangeSet(both, deployedState(both), context).noChange).toBe(true);
    // A PENDING acceptor peering whose token is still stored keeps it; without its parameter a new one is generated.
    const pending = deployedState(both);
    pending.peerings = [{ name: 'west', state: 'PENDING' }, { name: 'east', state: 'ACTIVE' }];
    expect(computeChangeSet(both, pending, context).noChange).toBe(true);
    pending.parameters = pending.parameters.filter((p) => !p.name.endsWith('/peering/todos-mesh/token'));
    expect(changed(computeChangeSet(both, pending, context))).toEqual(['create peering west']);
    // A dialer whose peering the acceptor deleted (TERMINATED) establishes again.
    const terminated = deployedState(both);
    terminated.peerings = [{ name: 'west', state: 'ACTIVE' }, { name: 'east', state: 'TERMINATED' }];
    expect(changed(computeChangeSet(both, terminated, context))).toEqual(['create peering east']);
    // An acceptor whose dialer deleted its side (TERMINATED): the plan says the old peering goes before the new token.
    const acceptorTerminated = deployedState(both);
    acceptorTerminated.peerings = [{ name: 'west', state: 'TERMINATED' }, { name: 'east', state: 'ACTIVE' }];
    const remade = computeChangeSet(both, acceptorTerminated, context);
    expect(changed(remade)).toEqual(['create peering west']);
    expect(find(remade, 'peering', 'west')?.reasons).toEqual([
      'deletes the TERMINATED peering "west" (mesh "todos-mesh" deleted its side) and the services imported from it',
      'generates a peering token for mesh "todos-mesh" (eu-west-1) and keeps it as a SecureString at /consul-mesh/shop/peering/todos-mesh/token, where that mesh\'s deployment reads it',
    ]);

    // Dropping the acceptor deletes its peering and its token parameter, after nothing else of the stage.
    const dropped = computeChangeSet(peers(dialer), deployedState(both), context);
    expect(changed(dropped).filter((c) => c.includes(' peering '))).toEqual(['remove peering west']);
    expect(find(dropped, 'peering', 'west')?.reasons).toEqual([
      'no longer in the spec: the peering with mesh "todos-mesh" (eu-west-1) deleted, the peer\'s side becomes TERMINATED',
      'its token parameter /consul-mesh/shop/peering/todos-mesh/token deleted',
    ]);

    // A dropped dialer that never established (its deployment failed at the peering stage: PeeringTokenMissing) has
    // nothing in Consul and nothing in SSM: nothing is removed, as removePeerings deletes nothing.
    const neverEstablished = deployedState(both);
    neverEstablished.peerings = [{ name: 'west', state: 'ACTIVE' }];
    expect(changed(computeChangeSet(peers(acceptor), neverEstablished, context)).filter((c) => c.includes(' peering '))).toEqual([]);
    // A dropped acceptor whose peering Consul lost still has its token stored: that parameter is deleted.
    const tokenOnly = deployedState(both);
    tokenOnly.peerings = [{ name: 'east', state: 'ACTIVE' }];
    expect(changed(computeChangeSet(peers(dialer), tokenOnly, context)).filter((c) => c.includes(' peering '))).toEqual(['remove peering west']);
    // When Consul could not be asked, every peer of the spec is created and every dropped one removed.
    const unknown = deployedState(both);
    delete unknown.peerings;
    expect(changed(computeChangeSet(peers(acceptor), unknown, context)).filter((c) => c.includes(' peering '))).toEqual(['create peering west', 'remove peering east']);
  });

  it('compares config entries with their SSM copies when Consul cannot answer', () => {
    const s = spec();
    const state = deployedState(s);
    delete state.configEntries;
    expect(computeChangeSet(s, state, context).noChange).toBe(true);
    const flipped = computeChangeSet(spec((i) => (i.intentions[0].action = 'deny')), state, context);
    expect(changed(flipped)).toContain('update config-entry service-intentions/todos');
  });

  it('refuses a launch-type change (mesh-wide: every service, the servers included), naming each service', () => {
    const before = spec();
    const set = computeChangeSet(spec((i) => (i.network = { launchType: 'EC2', mode: 'awsvpc' })), deployedState(before), context);
    expect(set.refused).toHaveLength(5);
    expect(set.refused[0]).toMatch(/^service consul-server\/consul-server: launchType: "FARGATE" → "EC2": ECS cannot change/);
    expect(set.noChange).toBe(false);
  });

  it('refuses a network-mode change of an existing service', () => {
    const before = spec((i) => (i.network = { launchType: 'EC2', mode: 'awsvpc' }));
    const set = computeChangeSet(spec((i) => (i.network = { launchType: 'EC2', mode: 'host' })), deployedState(before), context);
    expect(set.refused.some((r) => /networkMode: "awsvpc" → "host"/.test(r))).toBe(true);
  });

  it('deregisters revisions older than the live and the previous one', () => {
    const s = spec();
    const state = deployedState(s);
    const family = state.families.find((f) => f.family === 'shop-users')!;
    family.activeArns = [3, 2, 1].map((n) => `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/shop-users:${n}`);
    family.latest = { ...family.latest, taskDefinitionArn: family.activeArns[0] };
    state.services.find((x) => x.service.serviceName === 'users')!.service.taskDefinition = family.activeArns[0];
    const unchanged = computeChangeSet(s, state, context);
    expect(find(unchanged, 'task-definition', 'shop-users')!.fields).toEqual([{ path: 'revision', before: family.activeArns[2] }]);
    // A new revision becomes the live one: only the current one stays as the previous.
    const rolled = computeChangeSet(spec((i) => (i.clusters[0].services[0].image = 'users:1.1.0')), state, context);
    expect(find(rolled, 'task-definition', 'shop-users')!.fields!.map((f) => f.before)).toEqual(family.activeArns.slice(1));
  });

  it('reports the secrets a deployment would create, never one that exists', () => {
    const s = spec();
    const state = deployedState(s);
    state.parameters = state.parameters.filter((p) => !p.name.endsWith('/gossip-key'));
    expect(changed(computeChangeSet(s, state, context))).toEqual(['create secret /consul-mesh/shop/secrets/gossip-key']);
  });
});
