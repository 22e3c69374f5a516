import type { MeshView } from '../../../layers/api/mesh';
import type { DeploymentView } from '../../../ui/src/api';
import { nextPollDelay } from '../../../ui/src/model/backoff';
import { layoutGraph } from '../../../ui/src/model/layout';
import { rolloutGraph } from '../../../ui/src/model/rollout-graph';
import { deploymentGraph, planGraph } from '../../../ui/src/model/stage-graph';
import { describeState } from '../../../ui/src/model/status';
import { buildTopology, revisionOf } from '../../../ui/src/model/topology';
import { peerRows } from '../../../ui/src/model/peers';

/** The dashboard's pure models: what the graphs and the drift highlights are made of. */
function deployment(overrides: Partial<DeploymentView> = {}): DeploymentView {
  return {
    id: 'd-1',
    status: 'RUNNING',
    execution: 'x',
    executionStatus: 'RUNNING',
    stages: [
      { name: 'plan', state: 'done', startedAt: '2026-01-01T00:00:00.000Z', endedAt: '2026-01-01T00:00:01.500Z' },
      { name: 'images', state: 'done' },
      { name: 'config', state: 'done' },
      { name: 'servers', state: 'done' },
      { name: 'services', state: 'running', round: 3, waitingFor: { 'cluster-2': 'Consul registrations: todos' }, failedAttempts: 1, lastTaskError: { error: 'ThrottlingException' } },
      { name: 'ingress', state: 'pending' },
      { name: 'removals', state: 'pending' },
      { name: 'summary', state: 'pending' },
    ],
    services: [
      { stage: 'servers', cluster: 'consul-server', name: 'consul-server', desiredCount: 3, runningCount: 3, registeredPassing: 0 },
      { stage: 'services', cluster: 'cluster-1', name: 'users', desiredCount: 2, runningCount: 2, registeredPassing: 2 },
      { stage: 'services', cluster: 'cluster-2', name: 'todos', desiredCount: 2, runningCount: 1, registeredPassing: 1 },
    ],
    images: [],
    ...overrides,
  };
}

describe('deploymentGraph', () => {
  it('draws one node per service cluster between the servers and the ingress, each with its own state', () => {
    const graph = deploymentGraph(deployment(), Date.parse('2026-01-01T00:00:10Z'));
    expect(graph.nodes.map((n) => n.id)).toEqual(['plan', 'images', 'config', 'servers', 'services:cluster-1', 'services:cluster-2', 'ingress', 'removals', 'summary']);
    expect(graph.edges).toEqual(
      expect.arrayContaining([
        { from: 'servers', to: 'services:cluster-1' },
        { from: 'servers', to: 'services:cluster-2' },
        { from: 'services:cluster-1', to: 'ingress' },
        { from: 'services:cluster-2', to: 'ingress' },
      ]),
    );
    expect(graph.edges.some((e) => e.from === 'services:cluster-1' && e.to === 'services:cluster-2')).toBe(false);
    const byId = Object.fromEntries(graph.nodes.map((n) => [n.id, n]));
    // cluster-1 is up while cluster-2 still waits: the graph says so per cluster.
    expect(byId['services:cluster-1'].state).toBe('done');
    expect(byId['services:cluster-2'].state).toBe('running');
    expect(byId['services:cluster-2'].lines).toEqual(expect.arrayContaining(['todos: 1/2 running, 1 passing', 'waiting for Consul registrations: todos', 'check 3', '1 failed attempt (retried)', 'retrying after ThrottlingException']));
    expect(byId.plan.lines).toContain('took 1.5 s');
  });

  it('names the failing stage\'s error and cause on its node', () => {
    const view = deployment({ status: 'FAILED' });
    view.stages[3] = { name: 'servers', state: 'failed', error: { error: 'ServiceNotStable', cause: 'consul-server: 1/3 running' } };
    const servers = deploymentGraph(view).nodes.find((n) => n.id === 'servers');
    expect(servers).toMatchObject({ state: 'failed' });
    expect(servers?.lines).toContain('ServiceNotStable: consul-server: 1/3 running');
  });

  it('draws the peering stage between the servers and the service clusters with what it did for each peer', () => {
    const view = deployment({ peerings: [{ name: 'east', role: 'dialer', action: 'established', state: 'ESTABLISHING' }] });
    view.stages.splice(4, 0, { name: 'peering', state: 'running', round: 2, waitingFor: { peering: 'peering "east" ESTABLISHING' } });
    view.stages[5] = { name: 'services', state: 'pending' };
    const graph = deploymentGraph(view);
    expect(graph.nodes.map((n) => n.id).slice(3, 6)).toEqual(['servers', 'peering', 'services:cluster-1']);
    const peering = graph.nodes.find((n) => n.id === 'peering');
    expect(peering).toMatchObject({ label: 'Cluster peering', state: 'running' });
    expect(peering?.lines).toEqual(['east (dialer): established, ESTABLISHING', 'waiting for peering "east" ESTABLISHING', 'check 2']);
  });
});

