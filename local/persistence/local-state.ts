/**
 * What the local cloud saves with `--data-dir`, and how each service is restored and watched.
 *
 * Saved, one file per service:
 * - `ssm.json`: parameters with every kept version, labels and tags (SecureString values stay encrypted).
 * - `ecr.json`: repositories and images.
 * - `s3.json`: buckets and objects (the build contexts meshctl uploaded).
 * - `codebuild.json`: projects and finished builds; a build still running cannot resume its simulated phases and
 *   is not saved (its StartBuild idempotency token, valid 5 minutes, neither).
 * - `events.json`: rules created through the API, with their targets; the serverless.yml rules are re-created at
 *   every start instead, so they are not saved (no duplicates, and a rule removed from serverless.yml is gone).
 * - `stepfunctions.json`: state machines (those of serverless.yml are re-deployed over them at start) and
 *   executions with their history; executions saved while RUNNING come back ABORTED with the cause
 *   "local cloud restarted" (their interpreter state is gone, as when a worker crashes).
 * - `ecs.json`: clusters, task definitions, services (deployments collapsed to the PRIMARY, events kept); no
 *   tasks: every service's scheduler starts fresh tasks for its desired count (see `local/aws/ecs/snapshot.ts`).
 * - `consul.json`: KV, config entries, ACL tokens and the catalog as it was (registrations of tasks that no longer
 *   exist are the orchestrator's reconcile's to repair, as with a real Consul that outlived its tasks).
 * Not saved: task-state events and Lambda deliveries in flight, fault-injection settings, the HTTP API (stateless).
 */
import { join } from 'node:path';
import type { CodeBuildProvider } from '../aws/codebuild/provider';
import type { EcrProvider } from '../aws/ecr/provider';
import type { EcsSimulation } from '../aws/ecs/simulation';
import type { EventsProvider } from '../aws/events/provider';
import type { RuleRecord } from '../aws/events/store';
import type { SsmProvider } from '../aws/ssm/provider';
import type { StepFunctionsProvider } from '../aws/stepfunctions';
import type { ConsulServer } from '../consul';
import { PersistedStateError } from './errors';
import type { StateFormat } from './format';
import { CODEBUILD_STATE } from './formats/codebuild';
import { S3_STATE } from './formats/s3';
import type { S3Provider } from '../aws/s3/provider';
import { CONSUL_STATE } from './formats/consul';
import { ECR_STATE } from './formats/ecr';
import { ECS_STATE } from './formats/ecs';
import { EVENTS_STATE } from './formats/events';
import { SSM_STATE } from './formats/ssm';
import { STEP_FUNCTIONS_STATE } from './formats/stepfunctions';
import { persisted, type PersistedService } from './persister';
import type { SavedState } from './saved-state';

export { CODEBUILD_STATE, CONSUL_STATE, ECR_STATE, ECS_STATE, EVENTS_STATE, S3_STATE, SSM_STATE, STEP_FUNCTIONS_STATE };

/** Every file the local cloud keeps in its data directory. */
export const LOCAL_STATE_FORMATS: readonly StateFormat<unknown>[] = [
  SSM_STATE,
  ECR_STATE,
  S3_STATE,
  CODEBUILD_STATE,
  EVENTS_STATE,
  STEP_FUNCTIONS_STATE,
  ECS_STATE,
  CONSUL_STATE,
];

/** The services whose state is saved. */
export interface LocalServices {
  readonly ssm: SsmProvider;
  readonly ecr: EcrProvider;
  readonly codebuild: CodeBuildProvider;
  readonly s3: S3Provider;
  readonly events: EventsProvider;
  readonly stepFunctions: StepFunctionsProvider;
  readonly ecs: EcsSimulation;
  readonly consul: ConsulServer;
  /** True for the rules serverless.yml declares (re-created at every start, so not saved). */
  readonly isDeployedRule: (rule: RuleRecord) => boolean;
}

/**
 * Applies the saved data of one format, if there is any. A failure (data that passed the schema but that the
 * service refuses, e.g. a state machine definition it cannot compile) is a {@link PersistedStateError} naming the
 * file.
 */
export function restoreService<T>(saved: SavedState | undefined, directory: string | undefined, format: StateFormat<T>, apply: (data: T) => void): void {
  const data = saved?.get(format);
  if (data === undefined || directory === undefined) return;
  try {
    apply(data);
  } catch (error) {
    throw new PersistedStateError(join(directory, format.file), `restoring it failed: ${(error as Error).message}`, { cause: error });
  }
}

/** The services as the persister watches them. */
export function persistedServices(services: LocalServices): PersistedService<unknown>[] {
  const { ssm, ecr, codebuild, s3, events, stepFunctions, ecs, consul, isDeployedRule } = services;
  return [
    persisted(SSM_STATE, () => ssm.revision, () => ssm.exportSnapshot()),
    persisted(ECR_STATE, () => ecr.revision, () => ecr.exportSnapshot()),
    persisted(S3_STATE, () => s3.revision, () => s3.store.exportState()),
    persisted(CODEBUILD_STATE, () => codebuild.revision, () => codebuild.exportSnapshot()),
    persisted(EVENTS_STATE, () => events.revision, () => events.exportSnapshot((rule) => !isDeployedRule(rule))),
    persisted(STEP_FUNCTIONS_STATE, () => stepFunctions.revision, () => stepFunctions.exportSnapshot()),
    persisted(ECS_STATE, () => ecs.revision, () => ecs.exportSnapshot()),
    persisted(CONSUL_STATE, () => consul.revision, () => consul.exportSnapshot()),
  ];
}
