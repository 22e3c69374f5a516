import type { LocalCloud, PackagedTemplate } from '@consul-mesh/local-cloud';
import { deploy, referenceSpec, startCloud } from './harness';

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };
type Policies = Array<{ PolicyName?: unknown; PolicyDocument: { Statement: Statement[] } }>;

const ACCOUNT = '000000000000';

/** The template with `change` applied to every statement of a role's inline policies. */
function withStatements(roleId: string, change: (statements: Statement[]) => Statement[]) {
  return (template: PackagedTemplate): PackagedTemplate => {
    const role = template.Resources[roleId];
    if (!role) throw new Error(`the packaged template has no role ${roleId}`);
    for (const policy of (role.Properties?.Policies as Policies | undefined) ?? []) policy.PolicyDocument.Statement = change(policy.PolicyDocument.Statement);
    return template;
  };
}

const actionsOf = (s: Statement) => ([] as string[]).concat(s.Action);

/**
 * The local cloud enforces IAM with the packaged template's roles: the fixes of the AWS-deployability issue, taken
 * back out of the template, fail the local deployment the way AWS would fail it, with AWS's message.
 */
describe('IAM enforcement of the local cloud', () => {
  let cloud: LocalCloud | undefined;

  afterEach(async () => {
    await cloud?.stop();
    cloud = undefined;
    // The next cloud listens on other ports: its functions must load afresh (a warm module keeps its SDK clients,
    // which point at the stopped cloud), as a new stack's functions would start cold.
    jest.resetModules();
  });

  it('deploys the reference mesh with every function, state machine, build and task acting as its own role, none refused', async () => {
    cloud = await startCloud();
    const run = await deploy(cloud, referenceSpec());
    expect({ status: run.status, cause: run.cause }).toEqual({ status: 'SUCCEEDED', cause: undefined });
    expect(cloud.iam.denials()).toEqual([]);
    const evaluated = Object.keys(cloud.iam.evaluations());
    const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
    // The deploy steps (their per-function roles), the state machine, the image build and the task execution role.
    expect(evaluated).toEqual(
      expect.arrayContaining([
        role('consul-mesh-local-ensureStage-us-east-1-lambdaRole'),
        role('consul-mesh-local-planDeployment-us-east-1-lambdaRole'),
        role('local-DeployMeshStateMachineRole'),
        role('local-ImageBuildRole'),
        role('local-TaskExecutionRole'),
      ]),
    );
  }, 180_000);

  it('fails RegisterTaskDefinition with AccessDenied when the deploy step may not tag the task definitions it registers', async () => {
    // Issue 9's fix: ecs:TagResource on the mesh's task definitions with ecs:CreateAction (tag-on-create).
    cloud = await startCloud({
      packagedTemplate: withStatements('EnsureStageIamRoleLambdaExecution', (statements) =>
        statements.map((s) => (actionsOf(s).includes('ecs:TagResource') ? { ...s, Resource: ([] as string[]).concat(s.Resource as string[]).filter((r) => !r.includes(':task-definition/')) } : s)),
      ),
    });
    const run = await deploy(cloud, referenceSpec());
    expect(run.status).toBe('FAILED');
    const message = `User: arn:aws:sts::${ACCOUNT}:assumed-role/consul-mesh-local-ensureStage-us-east-1-lambdaRole/consul-mesh-local-ensureStage is not authorized to perform: ecs:TagResource on resource: arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/reference-mesh-consul-server:1 because no identity-based policy allows the ecs:TagResource action`;
    expect(run.cause).toContain(message);
    expect(cloud.iam.denials()).toContainEqual(expect.objectContaining({ action: 'ecs:TagResource', resource: `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/reference-mesh-consul-server:1` }));
    // Nothing was registered: AWS authorizes the whole call before it does anything.
    expect(cloud.ecs.store.region('us-east-1').families.size).toBe(0);
  }, 180_000);

  it('denies the deploy step\'s call when its role may not pass the task roles (iam:PassRole)', async () => {
    cloud = await startCloud({
      packagedTemplate: withStatements('EnsureStageIamRoleLambdaExecution', (statements) => statements.filter((s) => !actionsOf(s).includes('iam:PassRole'))),
    });
    const run = await deploy(cloud, referenceSpec());
    expect(run.status).toBe('FAILED');
    expect(run.cause).toMatch(
      new RegExp(`is not authorized to perform: iam:PassRole on resource: arn:aws:iam::${ACCOUNT}:role/local-(ServerTaskRole|TaskExecutionRole) because no identity-based policy allows the iam:PassRole action`),
    );
  }, 180_000);

  it('stops the servers with ResourceInitializationError when the execution role cannot read their secrets, and the deployment fails', async () => {
    cloud = await startCloud({
      packagedTemplate: withStatements('TaskExecutionRole', (statements) => statements.filter((s) => !actionsOf(s).includes('ssm:GetParameters'))),
    });
    const run = await deploy(cloud, referenceSpec(), { maxRounds: 60 });
    expect(run.status).toBe('FAILED');
    const stopped = [...cloud.ecs.store.region('us-east-1').tasks.values()].filter((t) => t.lastStatus === 'STOPPED');
    expect(stopped.length).toBeGreaterThan(0);
    for (const task of stopped) {
      expect(task.stopCode).toBe('TaskFailedToStart');
      expect(task.stoppedReason).toMatch(
        new RegExp(
          `^ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: service call has been retried 1 time\\(s\\): AccessDeniedException: User: arn:aws:sts::${ACCOUNT}:assumed-role/local-TaskExecutionRole/[0-9a-f]{32} is not authorized to perform: ssm:GetParameters on resource: arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/consul-mesh/reference-mesh/`,
        ),
      );
    }
    // Only the servers were tried: the service clusters wait for them.
    expect(new Set(stopped.map((t) => t.clusterName))).toEqual(new Set(['consul-server']));
  }, 180_000);

  it('fails the Task state when the state machine\'s role may not invoke the function', async () => {
    cloud = await startCloud({
      packagedTemplate: withStatements('DeployMeshStateMachineRole', (statements) =>
        statements.map((s) => (actionsOf(s).includes('lambda:InvokeFunction') ? { ...s, Resource: ([] as string[]).concat(s.Resource as string[]).filter((r) => !JSON.stringify(r).includes('PlanDeploymentLambdaFunction')) } : s)),
      ),
    });
    const run = await deploy(cloud, referenceSpec());
    expect(run.status).toBe('FAILED');
    const failed = run.history.find((e) => e.type === 'TaskFailed' || e.type === 'LambdaFunctionFailed');
    const details = failed?.taskFailedEventDetails ?? failed?.lambdaFunctionFailedEventDetails;
    expect(details?.error).toBe('Lambda.AWSLambdaException');
    expect(details?.cause).toContain(`is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:us-east-1:${ACCOUNT}:function:consul-mesh-local-planDeployment`);
  }, 180_000);
});
