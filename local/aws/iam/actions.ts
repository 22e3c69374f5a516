/**
 * What IAM authorizes for each operation the local endpoint serves: the action, the resource ARN(s) it names and
 * the request's condition keys, from the Service Authorization Reference (the "Actions, resources, and condition
 * keys" page of each service). An operation whose actions have no resource-level permissions is authorized
 * against `*`. Beyond the operation itself, AWS also authorizes what the call implies:
 * - `iam:PassRole` on every role ARN the input hands to a service (`iam:PassedToService`; IAM user guide,
 *   "Grant a user permissions to pass a role to an AWS service");
 * - tag-on-create: a Create/Register call with tags also needs the service's TagResource on the new resource
 *   (ECS with `ecs:CreateAction`, ECS developer guide "Grant permission to tag resources on creation"; SSM's
 *   PutParameter needs ssm:AddTagsToResource, ECR's CreateRepository ecr:TagResource), with `aws:RequestTag/...`
 *   and `aws:TagKeys`.
 */
import type { AuthorizationRequest } from './policy';

/** What a call names that AWS's ARN needs but the input does not carry (the next task-definition revision). */
export interface ArnHints {
  nextTaskDefinitionRevision?(region: string, family: string): number;
  /**
   * Whether the account already has ECS's service-linked role (AWSServiceRoleForECS): the first CreateCluster or
   * CreateService creates it with the caller's iam:CreateServiceLinkedRole (ECS developer guide, "Using
   * service-linked roles for Amazon ECS"). Unknown (no hint): not asked.
   */
  ecsServiceLinkedRoleExists?(region: string): boolean;
}

export interface CallScope {
  region: string;
  accountId: string;
  hints?: ArnHints;
}

type Input = Record<string, unknown>;
type Requests = (input: Input, scope: CallScope) => AuthorizationRequest[];

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
const req = (action: string, resource: string, context: AuthorizationRequest['context'] = {}): AuthorizationRequest => ({ action, resource, context });

/** `aws:RequestTag/<key>` for each tag and `aws:TagKeys`, from `[{key, value}]` or `[{Key, Value}]` lists. */
function requestTags(tags: unknown): Record<string, string | string[]> {
  const list = Array.isArray(tags) ? (tags as Array<Record<string, unknown>>) : [];
  const context: Record<string, string | string[]> = {};
  const keys: string[] = [];
  for (const tag of list) {
    const key = str(tag.key) ?? str(tag.Key);
    if (key === undefined) continue;
    keys.push(key);
    context[`aws:RequestTag/${key}`] = str(tag.value) ?? str(tag.Value) ?? '';
  }
  if (keys.length > 0) context['aws:TagKeys'] = keys;
  return context;
}

function hasTags(tags: unknown): boolean {
  return Array.isArray(tags) ? tags.length > 0 : tags !== null && typeof tags === 'object' && Object.keys(tags).length > 0;
}

/** `iam:PassRole` on a role ARN handed to `service`. */
export function passRole(roleArn: string | undefined, service: string): AuthorizationRequest[] {
  return roleArn ? [req('iam:PassRole', roleArn, { 'iam:PassedToService': service })] : [];
}

// ECS ------------------------------------------------------------------------------------------------------------

const ECS_ARN = /^arn:aws[a-z-]*:ecs:[^:]+:\d{12}:([a-z-]+)\/(.+)$/;

