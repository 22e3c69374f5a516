import type { HistoryEvent, HistoryEventType } from '@aws-sdk/client-sfn';
import type { DeploymentFailure, DeploymentPlan, DeploymentSummary, StageStatus } from '../../../../layers/deploy/types';

/**
 * Builds execution histories the way Step Functions records them (GetExecutionHistory): increasing `id`,
 * `previousEventId` chaining each event to the one that caused it, `*StateEntered`/`*StateExited` with the state
 * name, Lambda task results as `TaskSucceeded` of resource type `lambda`, resource `invoke`, whose output is the
 * Invoke response (`{ExecutedVersion, Payload, StatusCode}`), and Map iterations between
 * MapStateStarted/MapIterationStarted/MapIterationSucceeded/MapStateSucceeded.
 */
export class HistoryBuilder {
  readonly events: HistoryEvent[] = [];
  private clock: number;

  constructor(start = Date.UTC(2025, 2, 4, 5, 6, 7)) {
    this.clock = start;
  }

  /** Appends one event and returns its id. */
  add(type: HistoryEventType, previousEventId: number | undefined, details: Partial<HistoryEvent> = {}): number {
    const id = this.events.length + 1;
    this.clock += 250;
    this.events.push({ id, previousEventId: previousEventId ?? id - 1, timestamp: new Date(this.clock), type, ...details });
    return id;
  }

  get lastId(): number {
    return this.events.length;
  }

  executionStarted(input: unknown): number {
    return this.add('ExecutionStarted', 0, {
      executionStartedEventDetails: { input: JSON.stringify(input), roleArn: 'arn:aws:iam::000000000000:role/deploy-mesh' },
    });
  }

  entered(kind: 'Task' | 'Pass' | 'Choice' | 'Wait' | 'Map' | 'Fail' | 'Succeed', name: string, prev: number, input: unknown = {}): number {
    return this.add(`${kind}StateEntered` as HistoryEventType, prev, { stateEnteredEventDetails: { name, input: JSON.stringify(input) } });
  }

  exited(kind: 'Task' | 'Pass' | 'Choice' | 'Wait' | 'Map' | 'Succeed', name: string, prev: number, output: unknown = {}): number {
    return this.add(`${kind}StateExited` as HistoryEventType, prev, { stateExitedEventDetails: { name, output: JSON.stringify(output) } });
  }

  /** A Lambda task state that succeeds on its first attempt with `output` (the function's return value). */
  task(name: string, prev: number, output: unknown): number {
    const entered = this.entered('Task', name, prev);
    const started = this.taskAttempt(entered);
    const succeeded = this.add('TaskSucceeded', started, {
      taskSucceededEventDetails: { resourceType: 'lambda', resource: 'invoke', output: JSON.stringify({ ExecutedVersion: '$LATEST', Payload: output, StatusCode: 200 }) },
    });
    return this.exited('Task', name, succeeded, output);
  }

  /** A Lambda task state whose function throws `error` (not retried): the Catch takes over after it. */
  failedTask(name: string, prev: number, error: string, message: string): number {
    const entered = this.entered('Task', name, prev);
    const started = this.taskAttempt(entered);
    return this.add('TaskFailed', started, {
      taskFailedEventDetails: { resourceType: 'lambda', resource: 'invoke', error, cause: JSON.stringify({ errorType: error, errorMessage: message, trace: [] }) },
    });
  }

  /** TaskScheduled and TaskStarted after `prev`; returns the TaskStarted id. */
  taskAttempt(prev: number): number {
    const scheduled = this.add('TaskScheduled', prev, {
      taskScheduledEventDetails: { resourceType: 'lambda', resource: 'invoke', region: 'us-east-1', parameters: '{}' },
    });
    return this.add('TaskStarted', scheduled, { taskStartedEventDetails: { resourceType: 'lambda', resource: 'invoke' } });
  }

  pass(name: string, prev: number, input: unknown = {}): number {
    return this.exited('Pass', name, this.entered('Pass', name, prev, input));
  }

  choice(name: string, prev: number): number {
    return this.exited('Choice', name, this.entered('Choice', name, prev));
  }

  wait(name: string, prev: number): number {
    return this.exited('Wait', name, this.entered('Wait', name, prev));
  }

