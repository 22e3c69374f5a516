import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { logGroupName } from '../../../layers/domain/ecs';
import { loadMeshSpec } from '../../../layers/domain/spec';
import { evaluatePolicies, runServerlessPackage } from '@consul-mesh/local-cloud';

const run = promisify(execFile);

type Condition = Record<string, Record<string, string | string[]>>;
type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: Condition };
type Resource = { Type: string; Properties: Record<string, unknown> };
type Template = { Resources: Record<string, Resource> };

const ACCOUNT = '111122223333';
const REGION = 'us-east-1';

/**
 * What `serverless deploy` would get on AWS: a stage of its own (not `local`) and the network and source parameters
 * serverless.yml has no defaults for, with dummy values. Packaging makes no AWS call.
 */
const DEPLOY_ARGS = [
  '--stage', 'prod',
  '--region', REGION,
  '--param=vpcId=vpc-0123456789abcdef0',
  '--param=subnetId1=subnet-0123456789abcdef0',
  '--param=subnetId2=subnet-0123456789abcdef1',
  '--param=securityGroupId=sg-0123456789abcdef0',
];
const SLS_ENV = { ...process.env, AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'dummy', SLS_TELEMETRY_DISABLED: '1' };
/** The application directory `serverless` runs in (jest's working directory, the repository's root). */
const ROOT_DIR = join(__dirname, '..', '..', '..');
const serverless = (args: string[]) => run(process.execPath, [require.resolve('serverless/bin/serverless.js'), ...args], { cwd: ROOT_DIR, env: SLS_ENV, timeout: 300_000, maxBuffer: 16 * 1024 * 1024 });

/**
 * CloudFormation references in a policy, resolved as CloudFormation would in account ACCOUNT: a role's ARN, a log
 * group's ARN (which ends in `:*`), and `Fn::Sub` with the pseudo parameters.
 */
function resolveRef(template: Template, value: unknown): string {
  if (typeof value === 'string') return value;
  const ref = value as { 'Fn::GetAtt'?: [string, string]; 'Fn::Sub'?: string; 'Fn::Join'?: [string, unknown[]] };
  if (ref['Fn::Join']) return ref['Fn::Join'][1].map((part) => resolveRef(template, part)).join(ref['Fn::Join'][0]);
  if (ref['Fn::GetAtt']) {
    const [id] = ref['Fn::GetAtt'];
    const resource = template.Resources[id];
    if (resource?.Type === 'AWS::IAM::Role') return `arn:aws:iam::${ACCOUNT}:role/${id}`;
    if (resource?.Type === 'AWS::Logs::LogGroup') return `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${resource.Properties.LogGroupName as string}:*`;
    return `${id}.Arn`;
  }
  if (typeof ref['Fn::Sub'] === 'string') {
    const pseudo: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': REGION, 'AWS::AccountId': ACCOUNT };
    return ref['Fn::Sub'].replace(/\$\{([^}]+)\}/g, (all, name: string) => pseudo[name] ?? all);
  }
  return JSON.stringify(value);
}

/**
 * Does the role with `statements` allow `action` on `resource` in a request with `context`? IAM's evaluation as the
 * local cloud enforces it (local/aws/iam/policy.ts), after CloudFormation's references are resolved in ACCOUNT.
 */
function allows(template: Template, statements: Statement[], action: string, resource: string, context: Record<string, string> = {}): boolean {
  const resolved = statements.map((s) => ({
    ...s,
    Effect: s.Effect as 'Allow' | 'Deny',
    Resource: [s.Resource].flat().map((r) => resolveRef(template, r)),
    ...(s.Condition
      ? { Condition: Object.fromEntries(Object.entries(s.Condition).map(([op, keys]) => [op, Object.fromEntries(Object.entries(keys).map(([k, v]) => [k, [v].flat().map((w) => resolveRef(template, w))]))])) }
      : {}),
  }));
  return evaluatePolicies([{ Statement: resolved }], { action, resource, context }) === 'Allowed';
}

