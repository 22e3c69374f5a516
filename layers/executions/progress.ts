import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { ServiceAction } from '../deploy/types';
import type { DeploymentStatus } from './backend';
import { parseJson, recordOf, lambdaErrorMessage } from './json';

/**
 * Per-stage progress of a deployment, derived from the execution history of the deploy state machine
 * (state-machines/deploy-mesh.asl.json). The reducer is pure: `reduceHistory(progress, newEvents)`.
 */

/** The stages of a deployment, in the order the state machine runs them. */
export const STAGES = ['plan', 'images', 'config', 'servers', 'mesh-gateway', 'peering', 'services', 'ingress', 'removals', 'summary'] as const;
export type StageName = (typeof STAGES)[number];
/** `skipped`: the execution went past the stage without entering it (a mesh without an ingress, mesh gateway or peers, nothing to remove). */
/** `cancelled`: the stage was running when the execution was stopped (meshctl cancel, StopExecution). */
export type StageState = 'pending' | 'running' | 'done' | 'failed' | 'cancelled' | 'skipped';

export interface StageProgress {
  name: StageName;
  state: StageState;
  /** Map stages (images, services): iterations finished and in all (MapStateStarted `length`). */
  iterations?: { total: number; succeeded: number; failed: number };
  /** Polling round of the stage's latest check (StageStatus.round). */
  round?: number;
  /** What the stage still waits for, per cluster, from its latest check (StageStatus.waitingFor). */
  waitingFor?: Record<string, string>;
  /** The last failed task attempt (it may be retried), e.g. a throttled call, and its Task state when known. */
  lastTaskError?: { state?: string; error: string; cause?: string };
  /** Why the stage failed: `$.error` as the `Failed:<stage>` state received it from the Catch. */
  error?: { error: string; cause?: string };
  /** When the execution entered the stage and left it (ISO 8601, from the history events' timestamps). */
  startedAt?: string;
  endedAt?: string;
  /** Task attempts of the stage that failed (each retried by the state machine's Retry, unless the stage failed). */
  failedAttempts?: number;
}

/**
 * Where a service the deployment removes is: `pending` until the removal stage starts, `draining` once it is scaled
 * to 0 and ECS stops its tasks, `deleted` once DeleteService went through (or it was gone already).
 */
export type RemovalState = 'pending' | 'draining' | 'deleted';

/** One ECS service as the latest stage check saw it; the services a deployment removes are the removal stage's. */
export interface ServiceProgress {
  stage: 'servers' | 'mesh-gateway' | 'services' | 'ingress' | 'removals';
  cluster: string;
  name: string;
  action?: ServiceAction;
  /** For a removed service (`action: 'remove'`): how far its removal got; `runningCount` is its tasks not yet stopped. */
  removal?: RemovalState;
  desiredCount: number;
  /** Undefined until a check has reported on the service. */
  runningCount?: number;
  pendingCount?: number;
  /** Consul instances registered and passing for its running tasks. */
  registeredPassing?: number;
  rolloutState?: string;
}

export interface ImageProgress {
  name: string;
  /** `pending` until EnsureImage reports; then READY, IN_PROGRESS or SUCCEEDED (ImageBuildState.status). */
  status: string;
  phase?: string;
  imageUri?: string;
  built?: boolean;
}

export interface DeploymentProgress {
  status: DeploymentStatus;
  stages: StageProgress[];
  services: ServiceProgress[];
  images: ImageProgress[];
  consul?: { leader: string; peers: string[] };
  /**
   * The peering stage's peers: what it did for each (`token-generated`, `token-kept`, `established`, `kept`,
   * `deleted`) and a dialer peering's state as its latest check read it.
   */
  peerings?: Array<{ name: string; role: 'acceptor' | 'dialer'; action?: string; state?: string }>;
  /** ExecutionFailed / ExecutionTimedOut / ExecutionAborted details. */
  executionError?: { error?: string; cause?: string };
  /** The parsed ExecutionSucceeded output. */
  output?: unknown;
  /** The highest event id applied: the next poll asks only for newer events. */
  lastEventId: number;
  /**
   * The state each applied event belongs to, by event id. Task events name no state: a TaskFailed points
   * (previousEventId) to TaskStarted, which points to TaskScheduled, which points to the TaskStateEntered. Inside
   * a Map, iterations interleave, so following that chain is how an event is paired with its state.
   */
  eventStates: Record<string, string>;
}

