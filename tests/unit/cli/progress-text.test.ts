import type { DeploymentDescription } from '../../../layers/executions/backend';
import { initialProgress, reduceHistory } from '../../../layers/executions/progress';
import { renderProgressFrame, renderStageState, renderTransitions } from '../../../cli/progress-text';
import { createProgressView, formatDuration, LineView, TerminalView } from '../../../cli/progress-view';
import { scriptedDeployRun, scriptedRemovalRun } from './support/history';

const description: DeploymentDescription = {
  id: 'arn:aws:states:us-east-1:000000000000:execution:consul-mesh-local-deploy-mesh:shop-a1b2c3d4e5f6-20250304050607-k3x9q0',
  name: 'shop-a1b2c3d4e5f6-20250304050607-k3x9q0',
  status: 'RUNNING',
  deploymentId: 'd-20250304050607-k3x9q0',
  mesh: 'shop',
  startedAt: new Date('2025-03-04T05:06:07Z'),
};

function sink(isTTY = false) {
  const writes: string[] = [];
  return { writes, out: { write: (s: string) => writes.push(s), isTTY, columns: 100, rows: 40 } };
}

describe('non-terminal progress: one line per transition', () => {
  it('prints each stage transition and each service count change once, in order, however often it polls', () => {
    const run = scriptedDeployRun({ failAt: 'servers' });
    const { writes, out } = sink();
    const view = new LineView(out);
    let progress = initialProgress();
    for (const event of run.events) {
      progress = reduceHistory(progress, [event]);
      view.update(progress);
      view.update(progress); // a poll that brings nothing new prints nothing
    }
    expect(writes.join('').split('\n').filter(Boolean)).toEqual([
      '[plan] running',
      '[plan] done',
      '[images] running',
      '[images] consul-server: ready (hashicorp/consul:1.20.1)',
      '[images] users: building (SUBMITTED)',
      '[images] users: built (000000000000.dkr.ecr.us-east-1.amazonaws.com/shop/users:ctx-0123456789abcdef0123456789abcdef)',
      '[images] done (2/2)',
      '[config] running',
      '[config] done',
      '[servers] running',
      '[servers] consul-server/consul-server  0/3 running, 3 pending, 0 passing in Consul (create)',
      '[servers] consul-server/consul-server  1/3 running, 2 pending, 1 passing in Consul (create)',
      '[servers] failed (DeploymentFailed)',
    ]);
  });

  it('prints a stage that ended within one poll after its final counts', () => {
    const run = scriptedDeployRun();
    // Up to the second ServersCheck: the servers are at 1/3, and the rest of the run arrives in one poll.
    const checks = run.events.filter((e) => e.type === 'TaskStateEntered' && e.stateEnteredEventDetails?.name === 'ServersCheck');
    const before = reduceHistory(initialProgress(), run.events.filter((e) => (e.id ?? 0) < (checks[1].id ?? 0)));
    const after = reduceHistory(before, run.events);
    expect(renderTransitions(before, after)).toEqual([
      '[servers] consul-server/consul-server  3/3 running, 3 passing in Consul (create)',
      '[servers] done',
      '[mesh-gateway] skipped',
      '[peering] skipped',
      '[services] cluster-1/users  2/2 running, 2 passing in Consul (create)',
      '[services] cluster-2/todos  1/1 running, 1 passing in Consul (unchanged)',
      '[services] done (2/2)',
      '[ingress] ingress/ingress-gateway  1/1 running, 1 passing in Consul (create)',
      '[ingress] done',
      '[removals] skipped',
      '[summary] done',
    ]);
  });
});

describe('the peering stage in the progress output', () => {
  it('prints what the stage did for each peer and each state change once, and lists the peers under the stage', () => {
    const running = initialProgress();
    running.stages.find((s) => s.name === 'peering')!.state = 'running';
    running.peerings = [{ name: 'east', role: 'dialer', action: 'established', state: 'ESTABLISHING' }];
    const active = structuredClone(running);
    active.peerings = [{ name: 'east', role: 'dialer', action: 'established', state: 'ACTIVE' }];
    expect(renderTransitions(initialProgress(), running)).toEqual(['[peering] running', '[peering] east (dialer): established, ESTABLISHING']);
    expect(renderTransitions(running, active)).toEqual(['[peering] east (dialer): established, ACTIVE']);
    expect(renderTransitions(active, active)).toEqual([]);
    expect(renderProgressFrame('shop', active)).toContain('      east (dialer): established, ACTIVE');
  });
});

