import type { PeerView } from './peering';
/**
 * The data that flows through the deploy state machine (state-machines/deploy-mesh.asl.json) and that the CLI
 * reads back: the plan, the per-stage results and the summary. Plain JSON, well under the 256 KB payload limit.
 */
import type { z } from 'zod';
import type { ImageJob } from './images';
import type { ResourceChange } from './change-set';
import type { CompactChangeSet } from './compute-change-set';
import type { PeeringPlan, StageStatusSchema } from './schemas';

export type ChangeAction = 'create' | 'update' | 'unchanged';

/** What a deployment does to one ECS service; `remove` for a service the spec no longer has. */
export type ServiceAction = ChangeAction | 'remove';

/** What a deployment will do to one ECS service (the Consul servers, a mesh service or the ingress gateway). */
export interface ServiceChange {
  cluster: string;
  service: string;
  role: 'server' | 'service' | 'ingress-gateway' | 'mesh-gateway';
  action: ServiceAction;
  /** Why: e.g. "no such service", "task definition changed: image", "desiredCount 2 → 3". Empty when unchanged. */
  reasons: string[];
  desiredCount: number;
}

export interface StageClusters {
  cluster: string;
  services: string[];
}

/** The output of the Plan step (`$.plan` in the execution). */
export interface DeploymentPlan {
  mesh: string;
  deploymentId: string;
  /** The hash of the validated spec. The spec itself stays in the execution input (see step-spec.ts). */
  specHash: string;
  images: ImageJob[];
  serverCluster: StageClusters;
  serviceClusters: StageClusters[];
  ingressCluster: StageClusters | null;
  hasIngress: boolean;
  /** The mesh gateway's stage (cluster peering), run after the servers and before the service clusters. */
  meshGatewayCluster?: StageClusters | null;
  hasMeshGateway?: boolean;
  /**
   * The peering stage (after the mesh gateway stage, before the service clusters): run when the spec or the deployed
   * spec has peers; `peering.removed` are the deployed spec's peers this deployment deletes.
   */
  hasPeering?: boolean;
  peering?: PeeringPlan;
  /**
   * The service changes of the change set, in the Plan step's result (which the progress view reads from the
   * history); the state keeps the rest.
   */
  changes: ServiceChange[];
  /**
   * The change set (computeChangeSet) in the Plan step's result, compacted to what changes (compactChangeSet: a Lambda
   * result is held to 256 KB); `meshctl plan` (POST /plans) prints it in full with the reasons.
   */
  changeSet?: CompactChangeSet;
  /** The change set's removals, in removal order: what the removal stage removes (kept in the state). */
  removals: ResourceChange[];
  hasRemovals: boolean;
  /** Seconds between polls of the wait loops, and how many rounds before a stage times out. */
  pollSeconds: number;
  maxRounds: number;
  /** The mesh lock (an SSM parameter) and its holder (the execution id), released by Summarize or RecordFailure. */
  lockName: string;
  lockHolder: string;
}

/** Result of one stage check (`$.servers`, `$.meshGateway`, `$.serviceClusters[i]`, `$.ingress`): the schema's type (parsed at each step's edge). */
export type StageStatus = z.infer<typeof StageStatusSchema>;

/** The execution's output on success. */
export interface DeploymentSummary {
  mesh: string;
  deploymentId: string;
  executionId: string;
  leader: string;
  /** The Consul servers' Raft addresses (`/v1/status/peers`), the leader's included. */
  peers: string[];
  /**
   * The mesh's cluster peers, when its spec has any: the other mesh and region, the role, Consul's peering state and
   * the services imported from and exported to each (what `GET /mesh` lists as `peers`).
   */
  peerings?: PeerView[];
  clusters: Array<{
    cluster: string;
    role: 'server' | 'service' | 'ingress-gateway' | 'mesh-gateway';
    services: Array<{
      name: string;
      action: ChangeAction;
      desiredCount: number;
      runningCount: number;
      taskDefinitionArn: string;
      tasks: Array<{ taskId: string; ip: string; health: string; registered: boolean; passing: boolean }>;
      /** Running tasks beyond the first few listed in `tasks` (the summary is held to Step Functions' 256 KB). */
      tasksNotListed?: number;
    }>;
  }>;
  images: Array<{ name: string; imageUri: string; built: boolean }>;
  /**
   * What the deployment repaired in Consul's catalog before reporting (a reconcile of the mesh's clusters):
   * registrations of tasks that no longer run, missing ones, wrong addresses or checks. Zero everywhere normally;
   * not after a restart of the local cloud, or events lost while the functions could not run.
   */
  repaired?: { registered: number; deregistered: number; updated: number };
  /**
   * What the removal stage removed, as `kind:id` in the order it did (`scaled-to-0:`, `service:`, `cluster:`,
   * `registration:`, `config-entry:`, `parameter:`, `task-definition:`): the change set's removals.
   */
  removed?: string[];
  /** True when nothing was created, changed, built or repaired. */
  noChange: boolean;
}

/** The execution's cause on failure (`DeploymentFailed` error), as JSON in the execution's `cause`. */
export interface DeploymentFailure {
  stage: string;
  error: string;
  message: string;
  service?: string;
  /** The ECS stopped reason of the last failed task, or the failed build phase. */
  detail?: string;
}
