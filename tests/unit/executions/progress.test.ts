import { initialProgress, reduceHistory, type DeploymentProgress, type StageName, type StageState } from '../../../layers/executions/progress';
import { HistoryBuilder, scriptedDeployRun, shopPlan, stageStatus } from '../cli/support/history';

function states(progress: DeploymentProgress): Record<StageName, StageState> {
  return Object.fromEntries(progress.stages.map((s) => [s.name, s.state])) as Record<StageName, StageState>;
}

/** Applies a history in slices, as a poller that sees a few new events per poll would. */
function replay(events: Parameters<typeof reduceHistory>[1], slice: number): DeploymentProgress[] {
  const seen: DeploymentProgress[] = [];
  let progress = initialProgress();
  for (let i = 0; i < events.length; i += slice) {
    progress = reduceHistory(progress, events.slice(0, i + slice));
    seen.push(progress);
  }
  return seen;
}

describe('reduceHistory (execution history → stage progress)', () => {
  it('walks every stage from pending through running to done for a successful run', () => {
    const run = scriptedDeployRun();
    const snapshots = replay(run.events, 1);
    const final = snapshots[snapshots.length - 1];

    expect(states(final)).toEqual({ plan: 'done', images: 'done', config: 'done', servers: 'done', 'mesh-gateway': 'skipped', peering: 'skipped', services: 'done', ingress: 'done', removals: 'skipped', summary: 'done' });
    expect(final.status).toBe('SUCCEEDED');
    expect(final.lastEventId).toBe(run.events.length);
    // Each stage was seen running at some point, in order, and never went back to pending.
    const firstRunning = (stage: StageName) => snapshots.findIndex((p) => states(p)[stage] === 'running');
    const order = (['plan', 'images', 'config', 'servers', 'services', 'ingress', 'summary'] as StageName[]).map(firstRunning);
    expect(order.every((index) => index >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('reports per-service running/desired counts from the latest check output', () => {
    const run = scriptedDeployRun();
    const snapshots = replay(run.events, 1);
    const serversMidway = snapshots.find((p) => p.services.find((s) => s.name === 'consul-server')?.runningCount === 1);
    expect(serversMidway?.services.find((s) => s.name === 'consul-server')).toEqual({
      stage: 'servers',
      cluster: 'consul-server',
      name: 'consul-server',
      action: 'create',
      desiredCount: 3,
      runningCount: 1,
      pendingCount: 2,
      registeredPassing: 1,
    });
    expect(serversMidway?.stages.find((s) => s.name === 'servers')).toMatchObject({ state: 'running', round: 1, waitingFor: { 'consul-server': 'ECS services to become stable: consul-server' } });

    const final = snapshots[snapshots.length - 1];
    expect(final.services.map((s) => [s.stage, `${s.cluster}/${s.name}`, `${s.runningCount}/${s.desiredCount}`])).toEqual([
      ['servers', 'consul-server/consul-server', '3/3'],
      ['services', 'cluster-1/users', '2/2'],
      ['services', 'cluster-2/todos', '1/1'],
      ['ingress', 'ingress/ingress-gateway', '1/1'],
    ]);
    expect(final.consul?.leader).toBe('10.0.1.10:8300');
    expect(final.stages.find((s) => s.name === 'servers')?.waitingFor).toEqual({});
  });

  it('lists the planned services before any check and follows image builds and Map iterations', () => {
    const run = scriptedDeployRun();
    const snapshots = replay(run.events, 1);
    const afterPlan = snapshots.find((p) => p.services.length > 0);
    expect(afterPlan?.services.map((s) => [s.name, s.desiredCount, s.runningCount])).toEqual([
      ['consul-server', 3, undefined],
      ['users', 2, undefined],
      ['todos', 1, undefined],
      ['ingress-gateway', 1, undefined],
    ]);
    expect(afterPlan?.images).toEqual([
      { name: 'consul-server', status: 'pending' },
      { name: 'users', status: 'pending' },
    ]);
    const building = snapshots.find((p) => p.images.some((i) => i.status === 'IN_PROGRESS'));
    expect(building?.images.find((i) => i.name === 'users')).toMatchObject({ status: 'IN_PROGRESS', phase: 'SUBMITTED' });
    expect(building?.stages.find((s) => s.name === 'images')?.iterations).toEqual({ total: 2, succeeded: 1, failed: 0 });
    const final = snapshots[snapshots.length - 1];
    expect(final.images.find((i) => i.name === 'users')).toMatchObject({ status: 'SUCCEEDED', built: true });
    expect(final.stages.find((s) => s.name === 'services')?.iterations).toEqual({ total: 2, succeeded: 2, failed: 0 });
  });

  it('marks the stage named by Failed:<stage> failed with the caught error, and the run FAILED', () => {
    const run = scriptedDeployRun({ failAt: 'servers' });
    const final = reduceHistory(initialProgress(), run.events);
    expect(states(final)).toEqual({ plan: 'done', images: 'done', config: 'done', servers: 'failed', 'mesh-gateway': 'pending', peering: 'pending', services: 'pending', ingress: 'pending', removals: 'pending', summary: 'pending' });
    expect(final.status).toBe('FAILED');
    expect(final.stages.find((s) => s.name === 'servers')?.error).toEqual({ error: 'DeploymentFailed', cause: 'consul-server: tasks stopped: Essential container in task exited' });
    expect(final.executionError?.error).toBe('DeploymentFailed');
    expect(JSON.parse(final.executionError?.cause ?? '{}')).toMatchObject({ stage: 'servers', service: 'consul-server' });
  });

  it('gives the same result however the history is sliced into polls, and ignores events already applied', () => {
    const run = scriptedDeployRun();
    const all = reduceHistory(initialProgress(), run.events);
    for (const slice of [3, 7, 50]) expect(replay(run.events, slice).pop()).toEqual(all);
    // A poll that overlaps the previous one (a newest-first page reaching back past the last id) changes nothing.
    const half = reduceHistory(initialProgress(), run.events.slice(0, 40));
    expect(reduceHistory(half, run.events.slice(20).reverse())).toEqual(all);
  });

  it('pairs a TaskSucceeded with its state through previousEventId when Map iterations interleave', () => {
    const h = new HistoryBuilder();
    const started = h.executionStarted({});
    const mapEntered = h.entered('Map', 'ServiceClusters', started);
    const mapStarted = h.add('MapStateStarted', mapEntered, { mapStateStartedEventDetails: { length: 2 } });
    const it0 = h.add('MapIterationStarted', mapStarted, { mapIterationStartedEventDetails: { name: 'ServiceClusters', index: 0 } });
    const it1 = h.add('MapIterationStarted', mapStarted, { mapIterationStartedEventDetails: { name: 'ServiceClusters', index: 1 } });
    const check0 = h.entered('Task', 'ClusterCheck', it0);
    const attempt0 = h.taskAttempt(check0);
    // Iteration 1 enters a Wait state between iteration 0's TaskStarted and its TaskSucceeded.
    h.entered('Wait', 'ClusterWait', it1);
    h.add('TaskSucceeded', attempt0, {
      taskSucceededEventDetails: { resourceType: 'lambda', resource: 'invoke', output: JSON.stringify({ Payload: stageStatus('services', 'cluster-1', false, 1, [['users', 2, 1]]), StatusCode: 200 }) },
    });

    const progress = reduceHistory(initialProgress(), h.events);
    expect(progress.services).toEqual([{ stage: 'services', cluster: 'cluster-1', name: 'users', desiredCount: 2, runningCount: 1, pendingCount: 1, registeredPassing: 1 }]);
    expect(progress.stages.find((s) => s.name === 'services')?.state).toBe('running');
  });

  it('still places results and task errors when previousEventId only links each event to the one before it', () => {
    // Some histories (simplified emulators) link every event to the previous id, even across Map iterations.
    const h = new HistoryBuilder();
    h.executionStarted({});
    h.entered('Map', 'ServiceClusters', h.lastId);
    h.add('MapStateStarted', undefined, { mapStateStartedEventDetails: { length: 2 } });
    h.add('MapIterationStarted', undefined, { mapIterationStartedEventDetails: { name: 'ServiceClusters', index: 0 } });
    h.add('MapIterationStarted', undefined, { mapIterationStartedEventDetails: { name: 'ServiceClusters', index: 1 } });
    h.entered('Task', 'ClusterCheck', h.lastId);
    h.add('LambdaFunctionScheduled', undefined, { lambdaFunctionScheduledEventDetails: { resource: 'arn:aws:lambda:us-east-1:000000000000:function:checkStage' } });
    h.add('LambdaFunctionStarted', undefined);
    h.entered('Wait', 'ClusterWait', h.lastId);
    h.add('LambdaFunctionSucceeded', undefined, { lambdaFunctionSucceededEventDetails: { output: JSON.stringify(stageStatus('services', 'cluster-2', false, 3, [['todos', 1, 0]], 'ECS services to become stable: todos')) } });
    h.exited('Wait', 'ClusterWait', h.lastId);
    h.add('LambdaFunctionFailed', undefined, { lambdaFunctionFailedEventDetails: { error: 'Lambda.ServiceException', cause: 'internal error' } });

    const progress = reduceHistory(initialProgress(), h.events);
    expect(progress.services).toEqual([{ stage: 'services', cluster: 'cluster-2', name: 'todos', desiredCount: 1, runningCount: 0, pendingCount: 1, registeredPassing: 0 }]);
    expect(progress.stages.find((s) => s.name === 'services')).toMatchObject({
      state: 'running',
      round: 3,
      waitingFor: { 'cluster-2': 'ECS services to become stable: todos' },
      lastTaskError: { error: 'Lambda.ServiceException', cause: 'internal error' },
    });
  });

  it('reads outputs of Lambda ARN resources (LambdaFunctionSucceeded) and remembers a retried task error', () => {
    const h = new HistoryBuilder();
    const entered = h.entered('Task', 'IngressCheck', h.executionStarted({}));
    const scheduled = h.add('LambdaFunctionScheduled', entered, { lambdaFunctionScheduledEventDetails: { resource: 'arn:aws:lambda:us-east-1:000000000000:function:checkStage' } });
    const first = h.add('LambdaFunctionStarted', scheduled);
    const failed = h.add('LambdaFunctionFailed', first, { lambdaFunctionFailedEventDetails: { error: 'Lambda.TooManyRequestsException', cause: 'Rate exceeded' } });
    const again = h.add('LambdaFunctionScheduled', failed, { lambdaFunctionScheduledEventDetails: { resource: 'arn:aws:lambda:us-east-1:000000000000:function:checkStage' } });
    const second = h.add('LambdaFunctionStarted', again);
    const mid = reduceHistory(initialProgress(), h.events);
    expect(mid.stages.find((s) => s.name === 'ingress')?.lastTaskError).toEqual({ state: 'IngressCheck', error: 'Lambda.TooManyRequestsException', cause: 'Rate exceeded' });

    h.add('LambdaFunctionSucceeded', second, { lambdaFunctionSucceededEventDetails: { output: JSON.stringify(stageStatus('ingress', 'ingress', false, 2, [['ingress-gateway', 1, 0]], 'Consul registrations: ingress-gateway')) } });
    const progress = reduceHistory(mid, h.events);
    expect(progress.services).toEqual([{ stage: 'ingress', cluster: 'ingress', name: 'ingress-gateway', desiredCount: 1, runningCount: 0, pendingCount: 1, registeredPassing: 0 }]);
    expect(progress.stages.find((s) => s.name === 'ingress')).toMatchObject({ state: 'running', round: 2, waitingFor: { ingress: 'Consul registrations: ingress-gateway' } });
    expect(progress.stages.find((s) => s.name === 'ingress')?.lastTaskError).toBeUndefined();
  });

  it('times each stage from the history\'s timestamps and counts its failed task attempts', () => {
    const run = scriptedDeployRun();
    const final = reduceHistory(initialProgress(), run.events);
    const at = (id: number | undefined) => (run.events.find((e) => e.id === id)?.timestamp as Date).toISOString();
    const enteredAt = (state: string) => at(run.events.find((e) => e.stateEnteredEventDetails?.name === state)?.id);
    const servers = final.stages.find((s) => s.name === 'servers');
    expect(servers?.startedAt).toBe(enteredAt('ServersEnsure'));
    // A stage ends when the next one is entered (the stages run in order).
    expect(servers?.endedAt).toBe(enteredAt('ServiceClusters'));
    expect(Date.parse(servers?.endedAt as string)).toBeGreaterThan(Date.parse(servers?.startedAt as string));
    expect(final.stages.find((s) => s.name === 'summary')?.endedAt).toBe(at(run.events[run.events.length - 1].id));
    expect(final.stages.find((s) => s.name === 'removals')).toEqual({ name: 'removals', state: 'skipped' });

    const h = new HistoryBuilder();
    const entered = h.entered('Task', 'IngressCheck', h.executionStarted({}));
    let prev = entered;
    for (let attempt = 0; attempt < 2; attempt++) {
      const scheduled = h.add('LambdaFunctionScheduled', prev, { lambdaFunctionScheduledEventDetails: { resource: 'arn:aws:lambda:us-east-1:000000000000:function:checkStage' } });
      const started = h.add('LambdaFunctionStarted', scheduled);
      prev = h.add('LambdaFunctionFailed', started, { lambdaFunctionFailedEventDetails: { error: 'Lambda.TooManyRequestsException', cause: 'Rate exceeded' } });
    }
    expect(reduceHistory(initialProgress(), h.events).stages.find((s) => s.name === 'ingress')).toMatchObject({
      state: 'running',
      failedAttempts: 2,
      startedAt: (h.events[entered - 1].timestamp as Date).toISOString(),
    });
  });

  it('skips the ingress stage when HasIngress? goes straight to Summarize', () => {
    const h = new HistoryBuilder();
    let last = h.task('Plan', h.executionStarted({}), { ...shopPlan(), hasIngress: false });
    last = h.choice('HasIngress?', last);
    h.entered('Task', 'Summarize', last);
    const progress = reduceHistory(initialProgress(), h.events);
    expect(states(progress)).toMatchObject({ plan: 'done', images: 'skipped', ingress: 'skipped', summary: 'running' });
  });

  it('follows the peering stage: what it did for each peer, the dialer\'s state at each check, and what it waits for', () => {
    const h = new HistoryBuilder();
    let last = h.task('Plan', h.executionStarted({}), { ...shopPlan(), hasPeering: true });
    last = h.choice('HasPeering?', last);
    last = h.task('PeeringEnsure', last, { ready: false, round: 0, waitingFor: 'peering "east" ESTABLISHING', peers: [{ name: 'east', role: 'dialer', action: 'established', state: 'ESTABLISHING' }] });
    last = h.choice('PeeringReady?', last);
    const waiting = reduceHistory(initialProgress(), h.events);
    expect(states(waiting)).toMatchObject({ servers: 'skipped', 'mesh-gateway': 'skipped', peering: 'running', services: 'pending' });
    expect(waiting.stages.find((s) => s.name === 'peering')).toMatchObject({ round: 0, waitingFor: { peering: 'peering "east" ESTABLISHING' } });
    expect(waiting.peerings).toEqual([{ name: 'east', role: 'dialer', action: 'established', state: 'ESTABLISHING' }]);

    last = h.task('PeeringCheck', last, { ready: true, round: 1, waitingFor: '', peers: [{ name: 'east', role: 'dialer', action: 'established', state: 'ACTIVE' }] });
    h.entered('Map', 'ServiceClusters', last);
    const done = reduceHistory(waiting, h.events);
    expect(states(done)).toMatchObject({ peering: 'done', services: 'running' });
    expect(done.stages.find((s) => s.name === 'peering')?.waitingFor).toEqual({});
    expect(done.peerings).toEqual([{ name: 'east', role: 'dialer', action: 'established', state: 'ACTIVE' }]);
  });

  it('fails the running stage when the execution times out', () => {
    const h = new HistoryBuilder();
    const waiting = h.entered('Wait', 'ServersWait', h.executionStarted({}));
    h.add('ExecutionTimedOut', waiting, { executionTimedOutEventDetails: { error: 'States.Timeout', cause: 'The execution timed out' } });
    const progress = reduceHistory(initialProgress(), h.events);
    expect(progress.status).toBe('TIMED_OUT');
    expect(states(progress).servers).toBe('failed');
    expect(progress.executionError).toEqual({ error: 'States.Timeout', cause: 'The execution timed out' });
  });

  it('does not modify the progress it is given', () => {
    const start = initialProgress();
    const copy = structuredClone(start);
    reduceHistory(start, scriptedDeployRun().events);
    expect(start).toEqual(copy);
  });
});