describe('planGraph', () => {
  it('shows the peering stage only when the plan creates or deletes a peering', () => {
    const peered = planGraph([
      { kind: 'peering', id: 'west', action: 'create' },
      { kind: 'peering', id: 'old', action: 'remove' },
    ]);
    expect(peered.nodes.map((n) => n.id)).toEqual(['plan', 'images', 'config', 'servers', 'peering', 'services', 'ingress', 'removals', 'summary']);
    expect(peered.nodes.find((n) => n.id === 'peering')).toMatchObject({ label: 'Cluster peering', state: 'pending', lines: ['+ peering west', '− peering old'] });
    expect(peered.nodes.find((n) => n.id === 'removals')?.lines).toEqual(['no change']);
    expect(planGraph([{ kind: 'peering', id: 'west', action: 'unchanged' }]).nodes.map((n) => n.id)).not.toContain('peering');
  });

  it('puts each change on the stage that would make it, and marks untouched stages unchanged', () => {
    const graph = planGraph([
      { kind: 'image', id: 'users', action: 'update' },
      { kind: 'service', id: 'cluster-1/users', action: 'update', cluster: 'cluster-1', role: 'service' },
      { kind: 'service', id: 'cluster-2/todos', action: 'unchanged', cluster: 'cluster-2', role: 'service' },
      { kind: 'service', id: 'cluster-3/billing', action: 'remove', cluster: 'cluster-3', role: 'service' },
    ]);
    const byId = Object.fromEntries(graph.nodes.map((n) => [n.id, n]));
    expect(byId.images.lines).toEqual(['~ image users']);
    expect(byId['services:cluster-1']).toMatchObject({ state: 'pending', lines: ['~ service cluster-1/users'] });
    expect(byId.removals.lines).toEqual(['− service cluster-3/billing']);
    expect(byId.config).toMatchObject({ state: 'unchanged', lines: ['no change'] });
  });
});

function mesh(): MeshView {
  const task = (id: string, ip: string, registered = true, passing = true, address = ip) => ({
    taskId: id,
    ip,
    lastStatus: 'RUNNING',
    health: 'HEALTHY',
    taskDefinitionArn: 'arn:aws:ecs:us-east-1:000000000000:task-definition/m-users:7',
    consul: { id: `svc-${id}`, registered, passing, address, checks: [] },
  });
  const service = (name: string, tasks: ReturnType<typeof task>[], upstreams: Array<{ service: string; localBindPort: number }> = [], stale: MeshView['clusters'][number]['services'][number]['stale'] = []) => ({
    name,
    role: 'service' as const,
    status: 'ACTIVE',
    desiredCount: tasks.length,
    runningCount: tasks.length,
    pendingCount: 0,
    deployments: 1,
    upstreams,
    stale,
    tasks,
  });
  return {
    mesh: 'm',
    consul: { leader: '10.0.0.1:8300', peers: ['10.0.0.1:8300'] },
    intentions: [
      { source: 'gw', destination: 'users', action: 'allow' },
      { source: 'todos', destination: 'users', action: 'deny' },
      { source: '*', destination: 'todos', action: 'deny' },
    ],
    ingress: { name: 'gw', cluster: 'ingress', listeners: [{ port: 80, protocol: 'http', services: ['*'] }] },
    clusters: [
      { name: 'c1', services: [service('users', [task('a1', '10.0.0.2'), task('a2', '10.0.0.3', true, true, '10.9.9.9')], [{ service: 'todos', localBindPort: 1234 }])] },
      {
        name: 'c2',
        services: [service('todos', [task('b1', '10.0.0.4', false, false)], [], [{ id: 'todos-dead', address: '10.0.0.8', passing: true }])],
      },
      { name: 'ingress', services: [{ ...service('gw', [task('g1', '10.0.0.5')]), role: 'ingress-gateway' as const }] },
    ],
  };
}