  /** A Map state whose iterations run one after the other; `iteration` adds the inner states and returns its last id. */
  map(name: string, prev: number, count: number, iteration: (index: number, prev: number) => number): number {
    const entered = this.entered('Map', name, prev);
    let last = this.add('MapStateStarted', entered, { mapStateStartedEventDetails: { length: count } });
    for (let index = 0; index < count; index += 1) {
      const started = this.add('MapIterationStarted', last, { mapIterationStartedEventDetails: { name, index } });
      const inner = iteration(index, started);
      last = this.add('MapIterationSucceeded', inner, { mapIterationSucceededEventDetails: { name, index } });
    }
    const succeeded = this.add('MapStateSucceeded', last);
    return this.exited('Map', name, succeeded);
  }

  executionSucceeded(prev: number, output: unknown): number {
    return this.add('ExecutionSucceeded', prev, { executionSucceededEventDetails: { output: JSON.stringify(output) } });
  }

  executionFailed(prev: number, error: string, cause: string): number {
    return this.add('ExecutionFailed', prev, { executionFailedEventDetails: { error, cause } });
  }
}

export const MESH = 'shop';
export const DEPLOYMENT_ID = 'd-20250304050607-k3x9q0';

export function stageStatus(stage: StageStatus['stage'], cluster: string, ready: boolean, round: number, services: Array<[string, number, number]>, waitingFor = ''): StageStatus {
  return {
    stage,
    cluster,
    ready,
    round,
    waitingFor,
    services: services.map(([name, desiredCount, runningCount]) => ({ name, desiredCount, runningCount, pendingCount: desiredCount - runningCount, registeredPassing: runningCount })),
    ...(stage === 'servers' && ready ? { consul: { leader: '10.0.1.10:8300', peers: ['10.0.1.10:8300', '10.0.1.11:8300', '10.0.1.12:8300'] } } : {}),
  };
}

/** The plan of the `shop` mesh: 3 servers, cluster-1 (users ×2), cluster-2 (todos ×1), an ingress gateway. */
export function shopPlan(): Partial<DeploymentPlan> {
  return {
    mesh: MESH,
    deploymentId: DEPLOYMENT_ID,
    images: [{ name: 'consul-server', image: 'hashicorp/consul:1.20.1' }, { name: 'users', repository: 'shop/users', tag: 'ctx-0123456789abcdef0123456789abcdef' }],
    serverCluster: { cluster: 'consul-server', services: ['consul-server'] },
    serviceClusters: [
      { cluster: 'cluster-1', services: ['users'] },
      { cluster: 'cluster-2', services: ['todos'] },
    ],
    ingressCluster: { cluster: 'ingress', services: ['ingress-gateway'] },
    hasIngress: true,
    changes: [
      { cluster: 'consul-server', service: 'consul-server', role: 'server', action: 'create', reasons: ['does not exist'], desiredCount: 3 },
      { cluster: 'cluster-1', service: 'users', role: 'service', action: 'create', reasons: ['does not exist'], desiredCount: 2 },
      { cluster: 'cluster-2', service: 'todos', role: 'service', action: 'unchanged', reasons: [], desiredCount: 1 },
      { cluster: 'ingress', service: 'ingress-gateway', role: 'ingress-gateway', action: 'create', reasons: ['does not exist'], desiredCount: 1 },
    ],
    pollSeconds: 1,
    maxRounds: 10,
  };
}

export function shopSummary(): DeploymentSummary {
  const task = (taskId: string, ip: string) => ({ taskId, ip, health: 'HEALTHY', registered: true, passing: true });
  return {
    mesh: MESH,
    deploymentId: DEPLOYMENT_ID,
    executionId: 'arn:aws:states:us-east-1:000000000000:execution:consul-mesh-local-deploy-mesh:shop-run',
    leader: '10.0.1.10:8300',
    peers: ['10.0.1.10:8300', '10.0.1.11:8300', '10.0.1.12:8300'],
    clusters: [
      {
        cluster: 'consul-server',
        role: 'server',
        services: [
          {
            name: 'consul-server',
            action: 'create',
            desiredCount: 3,
            runningCount: 3,
            taskDefinitionArn: 'arn:aws:ecs:us-east-1:000000000000:task-definition/shop-consul-server:1',
            tasks: [task('0a1b2c3d4e5f60718293a4b5c6d7e8f9', '10.0.1.10'), task('1a1b2c3d4e5f60718293a4b5c6d7e8f9', '10.0.1.11'), task('2a1b2c3d4e5f60718293a4b5c6d7e8f9', '10.0.1.12')],
          },
        ],
      },
      {
        cluster: 'cluster-1',
        role: 'service',
        services: [
          {
            name: 'users',
            action: 'create',
            desiredCount: 2,
            runningCount: 2,
            taskDefinitionArn: 'arn:aws:ecs:us-east-1:000000000000:task-definition/shop-users:1',
            tasks: [task('3a1b2c3d4e5f60718293a4b5c6d7e8f9', '10.0.2.20'), { ...task('4a1b2c3d4e5f60718293a4b5c6d7e8f9', '10.0.2.21'), passing: false, health: 'UNKNOWN' }],
          },
        ],
      },
    ],
    images: [
      { name: 'consul-server', imageUri: 'hashicorp/consul:1.20.1', built: false },
      { name: 'users', imageUri: '000000000000.dkr.ecr.us-east-1.amazonaws.com/shop/users:ctx-0123456789abcdef0123456789abcdef', built: true },
    ],
    noChange: false,
  };
}