describe('serverless package', () => {
  let template: Template;
  let outDir: string;
  let templatePath: string;
  /** `serverless print` of the same deployment with reconcileReservedConcurrency set. */
  let printedWithReservation: { functions: Record<string, { reservedConcurrency?: unknown }> };

  /** serverless-esbuild's per-function zip folders (`<function>-<pid>-<ms>-<hex>`) in the shared temporary directory. */
  const zipFolders = () => new Set(readdirSync(tmpdir()).filter((name) => /^[A-Za-z]+-\d+-\d+-[0-9a-f]{8}$/.test(name)));
  let zipFoldersBefore: Set<string>;

  beforeAll(async () => {
    zipFoldersBefore = zipFolders();
    outDir = mkdtempSync(join(tmpdir(), 'sls-package-'));
    const [, printed] = await Promise.all([
      runServerlessPackage(ROOT_DIR, [...DEPLOY_ARGS, '--package', outDir], { env: SLS_ENV }),
      serverless(['print', ...DEPLOY_ARGS, '--format', 'json', '--param=reconcileReservedConcurrency=1']),
    ]);
    printedWithReservation = JSON.parse(printed.stdout);
    templatePath = join(outDir, 'cloudformation-template-update-stack.json');
    template = JSON.parse(readFileSync(templatePath, 'utf8'));
  }, 600_000);

  afterAll(() => {
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  const resources = () => Object.entries(template.Resources);
  const policiesOf = (logicalId: string) =>
    (template.Resources[logicalId].Properties.Policies as Array<{ PolicyDocument: { Statement: Statement[] } }> | undefined) ?? [];
  const statementsOf = (logicalId: string): Statement[] => policiesOf(logicalId).flatMap((p) => p.PolicyDocument.Statement);
  const functionRole = (key: string) => `${key[0].toUpperCase()}${key.slice(1)}IamRoleLambdaExecution`;
  const functionEnv = (key: string) =>
    (template.Resources[`${key[0].toUpperCase()}${key.slice(1)}LambdaFunction`].Properties.Environment as { Variables: Record<string, unknown> }).Variables;
  const roleAllows = (logicalId: string, action: string, resource: string, context?: Record<string, string>) =>
    allows(template, statementsOf(logicalId), action, resource, context);
  const ecsArn = (resource: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:${resource}`;
  // Every function of serverless.yml: the deploy steps and the task-churn handlers.
  const functionKeys = [
    'planDeployment',
    'ensureImage',
    'checkImageBuild',
    'storeConfig',
    'ensureStage',
    'checkStage',
    'startRemovals',
    'checkRemovals',
    'ensureAcl',
    'applyConfigEntries',
    'ensurePeering',
    'checkPeering',
    'summarize',
    'recordFailure',
    'taskStateChange',
    'executionEnded',
    'reconcile',
    'recoverDatacenter',
    'authorize',
    'api',
    'rolloutPrepare',
    'rolloutRegister',
    'rolloutUpdate',
    'rolloutCheck',
    'rolloutRollback',
    'rolloutFinish',
    'rolloutRecordFailure',
    'rotatePrepare',
    'rotateActivate',
    'rotateStore',
    'rotateCheck',
    'rotateRetire',
    'rotateFinish',
    'rotateRecordFailure',
    'destroyPrepare',
    'destroyStage',
    'destroyConsul',
    'destroyCleanup',
    'destroyFinish',
  ];

  it('leaves none of the folders serverless-esbuild zips from in the shared temporary directory', () => {
    // It fails to remove them (about 5 MB per function and packaging); runServerlessPackage gives it a TMPDIR of its own.
    expect([...zipFolders()].filter((name) => !zipFoldersBefore.has(name))).toEqual([]);
  });

  it('bundles each function on its own, on nodejs22.x', () => {
    const zips = readdirSync(outDir).filter((f) => f.endsWith('.zip'));
    expect(zips.sort()).toEqual(functionKeys.map((k) => `${k}.zip`).sort());
    const lambdas = resources().filter(([, r]) => r.Type === 'AWS::Lambda::Function');
    expect(lambdas).toHaveLength(functionKeys.length);
    for (const [, fn] of lambdas) expect(fn.Properties.Runtime).toBe('nodejs22.x');
  });

  it('includes the deploy state machine from state-machines/deploy-mesh.asl.json, wired to the functions', () => {
    const machine = template.Resources.DeployMeshStateMachine;
    expect(machine.Type).toBe('AWS::StepFunctions::StateMachine');
    const asl = JSON.parse(readFileSync('state-machines/deploy-mesh.asl.json', 'utf8'));
    const definition = JSON.stringify(machine.Properties.DefinitionString);
    for (const state of ['Plan', 'BuildImages', 'StoreConfig', 'ServersEnsure', 'ServiceClusters', 'IngressEnsure', 'Summarize', 'RecordFailure']) {
      expect(asl.States[state]).toBeDefined();
      expect(definition).toContain(`\\"${state}\\"`);
    }
    expect(definition).toContain('PlanDeploymentLambdaFunction');
  });

  it('sends the task events of the mesh\'s task-definition families, in any cluster, to the handler, with an on-failure queue', () => {
    const rules = resources().filter(([, r]) => r.Type === 'AWS::Events::Rule');
    const patterns = rules.map(([, r]) => r.Properties.EventPattern as { source?: string[]; detail?: { taskDefinitionArn?: unknown } } | undefined).filter(Boolean);
    expect(patterns).toContainEqual({
      source: ['aws.ecs'],
      'detail-type': ['ECS Task State Change'],
      detail: { taskDefinitionArn: [{ wildcard: '*:task-definition/reference-mesh-*' }] },
    });
    // The task-event handler's own (the reconcile has one too; the template's order of resources is not fixed).
    const config = resources().find(([, r]) => r.Type === 'AWS::Lambda::EventInvokeConfig' && (r.Properties.FunctionName as { Ref?: string }).Ref === 'TaskStateChangeLambdaFunction');
    expect(config?.[1].Properties).toMatchObject({ MaximumRetryAttempts: 2, DestinationConfig: { OnFailure: { Destination: expect.anything() } } });
  });

  it('sends the failed, timed-out and stopped executions of this stack\'s state machines, and only those, to the lock release', () => {
    const rules = resources().filter(([, r]) => r.Type === 'AWS::Events::Rule' && (r.Properties.EventPattern as { source?: string[] } | undefined)?.source?.[0] === 'aws.states');
    expect(rules.map(([, r]) => r.Properties.EventPattern)).toEqual([
      {
        source: ['aws.states'],
        'detail-type': ['Step Functions Execution Status Change'],
        detail: { status: ['FAILED', 'TIMED_OUT', 'ABORTED'], stateMachineArn: [{ Ref: 'DeployMeshStateMachine' }, { Ref: 'RolloutServiceStateMachine' }, { Ref: 'RotateSecretStateMachine' }, { Ref: 'DestroyMeshStateMachine' }] },
      },
    ]);
    const targets = rules[0][1].Properties.Targets as Array<{ Arn: unknown }>;
    expect(targets).toEqual([expect.objectContaining({ Arn: { 'Fn::GetAtt': ['ExecutionEndedLambdaFunction', 'Arn'] } })]);
  });

  it('puts every HTTP API route behind the token authorizer', () => {
    const routes = resources().filter(([, r]) => r.Type === 'AWS::ApiGatewayV2::Route');
    expect(routes.length).toBe(15);
    for (const [, route] of routes) expect(route.Properties).toMatchObject({ AuthorizationType: 'CUSTOM', AuthorizerId: expect.anything() });
  });

  it('gives every function its own role', () => {
    const lambdas = resources().filter(([, r]) => r.Type === 'AWS::Lambda::Function');
    const roles = new Set(lambdas.map(([, fn]) => JSON.stringify(fn.Properties.Role)));
    expect(roles.size).toBe(lambdas.length);
  });

  it('lets only the ACL step\'s, the rotation\'s keyring/token steps and the datacenter recovery read the Consul management token, and points every other function at the orchestrator token', () => {
    // The gossip keyring (keyring:write) and creating or deleting a token (acl:write) need the management token;
    // these functions read SSM and never write it. The recovery re-creates the tokens of a datacenter that lost
    // every server, which knows no other token.
    const management = ['ensureAcl', 'rotateActivate', 'rotateRetire', 'recoverDatacenter'];
    const bootstrap = 'arn:aws:ssm:us-east-1:000000000000:parameter/consul-mesh/reference-mesh/secrets/acl/bootstrap-token';
    const secretsPath = 'arn:aws:ssm:us-east-1:000000000000:parameter/consul-mesh/reference-mesh/secrets';
    const orchestrator = 'arn:aws:ssm:us-east-1:000000000000:parameter/consul-mesh/reference-mesh/secrets/acl/orchestrator-token';
    const readers: string[] = [];
    const orchestratorReaders: string[] = [];
    for (const [, fn] of resources().filter(([, r]) => r.Type === 'AWS::Lambda::Function')) {
      const roleId = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      const name = String(fn.Properties.FunctionName).replace(/^consul-mesh-[a-z0-9]+-/, '');
      const policies = (template.Resources[roleId].Properties.Policies as Array<{ PolicyDocument: { Statement: Statement[] } }> | undefined) ?? [];
      const statements = policies.flatMap((p) => p.PolicyDocument.Statement);
      const env = ((fn.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {}) as Record<string, unknown>;
      if (['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParameterHistory'].some((a) => allows(template, statements, a, bootstrap)) || allows(template, statements, 'ssm:GetParametersByPath', secretsPath)) {
        readers.push(name);
      }
      if (allows(template, statements, 'ssm:GetParameter', orchestrator)) orchestratorReaders.push(name);
      if (env.CONSUL_TOKEN_PARAMETER !== undefined) {
        expect({ name, token: env.CONSUL_TOKEN_PARAMETER }).toEqual({
          name,
          token: `/consul-mesh/reference-mesh/secrets/acl/${management.includes(name) ? 'bootstrap-token' : 'orchestrator-token'}`,
        });
      }
    }
    expect(readers.sort()).toEqual([...management].sort());
    // Every function that talks to Consul can read the token it is given.
    expect(orchestratorReaders).toEqual(expect.arrayContaining(['checkStage', 'checkRemovals', 'planDeployment', 'applyConfigEntries', 'summarize', 'taskStateChange', 'reconcile', 'api', 'rolloutCheck']));
  });

  it('grants no wildcard action in any role', () => {
    const statements: Statement[] = [];
    for (const [, r] of resources()) {
      if (r.Type !== 'AWS::IAM::Role') continue;
      const policies = (r.Properties.Policies as Array<{ PolicyDocument: { Statement: Statement[] } }> | undefined) ?? [];
      for (const p of policies) statements.push(...p.PolicyDocument.Statement);
    }
    expect(statements.length).toBeGreaterThan(10);
    const actions = statements.flatMap((s) => ([] as string[]).concat(s.Action));
    expect(actions.filter((a) => a.includes('*'))).toEqual([]);
  });
  it('lets the deploy step tag what it creates, and only while creating it (tag-on-create)', () => {
    // CreateCluster, CreateService and RegisterTaskDefinition carry tags, so ECS also authorizes ecs:TagResource on
    // the new resource, with ecs:CreateAction naming the call.
    const created: Array<[string, string]> = [
      ['CreateCluster', ecsArn('cluster/cluster-1')],
      ['CreateService', ecsArn('service/cluster-1/users')],
      ['RegisterTaskDefinition', ecsArn('task-definition/reference-mesh-users:7')],
      ['RegisterTaskDefinition', ecsArn('task-definition/reference-mesh-consul-server:1')],
    ];
    const ensureStage = functionRole('ensureStage');
    for (const [action, arn] of created) {
      expect({ action, arn, allowed: roleAllows(ensureStage, `ecs:${action}`, arn) }).toEqual({ action, arn, allowed: true });
      expect({ action, arn, tagOnCreate: roleAllows(ensureStage, 'ecs:TagResource', arn, { 'ecs:CreateAction': action }) }).toEqual({ action, arn, tagOnCreate: true });
      expect(roleAllows(ensureStage, 'ecs:TagResource', arn)).toBe(false);
    }
    // Task definitions only of the mesh's families.
    expect(roleAllows(ensureStage, 'ecs:RegisterTaskDefinition', ecsArn('task-definition/billing-api:1'))).toBe(false);
    expect(roleAllows(ensureStage, 'ecs:DescribeTaskDefinition', '*')).toBe(true);

    // A rollout copies the running revision's tags into the new one.
    const register = functionRole('rolloutRegister');
    const revision = ecsArn('task-definition/reference-mesh-users:8');
    expect(roleAllows(register, 'ecs:RegisterTaskDefinition', revision)).toBe(true);
    expect(roleAllows(register, 'ecs:TagResource', revision, { 'ecs:CreateAction': 'RegisterTaskDefinition' })).toBe(true);
    expect(roleAllows(register, 'ecs:TagResource', revision)).toBe(false);
    expect(roleAllows(register, 'ecs:TagResource', ecsArn('service/cluster-1/users'), { 'ecs:CreateAction': 'CreateService' })).toBe(false);
  });

  it('lets only the deploy step create ECS\'s service-linked role, and no other role', () => {
    const slr = `arn:aws:iam::${ACCOUNT}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS`;
    const ensureStage = functionRole('ensureStage');
    expect(roleAllows(ensureStage, 'iam:CreateServiceLinkedRole', slr, { 'iam:AWSServiceName': 'ecs.amazonaws.com' })).toBe(true);
    expect(roleAllows(ensureStage, 'iam:CreateServiceLinkedRole', slr)).toBe(false);
    const elbSlr = `arn:aws:iam::${ACCOUNT}:role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing`;
    expect(roleAllows(ensureStage, 'iam:CreateServiceLinkedRole', elbSlr, { 'iam:AWSServiceName': 'elasticloadbalancing.amazonaws.com' })).toBe(false);
    const others = resources().filter(([id, r]) => r.Type === 'AWS::IAM::Role' && id !== ensureStage);
    for (const [id] of others) expect({ id, allowed: roleAllows(id, 'iam:CreateServiceLinkedRole', slr, { 'iam:AWSServiceName': 'ecs.amazonaws.com' }) }).toEqual({ id, allowed: false });
  });

  it('declares the mesh\'s log group with a retention, which the execution role may write to and nothing more', () => {
    const groups = resources().filter(([, r]) => r.Type === 'AWS::Logs::LogGroup' && r.Properties.LogGroupName === logGroupName(loadMeshSpec('examples/mesh.yaml')));
    expect(groups).toHaveLength(1);
    const [[groupId, group]] = groups;
    expect(group.Properties.RetentionInDays).toBe(30);

    const stream = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/ecs/consul-mesh/reference-mesh:log-stream:users/users/0a1b2c3d`;
    expect(roleAllows('TaskExecutionRole', 'logs:CreateLogStream', stream)).toBe(true);
    expect(roleAllows('TaskExecutionRole', 'logs:PutLogEvents', stream)).toBe(true);
    expect(roleAllows('TaskExecutionRole', 'logs:PutLogEvents', `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/other:log-stream:x`)).toBe(false);
    expect(roleAllows('TaskExecutionRole', 'logs:CreateLogGroup', resolveRef(template, { 'Fn::GetAtt': [groupId, 'Arn'] }))).toBe(false);
    // No managed policy that would grant logs actions on every group.
    expect(template.Resources.TaskExecutionRole.Properties.ManagedPolicyArns).toBeUndefined();
    expect(roleAllows('TaskExecutionRole', 'ecr:BatchGetImage', `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/reference-mesh/users`)).toBe(true);
  });

  it('lets the image build make every ECR call of the buildspec, and passes the account so it needs no STS call', () => {
    const buildspec = readFileSync('docker/buildspec.yml', 'utf8');
    // `aws ecr get-login-password` is GetAuthorizationToken; the other commands are their action in kebab case.
    const commands = [...new Set([...buildspec.matchAll(/aws ecr ([a-z-]+)/g)].map((m) => m[1]))];
    expect(commands).toEqual(expect.arrayContaining(['describe-repositories', 'get-login-password', 'describe-images']));
    const repository = `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/reference-mesh/users`;
    for (const command of commands) {
      const action = command === 'get-login-password' ? 'ecr:GetAuthorizationToken' : `ecr:${command.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase())}`;
      const resource = action === 'ecr:GetAuthorizationToken' ? '*' : repository;
      expect({ action, allowed: roleAllows('ImageBuildRole', action, resource) }).toEqual({ action, allowed: true });
    }
    // docker push
    for (const action of ['ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:PutImage', 'ecr:BatchCheckLayerAvailability']) {
      expect({ action, allowed: roleAllows('ImageBuildRole', action, repository) }).toEqual({ action, allowed: true });
    }
    // The buildspec asks STS for the account only when AWS_ACCOUNT_ID is empty; the project always sets it.
    expect(buildspec).toMatch(/AWS_ACCOUNT_ID="\$\{AWS_ACCOUNT_ID:-\$\(aws sts get-caller-identity/);
    const environment = (template.Resources.ImageBuildProject.Properties.Environment as { EnvironmentVariables: Array<{ Name: string; Value: unknown }> }).EnvironmentVariables;
    expect(environment).toContainEqual({ Name: 'AWS_ACCOUNT_ID', Value: { Ref: 'AWS::AccountId' } });
  });

  it('gives the servers, the gateway and the services each their own task role, and passes exactly those', () => {
    const env = functionEnv('ensureStage');
    const taskRoles = { SERVER_TASK_ROLE_ARN: 'ServerTaskRole', GATEWAY_TASK_ROLE_ARN: 'GatewayTaskRole', SERVICE_TASK_ROLE_ARN: 'ServiceTaskRole' };
    for (const [variable, id] of Object.entries(taskRoles)) {
      expect(env[variable]).toEqual({ 'Fn::GetAtt': [id, 'Arn'] });
      expect(template.Resources[id].Type).toBe('AWS::IAM::Role');
    }
    expect(env.TASK_EXECUTION_ROLE_ARN).toEqual({ 'Fn::GetAtt': ['TaskExecutionRole', 'Arn'] });

    // Cloud auto-join: the servers list and describe tasks in their account and region (the server cluster is the
    // deployed spec's, not fixed by the stack), and nothing else.
    const serverCluster = { 'ecs:cluster': ecsArn('cluster/consul-server') };
    expect(roleAllows('ServerTaskRole', 'ecs:ListTasks', '*', serverCluster)).toBe(true);
    expect(roleAllows('ServerTaskRole', 'ecs:DescribeTasks', ecsArn('task/consul-server/0a1b'), serverCluster)).toBe(true);
    expect(roleAllows('ServerTaskRole', 'ecs:ListTasks', '*', { 'ecs:cluster': `arn:aws:ecs:${REGION}:999999999999:cluster/consul-server` })).toBe(false);
    expect(roleAllows('ServerTaskRole', 'ecs:StopTask', ecsArn('task/consul-server/0a1b'), serverCluster)).toBe(false);
    expect(roleAllows('ServerTaskRole', 'ec2:DescribeInstances', '*')).toBe(false);
    // The gateway's and the services' containers call no AWS API.
    for (const id of ['GatewayTaskRole', 'ServiceTaskRole']) {
      expect(statementsOf(id)).toEqual([]);
      expect(template.Resources[id].Properties.ManagedPolicyArns).toBeUndefined();
    }

    const passed = (key: string) =>
      statementsOf(functionRole(key))
        .filter((st) => [st.Action].flat().includes('iam:PassRole'))
        .flatMap((st) => {
          expect(st.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } });
          return [st.Resource].flat().map((r) => resolveRef(template, r));
        })
        .sort();
    const roleArn = (id: string) => `arn:aws:iam::${ACCOUNT}:role/${id}`;
    expect(passed('ensureStage')).toEqual(['GatewayTaskRole', 'ServerTaskRole', 'ServiceTaskRole', 'TaskExecutionRole'].map(roleArn));
    // A rollout registers a service's revision with the services' task role, whatever the running one had.
    expect(passed('rolloutRegister')).toEqual(['ServiceTaskRole', 'TaskExecutionRole'].map(roleArn));
    expect(functionEnv('rolloutRegister')).toMatchObject({
      TASK_EXECUTION_ROLE_ARN: { 'Fn::GetAtt': ['TaskExecutionRole', 'Arn'] },
      SERVICE_TASK_ROLE_ARN: { 'Fn::GetAtt': ['ServiceTaskRole', 'Arn'] },
    });
  });

  it('keeps the Consul snapshots encrypted in a bucket that expires them, read and written by the recovery function only', () => {
    const bucket = template.Resources.SnapshotBucket;
    expect(bucket.Type).toBe('AWS::S3::Bucket');
    expect(bucket.Properties.BucketEncryption).toEqual({ ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] });
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    // Retention: every snapshot expires snapshotRetentionDays (7 by default) after it was stored.
    const rules = (bucket.Properties.LifecycleConfiguration as { Rules: Array<Record<string, unknown>> }).Rules;
    expect(rules).toEqual([expect.objectContaining({ Status: 'Enabled', Prefix: 'snapshots/', ExpirationInDays: 7 })]);
    expect(functionEnv('recoverDatacenter').SNAPSHOT_BUCKET).toEqual({ Ref: 'SnapshotBucket' });

    const object = 'SnapshotBucket.Arn/snapshots/reference-mesh/8234567890123-2026-12-06T13-00-00.000Z-42.snap';
    const recovery = functionRole('recoverDatacenter');
    expect(roleAllows(recovery, 's3:PutObject', object)).toBe(true);
    expect(roleAllows(recovery, 's3:GetObject', object)).toBe(true);
    expect(roleAllows(recovery, 's3:DeleteObject', object)).toBe(false);
    expect(roleAllows(recovery, 's3:PutObject', 'SnapshotBucket.Arn/snapshots/other-mesh/x.snap')).toBe(false);
    expect(roleAllows(recovery, 's3:ListBucket', 'SnapshotBucket.Arn', { 's3:prefix': 'snapshots/reference-mesh/' })).toBe(true);
    expect(roleAllows(recovery, 's3:ListBucket', 'SnapshotBucket.Arn', { 's3:prefix': '' })).toBe(false);
    for (const key of functionKeys.filter((k) => k !== 'recoverDatacenter')) expect({ key, get: roleAllows(functionRole(key), 's3:GetObject', object) }).toEqual({ key, get: false });

    // The snapshot schedule: the same function, its own rate, the constant input that selects the snapshot.
    const schedules = resources().filter(([, r]) => r.Type === 'AWS::Events::Rule' && r.Properties.ScheduleExpression === 'rate(15 minutes)');
    expect(schedules).toHaveLength(1);
    const [target] = schedules[0][1].Properties.Targets as Array<{ Arn: unknown; Input?: string }>;
    expect(JSON.parse(target.Input ?? '{}')).toEqual({ action: 'snapshot' });
    expect(JSON.stringify(target.Arn)).toContain('RecoverDatacenterLambdaFunction');
  });

  it('reserves no Lambda concurrency unless asked, so a small account quota cannot fail the stack', () => {
    const reserved = resources().filter(([, r]) => r.Type === 'AWS::Lambda::Function' && r.Properties.ReservedConcurrentExecutions !== undefined);
    expect(reserved.map(([id]) => id)).toEqual([]);
    expect(printedWithReservation.functions.reconcile.reservedConcurrency).toBe(1);
  });

  it('passes cfn-lint with no error', async () => {
    let stdout: string;
    try {
      ({ stdout } = await run('cfn-lint', ['--format', 'json', '--', templatePath], { maxBuffer: 16 * 1024 * 1024, timeout: 120_000 }));
    } catch (error) {
      const failed = error as NodeJS.ErrnoException & { stdout?: string };
      if (failed.code === 'ENOENT') throw new Error('cfn-lint is not installed: pip install cfn-lint (the packaged template is linted with it)');
      // cfn-lint exits non-zero when it reports anything (2 errors, 4 warnings, 8 informational): read its report.
      if (typeof failed.stdout !== 'string' || failed.stdout === '') throw error;
      stdout = failed.stdout;
    }
    const matches = JSON.parse(stdout) as Array<{ Level: string; Message: string; Rule: { Id: string }; Location: { Path: unknown[] } }>;
    const others = matches.filter((m) => m.Level !== 'Error');
    if (others.length > 0) {
      const byRule = new Map<string, number>();
      for (const m of others) byRule.set(`${m.Rule.Id} (${m.Level})`, (byRule.get(`${m.Rule.Id} (${m.Level})`) ?? 0) + 1);
      console.info(`cfn-lint, not errors: ${[...byRule].map(([rule, n]) => `${rule} x${n}`).join(', ')}`);
    }
    const errors = matches.filter((m) => m.Level === 'Error').map((m) => `${m.Rule.Id} ${m.Location.Path.join('/')}: ${m.Message}`);
    expect(errors).toEqual([]);
  });
});