describe('buildTopology', () => {
  it('draws upstreams, intentions (not the wildcard) and the ingress routes as separate edges', () => {
    const { edges } = buildTopology(mesh());
    expect(edges).toEqual([
      { from: 'users', to: 'todos', kind: 'upstream', label: 'upstream :1234' },
      { from: 'gw', to: 'users', kind: 'allow', label: 'intention allow' },
      { from: 'todos', to: 'users', kind: 'deny', label: 'intention deny' },
      { from: 'gw', to: 'users', kind: 'route', label: ':80 http' },
      { from: 'gw', to: 'todos', kind: 'route', label: ':80 http' },
    ]);
  });

  it('flags drift on the service node and on the very task rows it concerns', () => {
    const topology = buildTopology(mesh());
    expect(topology.drift.map((d) => d.kind).sort()).toEqual(['address', 'missing', 'stale']);
    const byId = Object.fromEntries(topology.nodes.map((n) => [n.id, n]));
    expect(byId.users.state).toBe('address');
    expect(byId.todos.state).toBe('missing');
    expect(byId.gw.state).toBe('passing');
    expect(topology.driftByInstance.get('a2')?.map((d) => d.kind)).toEqual(['address']);
    expect(topology.driftByInstance.get('b1')?.map((d) => d.kind)).toEqual(['missing']);
    expect(topology.driftByInstance.get('todos-dead')?.map((d) => d.kind)).toEqual(['stale']);
    expect(topology.driftByInstance.has('a1')).toBe(false);
    expect(revisionOf('arn:aws:ecs:us-east-1:000000000000:task-definition/m-users:7')).toBe('7');
  });
});

function peered(): MeshView {
  const view = mesh();
  // users calls its own mesh's todos and, on another port, the todos west exports; and billing, which south does not export.
  view.clusters[0].services[0].upstreams = [
    { service: 'todos', localBindPort: 1234 },
    { service: 'todos', localBindPort: 1235, peer: 'west' },
    { service: 'billing', localBindPort: 1236, peer: 'south' },
  ];
  view.peers = [
    { name: 'west', mesh: 'west-mesh', region: 'eu-west-1', role: 'acceptor', state: 'ACTIVE', importedServices: ['todos'], exportedServices: ['users'] },
    { name: 'south', mesh: 'south-mesh', region: 'sa-east-1', role: 'dialer', state: 'FAILING', importedServices: [], exportedServices: [] },
    { name: 'north', mesh: 'north-mesh', region: 'ca-central-1', role: 'dialer', state: 'ACTIVE', importedServices: ['audit'], exportedServices: [] },
  ];
  return view;
}

describe('peers in the topology', () => {
  it("draws an upstream that names a peer to that peer's imported service, not to the local service of the same name", () => {
    const { nodes, edges } = buildTopology(peered());
    expect(edges.filter((e) => e.kind === 'upstream')).toEqual([
      { from: 'users', to: 'todos', kind: 'upstream', label: 'upstream :1234' },
      { from: 'users', to: 'peer:west/todos', kind: 'upstream', label: 'upstream :1235' },
      { from: 'users', to: 'peer:south/billing', kind: 'upstream', label: 'upstream :1236' },
    ]);
    const byId = Object.fromEntries(nodes.map((n) => [n.id, n]));
    expect(byId['peer:west/todos']).toMatchObject({ label: 'todos (west)', role: 'imported', state: 'ACTIVE', lines: ['imported from peer west', 'west-mesh · eu-west-1'] });
    // The peering's problem is the imported service's.
    expect(byId['peer:south/billing'].state).toBe('FAILING');
  });

  it('marks an imported service the active peer does not export, and a peer the view does not know', () => {
    const view = peered();
    view.clusters[0].services[0].upstreams = [
      { service: 'billing', localBindPort: 1237, peer: 'west' },
      { service: 'audit', localBindPort: 1238, peer: 'east' },
    ];
    const byId = Object.fromEntries(buildTopology(view).nodes.map((n) => [n.id, n]));
    expect(byId['peer:west/billing']).toMatchObject({ state: 'not-imported', lines: ['imported from peer west', 'west-mesh · eu-west-1', 'not exported by west'] });
    expect(byId['peer:east/audit'].state).toBe('UNDEFINED');
    expect(describeState('not-imported')).toEqual({ text: 'not imported', symbol: '!', tone: 'bad' });
  });

  it('lists each peer with its problem flag, the meaning of its state and the upstreams that use it', () => {
    const rows = peerRows(peered());
    expect(rows.map((r) => [r.name, r.problem, r.note, r.usedBy])).toEqual([
      ['west', false, 'connected', ['users → todos']],
      ['south', true, 'the stream to the peer is failing: check both mesh gateways', ['users → billing']],
      ['north', false, 'connected', []],
    ]);
    for (const state of ['FAILING', 'TERMINATED']) expect(describeState(state).tone).toBe('bad');
    expect(peerRows(mesh())).toEqual([]);
  });
});