/** Where each state of the deploy state machine belongs. Choice and terminal states outside stages are absent. */
export const DEPLOY_STATE_STAGE: Record<string, StageName> = {
  Plan: 'plan',
  BuildImages: 'images',
  EnsureImage: 'images',
  'ImageReady?': 'images',
  'BuildRounds?': 'images',
  WaitBuild: 'images',
  CheckBuild: 'images',
  BuildTimedOut: 'images',
  ImageDone: 'images',
  StoreConfig: 'config',
  ServersEnsure: 'servers',
  ServersWait: 'servers',
  ServersCheck: 'servers',
  'ServersReady?': 'servers',
  ServersTimedOut: 'servers',
  EnsureAcl: 'servers',
  ApplyConfigEntries: 'servers',
  MeshGatewayEnsure: 'mesh-gateway',
  MeshGatewayWait: 'mesh-gateway',
  MeshGatewayCheck: 'mesh-gateway',
  'MeshGatewayReady?': 'mesh-gateway',
  MeshGatewayTimedOut: 'mesh-gateway',
  PeeringEnsure: 'peering',
  'PeeringReady?': 'peering',
  PeeringWait: 'peering',
  PeeringCheck: 'peering',
  PeeringTimedOut: 'peering',
  ServiceClusters: 'services',
  ClusterEnsure: 'services',
  ClusterWait: 'services',
  ClusterCheck: 'services',
  'ClusterReady?': 'services',
  ClusterTimedOut: 'services',
  ClusterDone: 'services',
  IngressEnsure: 'ingress',
  IngressWait: 'ingress',
  IngressCheck: 'ingress',
  'IngressReady?': 'ingress',
  IngressTimedOut: 'ingress',
  RemoveStart: 'removals',
  RemoveWait: 'removals',
  RemoveCheck: 'removals',
  'RemovalsDone?': 'removals',
  RemovalsTimedOut: 'removals',
  Summarize: 'summary',
};

/** The Task states of the deploy state machine (the ones whose attempts can fail and be retried). */
export const DEPLOY_TASK_STATES = new Set(['Plan', 'EnsureImage', 'CheckBuild', 'StoreConfig', 'ServersEnsure', 'ServersCheck', 'EnsureAcl', 'ApplyConfigEntries', 'MeshGatewayEnsure', 'MeshGatewayCheck', 'PeeringEnsure', 'PeeringCheck', 'ClusterEnsure', 'ClusterCheck', 'IngressEnsure', 'IngressCheck', 'RemoveStart', 'RemoveCheck', 'Summarize']);

/** `Failed:<name>` states record the failed stage; `build` is the images stage. */
export const FAILED_STAGE: Readonly<Record<string, StageName>> = {
  plan: 'plan',
  build: 'images',
  config: 'config',
  servers: 'servers',
  'mesh-gateway': 'mesh-gateway',
  peering: 'peering',
  services: 'services',
  ingress: 'ingress',
  removals: 'removals',
  summary: 'summary',
};

export function initialProgress(): DeploymentProgress {
  return {
    status: 'RUNNING',
    stages: STAGES.map((name) => ({ name, state: 'pending' })),
    services: [],
    images: [],
    lastEventId: 0,
    eventStates: {},
  };
}