function ecs(scope: CallScope, path: string): string {
  return `arn:aws:ecs:${scope.region}:${scope.accountId}:${path}`;
}
function clusterName(reference: unknown): string {
  const ref = str(reference);
  if (!ref) return 'default';
  const match = ECS_ARN.exec(ref);
  return match && match[1] === 'cluster' ? match[2] : ref;
}
function clusterArn(scope: CallScope, reference: unknown): string {
  return ecs(scope, `cluster/${clusterName(reference)}`);
}
function serviceArn(scope: CallScope, cluster: unknown, reference: string): string {
  if (reference.startsWith('arn:')) return reference;
  return ecs(scope, `service/${clusterName(cluster)}/${reference}`);
}
function taskArn(scope: CallScope, cluster: unknown, reference: string): string {
  if (reference.startsWith('arn:')) return reference;
  return ecs(scope, `task/${clusterName(cluster)}/${reference}`);
}
function taskDefinitionArn(scope: CallScope, reference: string): string {
  return reference.startsWith('arn:') ? reference : ecs(scope, `task-definition/${reference}`);
}
/** iam:CreateServiceLinkedRole for ECS's role, when the account does not have it yet. */
function ecsServiceLinkedRole(scope: CallScope): AuthorizationRequest[] {
  if (scope.hints?.ecsServiceLinkedRoleExists?.(scope.region) !== false) return [];
  const arn = `arn:aws:iam::${scope.accountId}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS`;
  return [req('iam:CreateServiceLinkedRole', arn, { 'iam:AWSServiceName': 'ecs.amazonaws.com' })];
}

/** ecs:CreateAction tag-on-create of ECS. */
function ecsTagOnCreate(resource: string, createAction: string, tags: unknown, context: Record<string, string> = {}): AuthorizationRequest[] {
  if (!hasTags(tags)) return [];
  return [req('ecs:TagResource', resource, { ...context, ...requestTags(tags), 'ecs:CreateAction': createAction })];
}

const ECS: Record<string, Requests> = {
  CreateCluster: (input, scope) => {
    const arn = clusterArn(scope, input.clusterName);
    return [req('ecs:CreateCluster', arn, requestTags(input.tags)), ...ecsTagOnCreate(arn, 'CreateCluster', input.tags), ...ecsServiceLinkedRole(scope)];
  },
  DeleteCluster: (input, scope) => [req('ecs:DeleteCluster', clusterArn(scope, input.cluster))],
  DescribeClusters: (input, scope) => {
    const clusters = strings(input.clusters);
    return (clusters.length ? clusters : ['default']).map((c) => req('ecs:DescribeClusters', clusterArn(scope, c)));
  },
  ListClusters: () => [req('ecs:ListClusters', '*')],
  CreateService: (input, scope) => {
    const cluster = { 'ecs:cluster': clusterArn(scope, input.cluster) };
    const arn = serviceArn(scope, input.cluster, str(input.serviceName) ?? '');
    const taskDefinition = str(input.taskDefinition);
    const context = { ...cluster, ...(taskDefinition ? { 'ecs:task-definition': taskDefinitionArn(scope, taskDefinition) } : {}) };
    return [
      req('ecs:CreateService', arn, { ...context, ...requestTags(input.tags) }),
      ...ecsTagOnCreate(arn, 'CreateService', input.tags, cluster),
      ...passRole(str(input.role), 'ecs.amazonaws.com'),
      ...ecsServiceLinkedRole(scope),
    ];
  },
  UpdateService: (input, scope) => {
    const cluster = { 'ecs:cluster': clusterArn(scope, input.cluster) };
    return [req('ecs:UpdateService', serviceArn(scope, input.cluster, str(input.service) ?? ''), cluster)];
  },
  DeleteService: (input, scope) => [req('ecs:DeleteService', serviceArn(scope, input.cluster, str(input.service) ?? ''), { 'ecs:cluster': clusterArn(scope, input.cluster) })],
  DescribeServices: (input, scope) => strings(input.services).map((s) => req('ecs:DescribeServices', serviceArn(scope, input.cluster, s), { 'ecs:cluster': clusterArn(scope, input.cluster) })),
  ListServices: (input, scope) => [req('ecs:ListServices', '*', { 'ecs:cluster': clusterArn(scope, input.cluster) })],
  RegisterTaskDefinition: (input, scope) => {
    const family = str(input.family) ?? '';
    const revision = scope.hints?.nextTaskDefinitionRevision?.(scope.region, family);
    const arn = ecs(scope, `task-definition/${family}:${revision ?? '*'}`);
    return [
      req('ecs:RegisterTaskDefinition', arn, requestTags(input.tags)),
      ...ecsTagOnCreate(arn, 'RegisterTaskDefinition', input.tags),
      ...passRole(str(input.taskRoleArn), 'ecs-tasks.amazonaws.com'),
      ...passRole(str(input.executionRoleArn), 'ecs-tasks.amazonaws.com'),
    ];
  },
  DeregisterTaskDefinition: () => [req('ecs:DeregisterTaskDefinition', '*')],
  DescribeTaskDefinition: () => [req('ecs:DescribeTaskDefinition', '*')],
  ListTaskDefinitions: () => [req('ecs:ListTaskDefinitions', '*')],
  ListTaskDefinitionFamilies: () => [req('ecs:ListTaskDefinitionFamilies', '*')],
  ListTasks: (input, scope) => [req('ecs:ListTasks', '*', { 'ecs:cluster': clusterArn(scope, input.cluster) })],
  DescribeTasks: (input, scope) => strings(input.tasks).map((t) => req('ecs:DescribeTasks', taskArn(scope, input.cluster, t), { 'ecs:cluster': clusterArn(scope, input.cluster) })),
  StopTask: (input, scope) => [req('ecs:StopTask', taskArn(scope, input.cluster, str(input.task) ?? ''), { 'ecs:cluster': clusterArn(scope, input.cluster) })],
  RunTask: (input, scope) => {
    const overrides = (input.overrides ?? {}) as Input;
    return [
      req('ecs:RunTask', taskDefinitionArn(scope, str(input.taskDefinition) ?? ''), { 'ecs:cluster': clusterArn(scope, input.cluster) }),
      ...passRole(str(overrides.taskRoleArn), 'ecs-tasks.amazonaws.com'),
      ...passRole(str(overrides.executionRoleArn), 'ecs-tasks.amazonaws.com'),
    ];
  },
  TagResource: (input) => [req('ecs:TagResource', str(input.resourceArn) ?? '*', requestTags(input.tags))],
  UntagResource: (input) => [req('ecs:UntagResource', str(input.resourceArn) ?? '*', { 'aws:TagKeys': strings(input.tagKeys) })],
  ListTagsForResource: (input) => [req('ecs:ListTagsForResource', str(input.resourceArn) ?? '*')],
};

