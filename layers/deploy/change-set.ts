import type { MeshRole } from '../domain/naming';

/**
 * The change set: what a deployment of a spec does to the account, resource by resource. One pure function
 * computes it from the spec and the mesh's current state (see DESIGN.md section 9 and the lifecycle issue);
 * `meshctl plan` (through `POST /plans`), the deployment's Plan step, its stages and its summary all read this
 * same value, so what plan prints is what the deployment then does.
 *
 * Plain JSON: it travels in Step Functions state (well under 256 KB for the spec's ≤ 100 services) and in the
 * HTTP API's answers.
 */

/**
 * - `create`: the resource does not exist (or ECS only remembers it as INACTIVE);
 * - `update`: it exists and is changed in place (a new task-definition revision and a rolling UpdateService, a
 *   config entry or parameter written again);
 * - `replace`: it must be created anew because the change cannot be made in place (e.g. the service's launch
 *   type or network mode): a new service is created and the old one drained and deleted;
 * - `remove`: the mesh created it and the spec no longer has it;
 * - `unchanged`: it matches the spec; the deployment only reads it.
 */
export type ResourceAction = 'create' | 'update' | 'replace' | 'remove' | 'unchanged';

/**
 * The kinds of resources a deployment owns. Each carries the mesh's tags (`consul-mesh:mesh`, `consul-mesh:role`)
 * where the service supports tags, or lives under the mesh's own prefix (SSM `/consul-mesh/<mesh>/`, Consul KV
 * `consul-mesh/<mesh>/`): a deployment never touches anything else in the account.
 */
export type ResourceKind =
  | 'image' // an ECR image built from a build context (create = a CodeBuild build)
  | 'cluster' // an ECS cluster
  | 'service' // an ECS service (the Consul servers, a mesh service or the ingress gateway)
  | 'task-definition' // revisions of a task-definition family the mesh registered (remove = deregister old ones)
  | 'parameter' // an SSM parameter with rendered configuration (consul.hcl, a dataplane's JSON)
  | 'secret' // an SSM SecureString the mesh generates once (gossip key, CA, ACL tokens); never updated by a deployment
  | 'config-entry' // a Consul config entry (service-defaults, service-intentions, ingress-gateway, proxy-defaults...)
  | 'acl' // a Consul ACL policy or token the mesh created
  | 'peering'; // a Consul cluster peering of the spec's `peers` (create = generate the acceptor's token, or establish)

/** One field that differs, as the deployment would see it: `path: before → after`. */
export interface FieldChange {
  path: string;
  before?: unknown;
  after?: unknown;
}

export interface ResourceChange {
  kind: ResourceKind;
  /**
   * A stable, human-readable identifier within the mesh: `cluster-1` (cluster), `cluster-1/users` (service),
   * `users` (task-definition family), the parameter name, `service-intentions/users` (config entry), the image name.
   */
  id: string;
  action: ResourceAction;
  /** Why, in words a user understands: "does not exist", "configuration of users changed (rolls its tasks)". */
  reasons: string[];
  /** The fields that differ, for update and replace. */
  fields?: FieldChange[];
  /** For services: the cluster, the role and the desired count after the deployment (0 for a removal). */
  cluster?: string;
  role?: MeshRole;
  desiredCount?: number;
}

export interface ChangeSet {
  mesh: string;
  /** The hash of the validated spec the change set was computed for. */
  specHash: string;
  /** Every resource of the mesh, in the order a deployment applies them (removals after the stages they empty). */
  changes: ResourceChange[];
  /**
   * Changes no deployment can make, with the reason (e.g. a service's launch type when replacement is not
   * possible): a deployment with any is refused by its Plan step before anything is written.
   */
  refused: string[];
  /** True when every change is `unchanged` and nothing is refused: the deployment makes no write call. */
  noChange: boolean;
}