/**
 * Applies history events (any order, duplicates allowed: events at or below `lastEventId` are ignored) and
 * returns the new progress; `progress` is not modified.
 *
 * @example
 *   let progress = initialProgress();
 *   progress = reduceHistory(progress, await backend.history(id, progress.lastEventId));
 *   progress.stages.find((s) => s.name === 'servers')?.state // 'running'
 */
export function reduceHistory(progress: DeploymentProgress, events: readonly HistoryEvent[]): DeploymentProgress {
  const next = structuredClone(progress);
  const fresh = events.filter((e) => (e.id ?? 0) > progress.lastEventId).sort((a, b) => (a.id ?? 0) - (b.id ?? 0));
  for (const event of fresh) {
    apply(next, event);
    next.lastEventId = Math.max(next.lastEventId, event.id ?? 0);
  }
  return next;
}

/** The stage currently running, if any. */
export function runningStage(progress: DeploymentProgress): StageProgress | undefined {
  return progress.stages.find((s) => s.state === 'running');
}

function apply(p: DeploymentProgress, event: HistoryEvent): void {
  const type = event.type ?? '';
  const entered = event.stateEnteredEventDetails?.name;
  const stateName = entered ?? event.stateExitedEventDetails?.name ?? stateOf(p, event);
  if (stateName !== undefined && event.id !== undefined) p.eventStates[String(event.id)] = stateName;

  const at = isoTime(event.timestamp);
  if (entered !== undefined) {
    enterState(p, entered, event.stateEnteredEventDetails?.input, at);
    return;
  }
  switch (type) {
    case 'TaskSucceeded':
    case 'LambdaFunctionSucceeded': {
      const output = type === 'TaskSucceeded' ? unwrapTaskOutput(parseJson(event.taskSucceededEventDetails?.output)) : parseJson(event.lambdaFunctionSucceededEventDetails?.output);
      taskSucceeded(p, output);
      // A retried attempt went through: the error it retried after is history.
      for (const s of p.stages) if (s.state === 'running') delete s.lastTaskError;
      return;
    }
    case 'TaskFailed':
    case 'TaskTimedOut':
    case 'LambdaFunctionFailed':
    case 'LambdaFunctionTimedOut': {
      const details = event.taskFailedEventDetails ?? event.taskTimedOutEventDetails ?? event.lambdaFunctionFailedEventDetails ?? event.lambdaFunctionTimedOutEventDetails;
      // The state comes from the previousEventId chain; where that chain does not lead to a task, the running stage.
      const task = stateName && DEPLOY_TASK_STATES.has(stateName) ? stateName : undefined;
      const stage = (task ? DEPLOY_STATE_STAGE[task] : undefined) ?? runningStage(p)?.name;
      if (stage) {
        const st = stageOf(p, stage);
        st.lastTaskError = { ...(task ? { state: task } : {}), error: details?.error ?? type, cause: lambdaErrorMessage(details?.cause) };
        st.failedAttempts = (st.failedAttempts ?? 0) + 1;
      }
      return;
    }
    case 'MapStateStarted': {
      const stage = stateName ? DEPLOY_STATE_STAGE[stateName] : undefined;
      if (stage) stageOf(p, stage).iterations = { total: event.mapStateStartedEventDetails?.length ?? 0, succeeded: 0, failed: 0 };
      return;
    }
    case 'MapIterationSucceeded':
    case 'MapIterationFailed':
    case 'MapIterationAborted': {
      const details = event.mapIterationSucceededEventDetails ?? event.mapIterationFailedEventDetails ?? event.mapIterationAbortedEventDetails;
      const stage = details?.name ? DEPLOY_STATE_STAGE[details.name] : undefined;
      if (!stage) return;
      const s = stageOf(p, stage);
      s.iterations ??= { total: 0, succeeded: 0, failed: 0 };
      if (type === 'MapIterationSucceeded') s.iterations.succeeded += 1;
      else s.iterations.failed += 1;
      return;
    }
    case 'ExecutionSucceeded':
      p.status = 'SUCCEEDED';
      p.output = parseJson(event.executionSucceededEventDetails?.output);
      for (const s of p.stages) {
        if (s.state === 'running') finish(s, 'done', at);
        else if (s.state === 'pending') s.state = 'skipped';
      }
      // The deployment ended where its removals were made: a removed service that was already gone is gone too.
      for (const s of p.services) {
        if (s.removal === undefined) continue;
        s.removal = 'deleted';
        s.runningCount = 0;
      }
      return;
    case 'ExecutionFailed':
    case 'ExecutionTimedOut':
    case 'ExecutionAborted': {
      p.status = type === 'ExecutionFailed' ? 'FAILED' : type === 'ExecutionTimedOut' ? 'TIMED_OUT' : 'ABORTED';
      const details = event.executionFailedEventDetails ?? event.executionTimedOutEventDetails ?? event.executionAbortedEventDetails;
      p.executionError = { error: details?.error, cause: details?.cause };
      // A stage that was running when the execution stopped failed with it (timeout, an uncaught error), or was
      // cancelled with it (StopExecution): a cancelled deployment did nothing wrong.
      for (const s of p.stages) if (s.state === 'running') finish(s, type === 'ExecutionAborted' ? 'cancelled' : 'failed', at);
      return;
    }
    default:
      return;
  }
}