export interface ScriptedRun {
  events: HistoryEvent[];
  status: 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  output?: string;
  error?: string;
  cause?: string;
}

/**
 * A whole run of deploy-mesh.asl.json for the `shop` mesh, state by state: Plan, BuildImages (one image ready,
 * one built after a CheckBuild round), StoreConfig, the servers' wait loop (1/3, then 3/3 with a leader),
 * ApplyConfigEntries, ServiceClusters (two clusters), HasIngress?, the ingress loop, Summarize, Deployed.
 * With `failAt: 'servers'` the second ServersCheck throws DeploymentFailed and the run ends through
 * Failed:servers → RecordFailure → DeploymentFailed.
 */
export function scriptedDeployRun(options: { failAt?: 'servers'; cancelAt?: 'servers' } = {}): ScriptedRun {
  const h = new HistoryBuilder();
  const plan = shopPlan();
  let last = h.executionStarted({ deploymentId: DEPLOYMENT_ID, spec: { name: MESH }, settings: { pollSeconds: 1, maxRounds: 10 } });
  last = h.task('Plan', last, plan);
  last = h.map('BuildImages', last, 2, (index, prev) => {
    if (index === 0) {
      const ensured = h.task('EnsureImage', prev, { name: 'consul-server', status: 'READY', imageUri: 'hashicorp/consul:1.20.1', built: false });
      return h.pass('ImageDone', h.choice('ImageReady?', ensured));
    }
    const uri = '000000000000.dkr.ecr.us-east-1.amazonaws.com/shop/users:ctx-0123456789abcdef0123456789abcdef';
    let p = h.task('EnsureImage', prev, { name: 'users', status: 'IN_PROGRESS', imageUri: uri, buildId: 'mesh-images:1', phase: 'SUBMITTED' });
    p = h.wait('WaitBuild', h.choice('BuildRounds?', h.choice('ImageReady?', p)));
    p = h.task('CheckBuild', p, { name: 'users', status: 'SUCCEEDED', imageUri: uri, buildId: 'mesh-images:1', built: true });
    return h.pass('ImageDone', h.choice('ImageReady?', p));
  });
  last = h.task('StoreConfig', last, { parameters: 6 });
  last = h.task('ServersEnsure', last, stageStatus('servers', 'consul-server', false, 0, [['consul-server', 3, 0]], 'ECS to start the tasks'));
  last = h.wait('ServersWait', last);
  last = h.task('ServersCheck', last, stageStatus('servers', 'consul-server', false, 1, [['consul-server', 3, 1]], 'ECS services to become stable: consul-server'));
  last = h.wait('ServersWait', h.choice('ServersReady?', last));
  if (options.cancelAt === 'servers') {
    // StopExecution while the servers' wait loop runs: ExecutionAborted, no Catch, no RecordFailure.
    h.add('ExecutionAborted', last, { executionAbortedEventDetails: { error: 'Cancelled', cause: 'cancelled through the HTTP API' } });
    return { events: h.events, status: 'ABORTED', error: 'Cancelled', cause: 'cancelled through the HTTP API' };
  }
  if (options.failAt === 'servers') {
    last = h.failedTask('ServersCheck', last, 'DeploymentFailed', 'consul-server: tasks stopped: Essential container in task exited');
    const caught = { Error: 'DeploymentFailed', Cause: JSON.stringify({ errorType: 'DeploymentFailed', errorMessage: 'consul-server: tasks stopped: Essential container in task exited' }) };
    last = h.pass('Failed:servers', last, { deploymentId: DEPLOYMENT_ID, error: caught });
    const failure: DeploymentFailure = {
      stage: 'servers',
      error: 'DeploymentFailed',
      message: 'consul-server: tasks stopped: Essential container in task exited',
      service: 'consul-server',
      detail: 'Essential container in task exited (exit code 1)',
    };
    last = h.task('RecordFailure', last, { error: 'DeploymentFailed', cause: JSON.stringify(failure) });
    last = h.entered('Fail', 'DeploymentFailed', last);
    h.executionFailed(last, 'DeploymentFailed', JSON.stringify(failure));
    return { events: h.events, status: 'FAILED', error: 'DeploymentFailed', cause: JSON.stringify(failure) };
  }
  last = h.task('ServersCheck', last, stageStatus('servers', 'consul-server', true, 2, [['consul-server', 3, 3]]));
  last = h.task('ApplyConfigEntries', h.choice('ServersReady?', last), { applied: 4 });
  last = h.map('ServiceClusters', last, 2, (index, prev) => {
    const [cluster, service, count] = index === 0 ? ['cluster-1', 'users', 2] : ['cluster-2', 'todos', 1];
    let p = h.task('ClusterEnsure', prev, stageStatus('services', cluster as string, false, 0, [[service as string, count as number, 0]], 'ECS to start the tasks'));
    p = h.task('ClusterCheck', h.wait('ClusterWait', p), stageStatus('services', cluster as string, true, 1, [[service as string, count as number, count as number]]));
    return h.pass('ClusterDone', h.choice('ClusterReady?', p));
  });
  last = h.choice('HasIngress?', last);
  last = h.task('IngressEnsure', last, stageStatus('ingress', 'ingress', false, 0, [['ingress-gateway', 1, 0]], 'ECS to start the tasks'));
  last = h.task('IngressCheck', h.wait('IngressWait', last), stageStatus('ingress', 'ingress', true, 1, [['ingress-gateway', 1, 1]]));
  last = h.task('Summarize', h.choice('IngressReady?', last), shopSummary());
  const summary = JSON.stringify(shopSummary());
  last = h.exited('Succeed', 'Deployed', h.entered('Succeed', 'Deployed', last), shopSummary());
  h.executionSucceeded(last, shopSummary());
  return { events: h.events, status: 'SUCCEEDED', output: summary };
}