describe('rolloutGraph', () => {
  it('branches the rollback off the step that failed', () => {
    const graph = rolloutGraph({
      id: 'r-1',
      service: 'users',
      status: 'ROLLED_BACK',
      execution: 'x',
      executionStatus: 'FAILED',
      request: { image: 'users:fail-crash' },
      steps: [
        { name: 'prepare', state: 'done' },
        { name: 'build', state: 'skipped' },
        { name: 'register', state: 'done' },
        { name: 'update', state: 'done' },
        { name: 'stabilize', state: 'failed' },
        { name: 'bake', state: 'pending' },
        { name: 'rollback', state: 'done' },
      ],
      previousTaskDefinitionArn: 'arn:aws:ecs:us-east-1:0:task-definition/m-users:1',
      failure: { step: 'stabilize', error: 'DeploymentFailed', message: 'tasks failed to start', rolledBack: true },
    });
    expect(graph.edges).toContainEqual({ from: 'stabilize', to: 'rollback' });
    expect(graph.nodes.find((n) => n.id === 'stabilize')?.lines).toEqual(['DeploymentFailed: tasks failed to start']);
    expect(graph.nodes.find((n) => n.id === 'rollback')?.lines).toEqual(['to m-users:1']);
  });
});

describe('layoutGraph', () => {
  it('places nodes without overlap, left to right or top to bottom', () => {
    const nodes = ['a', 'b', 'c', 'd'].map((id) => ({ id, width: 120, height: 60 }));
    const edges = [
      { from: 'a', to: 'b' },
      { from: 'a', to: 'c' },
      { from: 'b', to: 'd' },
      { from: 'c', to: 'd' },
    ];
    for (const direction of ['LR', 'TB'] as const) {
      const layout = layoutGraph(nodes, edges, direction);
      const at = Object.fromEntries(layout.nodes.map((n) => [n.id, n]));
      for (const [i, p] of layout.nodes.entries()) {
        for (const q of layout.nodes.slice(i + 1)) {
          const apart = p.x + p.width <= q.x || q.x + q.width <= p.x || p.y + p.height <= q.y || q.y + q.height <= p.y;
          expect(apart).toBe(true);
        }
      }
      if (direction === 'LR') expect(at.a.x).toBeLessThan(at.b.x);
      else expect(at.a.y).toBeLessThan(at.b.y);
      expect(layout.edges.map((e) => e.index).sort()).toEqual([0, 1, 2, 3]);
    }
  });
});

describe('status and polling', () => {
  it('says every state in words with a symbol, never by colour alone', () => {
    for (const state of ['running', 'done', 'failed', 'ROLLED_BACK', 'stale', 'missing', 'deny', 'skipped']) {
      const d = describeState(state);
      expect(d.text).toMatch(/\w/);
      expect(d.symbol).not.toBe('');
    }
    expect(describeState('ROLLED_BACK').text).toBe('rolled back');
  });

  it('polls fast while something runs, slower at rest, and backs off after failures up to a ceiling', () => {
    expect(nextPollDelay({ failures: 0, active: true })).toBe(1000);
    expect(nextPollDelay({ failures: 0, active: false })).toBe(5000);
    expect(nextPollDelay({ failures: 1, active: true })).toBe(2000);
    expect(nextPollDelay({ failures: 3, active: true })).toBe(8000);
    expect(nextPollDelay({ failures: 50, active: false })).toBe(30_000);
  });
});