describe('terminal progress: a frame redrawn in place', () => {
  const midway = () => {
    const run = scriptedDeployRun();
    // Just after the first ServersCheck: 1 of 3 servers running.
    const cut = run.events.findIndex((e) => e.type === 'TaskStateExited' && e.stateExitedEventDetails?.name === 'ServersCheck');
    return reduceHistory(initialProgress(), run.events.slice(0, cut + 1));
  };

  it('shows every stage with its state, and the services under their stage', () => {
    expect(renderProgressFrame('shop d-20250304050607-k3x9q0  RUNNING  42s', midway())).toEqual([
      'shop d-20250304050607-k3x9q0  RUNNING  42s',
      '  ✔ plan          done',
      '  ✔ images        done (2/2)',
      '  ✔ config        done',
      '  ▶ servers       running, round 1, waiting for consul-server: ECS services to become stable: consul-server',
      '      consul-server/consul-server  1/3 running, 2 pending, 1 passing in Consul (create)',
      '  · mesh-gateway',
      '  · peering',
      '  · services',
      '      cluster-1/users  -/2 running (create)',
      '      cluster-2/todos  -/1 running (unchanged)',
      '  · ingress',
      '      ingress/ingress-gateway  -/1 running (create)',
      '  · removals',
      '  · summary',
    ]);
  });

  it('moves the cursor up over the previous frame and erases it before drawing the next', () => {
    const { writes, out } = sink(true);
    const view = createProgressView(out, () => new Date('2025-03-04T05:07:09Z'));
    expect(view).toBeInstanceOf(TerminalView);
    view.update(midway(), description);
    view.update(midway(), description);
    expect(writes[0].startsWith('shop d-20250304050607-k3x9q0  RUNNING  1m02s\n')).toBe(true);
    expect(writes[0]).not.toContain('\x1b[');
    expect(writes[1].startsWith('\x1b[15A\r\x1b[J')).toBe(true);
    expect(writes[1].slice('\x1b[15A\r\x1b[J'.length)).toBe(writes[0]);
  });

  it('cuts lines to the terminal width and the frame to its height, so the redraw count stays right', () => {
    const { writes, out } = sink(true);
    const view = new TerminalView({ ...out, columns: 30, rows: 6 }, () => new Date('2025-03-04T05:07:09Z'));
    view.update(midway(), description);
    const lines = writes[0].split('\n').filter(Boolean);
    expect(lines).toHaveLength(5);
    expect(lines.every((l) => l.length <= 29)).toBe(true);
    expect(lines[4]).toBe('  … 11 more lines');
    view.update(midway(), description);
    expect(writes[1].startsWith('\x1b[5A\r\x1b[J')).toBe(true);
  });

  it('says what a running stage waits for and which failed attempt it is retrying', () => {
    expect(
      renderStageState({
        name: 'services',
        state: 'running',
        iterations: { total: 2, succeeded: 1, failed: 0 },
        round: 4,
        waitingFor: { 'cluster-2': 'Consul registrations: todos' },
        lastTaskError: { state: 'ClusterCheck', error: 'ThrottlingException' },
      }),
    ).toBe('running (1/2), round 4, waiting for cluster-2: Consul registrations: todos, retrying ClusterCheck after ThrottlingException');
  });

  it('draws no frame (no escape sequences) on a terminal when NO_COLOR or TERM=dumb asks for plain output', () => {
    const tty = { write: () => true, isTTY: true };
    const now = () => new Date(0);
    expect(createProgressView(tty, now, {})).toBeInstanceOf(TerminalView);
    expect(createProgressView(tty, now, { NO_COLOR: '1' })).toBeInstanceOf(LineView);
    expect(createProgressView(tty, now, { TERM: 'dumb' })).toBeInstanceOf(LineView);
    expect(createProgressView({ write: () => true, isTTY: false }, now, {})).toBeInstanceOf(LineView);
  });

  it('formats elapsed time compactly', () => {
    expect([formatDuration(42_000), formatDuration(185_000), formatDuration(3_720_000)]).toEqual(['42s', '3m05s', '1h02m']);
    // A quick run is not "0s".
    expect([formatDuration(0), formatDuration(420), formatDuration(9_949)]).toEqual(['0.0s', '0.4s', '9.9s']);
  });
});

describe('the services a deployment removes', () => {
  it('are listed under the removal stage from the plan on, then draining with their tasks left, then deleted', () => {
    const run = scriptedRemovalRun();
    const { writes, out } = sink();
    const view = new LineView(out);
    let progress = initialProgress();
    const frames: string[][] = [];
    for (const event of run.events) {
      progress = reduceHistory(progress, [event]);
      view.update(progress);
      frames.push(renderProgressFrame('shop', progress));
    }
    expect(writes.join('').split('\n').filter((l) => l.startsWith('[removals]'))).toEqual([
      '[removals] running',
      '[removals] cluster-2/billing  draining (remove)',
      '[removals] cluster-2/billing  draining, 2 task(s) left (remove)',
      '[removals] cluster-2/billing  draining, 1 task(s) left (remove)',
      '[removals] cluster-2/billing  deleted (remove)',
      '[removals] done',
    ]);
    // The live frame shows it before the stage starts, as it shows the services the stages will create.
    const afterPlan = frames[run.events.findIndex((e) => e.type === 'TaskStateExited' && e.stateExitedEventDetails?.name === 'Plan')];
    expect(afterPlan.slice(-3)).toEqual(['  · removals', '      cluster-2/billing  to remove (remove)', '  · summary']);
    expect(progress.services.find((s) => s.name === 'billing')).toEqual({
      stage: 'removals',
      cluster: 'cluster-2',
      name: 'billing',
      action: 'remove',
      desiredCount: 0,
      removal: 'deleted',
      runningCount: 0,
    });
  });
});