// SSM ------------------------------------------------------------------------------------------------------------

/** `/a/b` and `a/b` are the same parameter, `arn:aws:ssm:r:a:parameter/a/b` (SSM user guide, parameter ARNs). */
function parameterArn(scope: CallScope, name: unknown): string {
  const text = str(name) ?? '';
  if (text.startsWith('arn:')) return text;
  return `arn:aws:ssm:${scope.region}:${scope.accountId}:parameter/${text.replace(/^\/+/, '')}`;
}
const onParameter = (action: string): Requests => (input, scope) => [req(action, parameterArn(scope, input.Name))];
const onParameters = (action: string): Requests => (input, scope) => strings(input.Names).map((n) => req(action, parameterArn(scope, n)));
function ssmTagged(action: string): Requests {
  return (input, scope) => (str(input.ResourceType) === 'Parameter' ? [req(action, parameterArn(scope, input.ResourceId), action === 'ssm:AddTagsToResource' ? requestTags(input.Tags) : {})] : [req(action, '*')]);
}

const SSM: Record<string, Requests> = {
  GetParameter: onParameter('ssm:GetParameter'),
  GetParameters: onParameters('ssm:GetParameters'),
  GetParameterHistory: onParameter('ssm:GetParameterHistory'),
  GetParametersByPath: (input, scope) => [req('ssm:GetParametersByPath', parameterArn(scope, (str(input.Path) ?? '/').replace(/\/+$/, '')))],
  DescribeParameters: () => [req('ssm:DescribeParameters', '*')],
  PutParameter: (input, scope) => {
    const arn = parameterArn(scope, input.Name);
    return [req('ssm:PutParameter', arn, requestTags(input.Tags)), ...(hasTags(input.Tags) ? [req('ssm:AddTagsToResource', arn, requestTags(input.Tags))] : [])];
  },
  DeleteParameter: onParameter('ssm:DeleteParameter'),
  DeleteParameters: onParameters('ssm:DeleteParameters'),
  LabelParameterVersion: onParameter('ssm:LabelParameterVersion'),
  UnlabelParameterVersion: onParameter('ssm:UnlabelParameterVersion'),
  AddTagsToResource: ssmTagged('ssm:AddTagsToResource'),
  RemoveTagsFromResource: ssmTagged('ssm:RemoveTagsFromResource'),
  ListTagsForResource: ssmTagged('ssm:ListTagsForResource'),
};