/**
 * A run that removes `cluster-2/billing` (2 tasks): Plan (the removal among its changes), the stages with nothing
 * to change (the servers' check only, for brevity), HasRemovals?, RemoveStart (scaled to 0), two RemoveCheck rounds
 * (2 tasks left, then 1), the round that deletes it, Summarize, Deployed.
 */
export function scriptedRemovalRun(): ScriptedRun {
  const h = new HistoryBuilder();
  const plan: Partial<DeploymentPlan> = {
    ...shopPlan(),
    changes: [
      { cluster: 'consul-server', service: 'consul-server', role: 'server', action: 'unchanged', reasons: [], desiredCount: 3 },
      { cluster: 'cluster-2', service: 'billing', role: 'service', action: 'remove', reasons: ['no longer in the spec: scaled to 0, drained, deleted'], desiredCount: 0 },
    ],
    hasRemovals: true,
  };
  let last = h.executionStarted({ deploymentId: DEPLOYMENT_ID, spec: { name: MESH }, settings: { pollSeconds: 1, maxRounds: 10 } });
  last = h.task('Plan', last, plan);
  last = h.task('StoreConfig', last, { parameters: 0 });
  last = h.task('ServersEnsure', last, stageStatus('servers', 'consul-server', true, 0, [['consul-server', 3, 3]]));
  last = h.choice('HasRemovals?', h.choice('ServersReady?', last));
  last = h.task('RemoveStart', last, { ready: false, round: 0, waitingFor: 'the removed services to drain', removed: ['scaled-to-0:cluster-2/billing'] });
  const draining = (round: number, tasks: number) => ({
    ready: false,
    round,
    waitingFor: `removed services to drain: cluster-2/billing (${tasks} task(s))`,
    removed: ['scaled-to-0:cluster-2/billing'],
    draining: [{ id: 'cluster-2/billing', tasks }],
  });
  last = h.task('RemoveCheck', h.wait('RemoveWait', last), draining(1, 2));
  last = h.task('RemoveCheck', h.wait('RemoveWait', h.choice('RemovalsDone?', last)), draining(2, 1));
  const deleted = { ready: true, round: 3, waitingFor: '', removed: ['scaled-to-0:cluster-2/billing', 'service:cluster-2/billing'], draining: [] };
  last = h.task('RemoveCheck', h.wait('RemoveWait', h.choice('RemovalsDone?', last)), deleted);
  last = h.task('Summarize', h.choice('RemovalsDone?', last), { ...shopSummary(), removed: deleted.removed });
  last = h.exited('Succeed', 'Deployed', h.entered('Succeed', 'Deployed', last), shopSummary());
  h.executionSucceeded(last, shopSummary());
  return { events: h.events, status: 'SUCCEEDED', output: JSON.stringify(shopSummary()) };
}