/** Follows previousEventId to the state an event belongs to (see `eventStates`). */
function stateOf(p: DeploymentProgress, event: HistoryEvent): string | undefined {
  if (event.previousEventId === undefined) return undefined;
  return p.eventStates[String(event.previousEventId)];
}

function enterState(p: DeploymentProgress, name: string, input: string | undefined, at: string | undefined): void {
  if (name.startsWith('Failed:')) {
    const stage = FAILED_STAGE[name.slice('Failed:'.length)];
    if (!stage) return;
    const s = stageOf(p, stage);
    finish(s, 'failed', at);
    const caught = recordOf(recordOf(parseJson(input))?.error);
    if (caught) s.error = { error: String(caught.Error ?? 'Error'), cause: lambdaErrorMessage(caught.Cause) };
    return;
  }
  const stage = DEPLOY_STATE_STAGE[name];
  if (!stage) return;
  // The stages run in order: entering one means every earlier stage has finished, or was passed over.
  const index = STAGES.indexOf(stage);
  for (const earlier of p.stages.slice(0, index)) {
    if (earlier.state === 'running') finish(earlier, 'done', at);
    else if (earlier.state === 'pending') earlier.state = 'skipped';
  }
  const s = stageOf(p, stage);
  if (s.state === 'pending') {
    s.state = 'running';
    if (at) s.startedAt = at;
  }
}

/** A stage leaves `running`: its end time is the event's that ended it. */
function finish(stage: StageProgress, state: StageState, at: string | undefined): void {
  stage.state = state;
  if (at && stage.startedAt && !stage.endedAt) stage.endedAt = at;
}

/** A history event's timestamp: a Date from the SDK, epoch seconds or a string in hand-made histories. */
function isoTime(value: unknown): string | undefined {
  const date = value instanceof Date ? value : typeof value === 'number' ? new Date(value * 1000) : typeof value === 'string' ? new Date(value) : undefined;
  return date && !Number.isNaN(date.getTime()) ? date.toISOString() : undefined;
}

/**
 * Task results are recognised by their shape: a StageStatus names its own stage and cluster, an image state its
 * image, a plan its changes. So a result lands in the right place even where previousEventId does not lead back
 * to the state that ran the task (simplified histories that link each event to the one recorded before it).
 */