// ECR ------------------------------------------------------------------------------------------------------------

export function repositoryArn(scope: Pick<CallScope, 'region' | 'accountId'>, name: unknown): string {
  return `arn:aws:ecr:${scope.region}:${scope.accountId}:repository/${str(name) ?? ''}`;
}
const onRepository = (action: string): Requests => (input, scope) => [req(action, repositoryArn(scope, input.repositoryName))];

const ECR: Record<string, Requests> = {
  GetAuthorizationToken: () => [req('ecr:GetAuthorizationToken', '*')],
  CreateRepository: (input, scope) => {
    const arn = repositoryArn(scope, input.repositoryName);
    return [req('ecr:CreateRepository', arn, requestTags(input.tags)), ...(hasTags(input.tags) ? [req('ecr:TagResource', arn, requestTags(input.tags))] : [])];
  },
  DeleteRepository: onRepository('ecr:DeleteRepository'),
  DescribeRepositories: (input, scope) => {
    const names = strings(input.repositoryNames);
    return names.length ? names.map((n) => req('ecr:DescribeRepositories', repositoryArn(scope, n))) : [req('ecr:DescribeRepositories', repositoryArn(scope, '*'))];
  },
  DescribeImages: onRepository('ecr:DescribeImages'),
  ListImages: onRepository('ecr:ListImages'),
  BatchGetImage: onRepository('ecr:BatchGetImage'),
  BatchDeleteImage: onRepository('ecr:BatchDeleteImage'),
  PutImage: onRepository('ecr:PutImage'),
};

// CodeBuild ------------------------------------------------------------------------------------------------------

function projectArn(scope: CallScope, name: unknown): string {
  const text = str(name) ?? '';
  return text.startsWith('arn:') ? text : `arn:aws:codebuild:${scope.region}:${scope.accountId}:project/${text}`;
}
/** A build id is `<project>:<uuid>`; a build ARN `arn:aws:codebuild:r:a:build/<project>:<uuid>`. */
function buildProject(scope: CallScope, id: string): string {
  const bare = id.startsWith('arn:') ? id.slice(id.indexOf(':build/') + ':build/'.length) : id;
  return projectArn(scope, bare.slice(0, bare.lastIndexOf(':')));
}

const CODEBUILD: Record<string, Requests> = {
  StartBuild: (input, scope) => [req('codebuild:StartBuild', projectArn(scope, input.projectName)), ...passRole(str(input.serviceRoleOverride), 'codebuild.amazonaws.com')],
  StopBuild: (input, scope) => [req('codebuild:StopBuild', buildProject(scope, str(input.id) ?? ''))],
  BatchGetBuilds: (input, scope) => [...new Set(strings(input.ids).map((id) => buildProject(scope, id)))].map((arn) => req('codebuild:BatchGetBuilds', arn)),
  BatchGetProjects: (input, scope) => strings(input.names).map((n) => req('codebuild:BatchGetProjects', projectArn(scope, n))),
  CreateProject: (input, scope) => [req('codebuild:CreateProject', projectArn(scope, input.name), requestTags(input.tags)), ...passRole(str(input.serviceRole), 'codebuild.amazonaws.com')],
  UpdateProject: (input, scope) => [req('codebuild:UpdateProject', projectArn(scope, input.name)), ...passRole(str(input.serviceRole), 'codebuild.amazonaws.com')],
  DeleteProject: (input, scope) => [req('codebuild:DeleteProject', projectArn(scope, input.name))],
  ListBuilds: () => [req('codebuild:ListBuilds', '*')],
  ListProjects: () => [req('codebuild:ListProjects', '*')],
  ListBuildsForProject: (input, scope) => [req('codebuild:ListBuildsForProject', projectArn(scope, input.projectName))],
};

// EventBridge ----------------------------------------------------------------------------------------------------

function ruleArn(scope: CallScope, name: unknown, bus: unknown): string {
  const text = str(name) ?? '';
  if (text.startsWith('arn:')) return text;
  const busName = str(bus) && str(bus) !== 'default' ? `${String(bus).split('/').pop()}/` : '';
  return `arn:aws:events:${scope.region}:${scope.accountId}:rule/${busName}${text}`;
}
const onRule = (action: string, field = 'Name'): Requests => (input, scope) => [req(action, ruleArn(scope, input[field], input.EventBusName))];

const EVENTS: Record<string, Requests> = {
  PutRule: (input, scope) => [req('events:PutRule', ruleArn(scope, input.Name, input.EventBusName), requestTags(input.Tags)), ...passRole(str(input.RoleArn), 'events.amazonaws.com')],
  DeleteRule: onRule('events:DeleteRule'),
  DescribeRule: onRule('events:DescribeRule'),
  EnableRule: onRule('events:EnableRule'),
  DisableRule: onRule('events:DisableRule'),
  ListRules: () => [req('events:ListRules', '*')],
  ListTargetsByRule: onRule('events:ListTargetsByRule', 'Rule'),
  PutTargets: (input, scope) => [
    req('events:PutTargets', ruleArn(scope, input.Rule, input.EventBusName)),
    ...((Array.isArray(input.Targets) ? input.Targets : []) as Input[]).flatMap((t) => passRole(str(t.RoleArn), 'events.amazonaws.com')),
  ],
  RemoveTargets: onRule('events:RemoveTargets', 'Rule'),
  PutEvents: (input, scope) => {
    const buses = new Set(((Array.isArray(input.Entries) ? input.Entries : []) as Input[]).map((e) => str(e.EventBusName) ?? 'default'));
    return [...buses].map((bus) => req('events:PutEvents', bus.startsWith('arn:') ? bus : `arn:aws:events:${scope.region}:${scope.accountId}:event-bus/${bus}`));
  },
  TestEventPattern: () => [req('events:TestEventPattern', '*')],
};

// Step Functions -------------------------------------------------------------------------------------------------

function stateMachineArn(scope: CallScope, name: unknown): string {
  const text = str(name) ?? '';
  return text.startsWith('arn:') ? text : `arn:aws:states:${scope.region}:${scope.accountId}:stateMachine:${text}`;
}
const onExecution = (action: string): Requests => (input) => [req(action, str(input.executionArn) ?? '*')];
const onMachine = (action: string): Requests => (input, scope) => [req(action, stateMachineArn(scope, input.stateMachineArn))];

const STATES: Record<string, Requests> = {
  StartExecution: onMachine('states:StartExecution'),
  DescribeExecution: onExecution('states:DescribeExecution'),
  StopExecution: onExecution('states:StopExecution'),
  GetExecutionHistory: onExecution('states:GetExecutionHistory'),
  DescribeStateMachineForExecution: onExecution('states:DescribeStateMachineForExecution'),
  ListExecutions: onMachine('states:ListExecutions'),
  DescribeStateMachine: onMachine('states:DescribeStateMachine'),
  DeleteStateMachine: onMachine('states:DeleteStateMachine'),
  UpdateStateMachine: (input, scope) => [req('states:UpdateStateMachine', stateMachineArn(scope, input.stateMachineArn)), ...passRole(str(input.roleArn), 'states.amazonaws.com')],
  CreateStateMachine: (input, scope) => [
    req('states:CreateStateMachine', stateMachineArn(scope, input.name), requestTags(input.tags)),
    ...passRole(str(input.roleArn), 'states.amazonaws.com'),
  ],
  ListStateMachines: () => [req('states:ListStateMachines', '*')],
};

// CloudWatch Logs ------------------------------------------------------------------------------------------------