function taskSucceeded(p: DeploymentProgress, output: unknown): void {
  const o = recordOf(output);
  if (!o) return;
  if (typeof o.cluster === 'string' && Array.isArray(o.services) && isCheckedStage(o.stage)) return applyStageStatus(p, o.stage, o);
  if (typeof o.name === 'string' && typeof o.status === 'string' && typeof o.imageUri === 'string') return applyImage(p, o);
  if (typeof o.mesh === 'string' && Array.isArray(o.changes) && 'serverCluster' in o) return applyPlan(p, o);
  if (Array.isArray(o.removed) && typeof o.ready === 'boolean') return applyRemovalStatus(p, o);
  if (Array.isArray(o.peers) && typeof o.ready === 'boolean' && typeof o.round === 'number' && !('mesh' in o)) return applyPeeringStatus(p, o);
}

/**
 * A PeeringStatus (layers/deploy/peering-stage.ts): what the peering stage did for each peer (a token generated, a
 * peering established or deleted) and the dialer peerings' states as its latest check read them.
 */
function applyPeeringStatus(p: DeploymentProgress, status: Record<string, unknown>): void {
  const peerings: NonNullable<DeploymentProgress['peerings']> = [];
  for (const entry of arrayOf(status.peers)) {
    const peer = recordOf(entry);
    if (!peer || typeof peer.name !== 'string' || (peer.role !== 'acceptor' && peer.role !== 'dialer')) continue;
    peerings.push({ name: peer.name, role: peer.role, ...(typeof peer.action === 'string' ? { action: peer.action } : {}), ...(typeof peer.state === 'string' ? { state: peer.state } : {}) });
  }
  p.peerings = peerings;
  const st = stageOf(p, 'peering');
  const round = numberOf(status.round);
  if (round !== undefined) st.round = round;
  st.waitingFor ??= {};
  if (status.ready === true || typeof status.waitingFor !== 'string' || status.waitingFor === '') delete st.waitingFor.peering;
  else st.waitingFor.peering = status.waitingFor;
}

/**
 * A RemovalStatus (layers/deploy/converge.ts): the removal stage's round and what it waits for, and per removed service
 * whether it drains (with its tasks not yet stopped) or was deleted (`service:<cluster>/<name>` in `removed`).
 */
function applyRemovalStatus(p: DeploymentProgress, status: Record<string, unknown>): void {
  const removed = new Set(arrayOf(status.removed).filter((x): x is string => typeof x === 'string'));
  const draining = Array.isArray(status.draining) ? new Map<string, number>() : undefined;
  for (const entry of arrayOf(status.draining)) {
    const d = recordOf(entry);
    if (d && typeof d.id === 'string') draining?.set(d.id, numberOf(d.tasks) ?? 0);
  }
  for (const service of p.services) {
    if (service.removal === undefined) continue;
    const id = `${service.cluster}/${service.name}`;
    if (removed.has(`service:${id}`)) {
      service.removal = 'deleted';
      service.runningCount = 0;
      continue;
    }
    service.removal = 'draining';
    // The first step only scaled to 0; each later round counts what is still to stop (absent: stopped).
    if (draining) service.runningCount = draining.get(id) ?? 0;
  }
  const st = stageOf(p, 'removals');
  const round = numberOf(status.round);
  if (round !== undefined) st.round = round;
  st.waitingFor ??= {};
  if (status.ready === true || typeof status.waitingFor !== 'string' || status.waitingFor === '') delete st.waitingFor.mesh;
  else st.waitingFor.mesh = status.waitingFor;
}

function isCheckedStage(value: unknown): value is 'servers' | 'mesh-gateway' | 'services' | 'ingress' {
  return value === 'servers' || value === 'mesh-gateway' || value === 'services' || value === 'ingress';
}