/** `arn:aws:logs:<region>:<account>:log-group:<name>`, the log-group resource of the Service Authorization Reference. */
function logGroupArn(scope: CallScope, input: Input): string {
  const identifier = str(input.logGroupIdentifier);
  if (identifier?.startsWith('arn:')) return identifier.replace(/:\*$/, '');
  return `arn:aws:logs:${scope.region}:${scope.accountId}:log-group:${str(input.logGroupName) ?? identifier ?? ''}`;
}
const onLogGroup = (action: string): Requests => (input, scope) => [req(action, logGroupArn(scope, input))];
const onLogStream = (action: string): Requests => (input, scope) => [req(action, `${logGroupArn(scope, input)}:log-stream:${str(input.logStreamName) ?? ''}`)];

const LOGS: Record<string, Requests> = {
  CreateLogGroup: (input, scope) => [req('logs:CreateLogGroup', logGroupArn(scope, input), requestTags(Object.entries((input.tags ?? {}) as Record<string, string>).map(([Key, Value]) => ({ Key, Value }))))],
  DescribeLogGroups: () => [req('logs:DescribeLogGroups', '*')],
  PutRetentionPolicy: onLogGroup('logs:PutRetentionPolicy'),
  CreateLogStream: onLogStream('logs:CreateLogStream'),
  PutLogEvents: onLogStream('logs:PutLogEvents'),
  FilterLogEvents: onLogGroup('logs:FilterLogEvents'),
};

/** By the endpoint's signing name (`ecs`, `ssm`, `ecr`, `codebuild`, `events`, `states`, `logs`), then operation. */
export const OPERATION_REQUESTS: Record<string, Record<string, Requests>> = { ecs: ECS, ssm: SSM, ecr: ECR, codebuild: CODEBUILD, events: EVENTS, states: STATES, logs: LOGS };

/**
 * The requests IAM authorizes for one JSON-protocol call. An operation missing from the table is authorized as
 * `<service>:<Operation>` on `*`, which only a policy granting it on every resource allows (the table's test
 * checks that every served operation has an entry).
 */
export function requestsForCall(signingName: string, operation: string, input: Input, scope: CallScope): AuthorizationRequest[] {
  const table = OPERATION_REQUESTS[signingName];
  const requests = table && Object.hasOwn(table, operation) ? table[operation] : undefined;
  return requests ? requests(input, scope) : [req(`${signingName}:${operation}`, '*')];
}

// S3 -------------------------------------------------------------------------------------------------------------

/** S3 operations (as the REST provider names them) → the IAM action ("Amazon S3 actions" mapping). */
const S3_ACTIONS: Record<string, string> = {
  ListBuckets: 's3:ListAllMyBuckets',
  CreateBucket: 's3:CreateBucket',
  DeleteBucket: 's3:DeleteBucket',
  HeadBucket: 's3:ListBucket',
  GetBucketLocation: 's3:GetBucketLocation',
  ListObjects: 's3:ListBucket',
  ListObjectsV2: 's3:ListBucket',
  PutObject: 's3:PutObject',
  GetObject: 's3:GetObject',
  HeadObject: 's3:GetObject',
  DeleteObject: 's3:DeleteObject',
};

/**
 * The request of an S3 call on a path-style URL (`/<bucket>/<key>`); a listing carries `s3:prefix` and
 * `s3:delimiter` ("Amazon S3 condition key examples").
 */
export function requestsForS3(operation: string, path: string, query: URLSearchParams = new URLSearchParams()): AuthorizationRequest[] {
  const action = S3_ACTIONS[operation] ?? `s3:${operation}`;
  if (action === 's3:ListAllMyBuckets') return [req(action, '*')];
  const [, bucket = '', ...key] = path.split('/');
  const objectLevel = ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'].includes(action);
  const decodedKey = key.map((part) => safeDecode(part)).join('/');
  if (objectLevel) return [req(action, `arn:aws:s3:::${bucket}/${decodedKey}`)];
  const context: Record<string, string> = {};
  if (operation === 'ListObjects' || operation === 'ListObjectsV2') {
    for (const name of ['prefix', 'delimiter']) {
      const value = query.get(name);
      if (value !== null) context[`s3:${name}`] = value;
    }
  }
  return [req(action, `arn:aws:s3:::${bucket}`, context)];
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