/** The plan names every service and image up front, so the view can list them before any check ran. */
function applyPlan(p: DeploymentProgress, plan: Record<string, unknown>): void {
  for (const change of arrayOf(plan.changes)) {
    const c = recordOf(change);
    if (!c || typeof c.cluster !== 'string' || typeof c.service !== 'string') continue;
    // A removed service is the removal stage's: it is not one the stages bring up.
    if (c.action === 'remove') {
      const service = serviceOf(p, 'removals', c.cluster, c.service, 0);
      service.action = 'remove';
      service.removal ??= 'pending';
      continue;
    }
    const stage = c.role === 'server' ? 'servers' : c.role === 'ingress-gateway' ? 'ingress' : c.role === 'mesh-gateway' ? 'mesh-gateway' : 'services';
    const service = serviceOf(p, stage, c.cluster, c.service, numberOf(c.desiredCount) ?? 0);
    if (isAction(c.action)) service.action = c.action;
  }
  for (const job of arrayOf(plan.images)) {
    const j = recordOf(job);
    if (j && typeof j.name === 'string' && !p.images.some((i) => i.name === j.name)) p.images.push({ name: j.name, status: 'pending' });
  }
}

function applyImage(p: DeploymentProgress, state: Record<string, unknown>): void {
  if (typeof state.name !== 'string' || typeof state.status !== 'string') return;
  let image = p.images.find((i) => i.name === state.name);
  if (!image) {
    image = { name: state.name, status: state.status };
    p.images.push(image);
  }
  image.status = state.status;
  image.phase = typeof state.phase === 'string' ? state.phase : undefined;
  if (typeof state.imageUri === 'string') image.imageUri = state.imageUri;
  if (typeof state.built === 'boolean') image.built = state.built;
}

/** A StageStatus (layers/deploy/types.ts): the ECS counts and Consul registrations of one cluster's services. */
function applyStageStatus(p: DeploymentProgress, stage: ServiceProgress['stage'], status: Record<string, unknown>): void {
  if (typeof status.cluster !== 'string') return;
  for (const entry of arrayOf(status.services)) {
    const s = recordOf(entry);
    if (!s || typeof s.name !== 'string') continue;
    const service = serviceOf(p, stage, status.cluster, s.name, numberOf(s.desiredCount) ?? 0);
    service.desiredCount = numberOf(s.desiredCount) ?? service.desiredCount;
    service.runningCount = numberOf(s.runningCount);
    service.pendingCount = numberOf(s.pendingCount);
    service.registeredPassing = numberOf(s.registeredPassing);
    if (typeof s.rolloutState === 'string') service.rolloutState = s.rolloutState;
    if (isAction(s.action)) service.action = s.action;
  }
  const st = stageOf(p, stage);
  const round = numberOf(status.round);
  if (round !== undefined) st.round = round;
  st.waitingFor ??= {};
  if (status.ready === true || typeof status.waitingFor !== 'string' || status.waitingFor === '') delete st.waitingFor[status.cluster];
  else st.waitingFor[status.cluster] = status.waitingFor;
  const consul = recordOf(status.consul);
  if (consul && typeof consul.leader === 'string') p.consul = { leader: consul.leader, peers: arrayOf(consul.peers).filter((x): x is string => typeof x === 'string') };
}

function serviceOf(p: DeploymentProgress, stage: ServiceProgress['stage'], cluster: string, name: string, desiredCount: number): ServiceProgress {
  let service = p.services.find((s) => s.cluster === cluster && s.name === name);
  if (!service) {
    service = { stage, cluster, name, desiredCount };
    p.services.push(service);
  }
  return service;
}

function stageOf(p: DeploymentProgress, name: StageName): StageProgress {
  return p.stages.find((s) => s.name === name) as StageProgress;
}

/**
 * A Lambda's result as the history carries it: the function's return value for a Lambda ARN resource, or the
 * whole Invoke response (`{ "Payload": ..., "StatusCode": 200, ... }`) for `arn:aws:states:::lambda:invoke`.
 */
function unwrapTaskOutput(output: unknown): unknown {
  const r = recordOf(output);
  if (r && 'Payload' in r && 'StatusCode' in r) return typeof r.Payload === 'string' ? parseJson(r.Payload) : r.Payload;
  return output;
}




function arrayOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function numberOf(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function isAction(value: unknown): value is ServiceAction {
  return value === 'create' || value === 'update' || value === 'unchanged';
}
