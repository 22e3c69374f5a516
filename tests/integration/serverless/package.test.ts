import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

/** An IAM resource pattern (`*` any run of characters, `?` one) as a RegExp. */
function arnPattern(pattern: string): RegExp {
  return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
}

/** The plain strings of a Resource (an `!Sub`/`Fn::Join` or `!GetAtt` cannot name an SSM parameter here). */
function resourceStrings(resource: unknown): string[] {
  return ([] as unknown[]).concat(resource).filter((r): r is string => typeof r === 'string');
}

/**
 * IAM's evaluation for one identity policy set: an explicit Deny that matches wins, else an Allow must match
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
 */
function allows(statements: Statement[], action: string, arn: string): boolean {
  const matches = (s: Statement) =>
    ([] as string[]).concat(s.Action).includes(action) && resourceStrings(s.Resource).some((r) => arnPattern(r).test(arn));
  if (statements.some((s) => s.Effect === 'Deny' && matches(s))) return false;
  return statements.some((s) => s.Effect === 'Allow' && matches(s));
}
type Resource = { Type: string; Properties: Record<string, unknown> };

/**
 * `npx serverless package` works offline (dummy credentials, no AWS call) and writes the CloudFormation template
 * this checks: the deploy state machine, one role per function, and no wildcard action anywhere.
 */
describe('serverless package', () => {
  let template: { Resources: Record<string, Resource> };
  let outDir: string;

  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'sls-package-'));
    await run(process.execPath, [require.resolve('serverless/bin/serverless.js'), 'package', '--stage', 'local', '--package', outDir], {
      env: { ...process.env, AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'dummy', SLS_TELEMETRY_DISABLED: '1' },
      timeout: 120_000,
    });
    template = JSON.parse(readFileSync(join(outDir, 'cloudformation-template-update-stack.json'), 'utf8'));
  }, 150_000);

  const resources = () => Object.entries(template.Resources);
  // Every function of serverless.yml: the deploy steps and the task-churn handlers.
  const functionKeys = [
    'planDeployment',
    'ensureImage',
    'checkImageBuild',
    'storeConfig',
    'ensureStage',
    'checkStage',
    'ensureAcl',
    'applyConfigEntries',
    'summarize',
    'recordFailure',
    'taskStateChange',
    'reconcile',
    'authorize',
    'api',
    'rolloutPrepare',
    'rolloutRegister',
    'rolloutUpdate',
    'rolloutCheck',
    'rolloutRollback',
    'rolloutFinish',
    'rolloutRecordFailure',
  ];

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

  it('sends the mesh clusters\' task events to the handler, with an on-failure queue', () => {
    const rules = resources().filter(([, r]) => r.Type === 'AWS::Events::Rule');
    const patterns = rules.map(([, r]) => r.Properties.EventPattern as { source?: string[]; detail?: { clusterArn?: unknown } } | undefined).filter(Boolean);
    expect(patterns).toContainEqual({
      source: ['aws.ecs'],
      'detail-type': ['ECS Task State Change'],
      detail: { clusterArn: ['cluster-1', 'cluster-2', 'consul-server', 'ingress'].map((c) => ({ suffix: `:cluster/${c}` })) },
    });
    const config = resources().find(([, r]) => r.Type === 'AWS::Lambda::EventInvokeConfig');
    expect(config?.[1].Properties).toMatchObject({ MaximumRetryAttempts: 2, DestinationConfig: { OnFailure: { Destination: expect.anything() } } });
  });

  it('puts every HTTP API route behind the token authorizer', () => {
    const routes = resources().filter(([, r]) => r.Type === 'AWS::ApiGatewayV2::Route');
    expect(routes.length).toBe(7);
    for (const [, route] of routes) expect(route.Properties).toMatchObject({ AuthorizationType: 'CUSTOM', AuthorizerId: expect.anything() });
  });

  it('gives every function its own role', () => {
    const lambdas = resources().filter(([, r]) => r.Type === 'AWS::Lambda::Function');
    const roles = new Set(lambdas.map(([, fn]) => JSON.stringify(fn.Properties.Role)));
    expect(roles.size).toBe(lambdas.length);
  });

  it('lets only the ACL step\'s role read the Consul management token, and points every other function at the orchestrator token', () => {
    const bootstrap = 'arn:aws:ssm:us-east-1:000000000000:parameter/consul-mesh/reference-mesh/secrets/acl/bootstrap-token';
    const secretsPath = 'arn:aws:ssm:us-east-1:000000000000:parameter/consul-mesh/reference-mesh/secrets';
    const orchestrator = 'arn:aws:ssm:us-east-1:000000000000:parameter/consul-mesh/reference-mesh/secrets/acl/orchestrator-token';
    const readers: string[] = [];
    const orchestratorReaders: string[] = [];
    for (const [, fn] of resources().filter(([, r]) => r.Type === 'AWS::Lambda::Function')) {
      const roleId = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      const name = String(fn.Properties.FunctionName).replace(/^consul-mesh-local-/, '');
      const policies = (template.Resources[roleId].Properties.Policies as Array<{ PolicyDocument: { Statement: Statement[] } }> | undefined) ?? [];
      const statements = policies.flatMap((p) => p.PolicyDocument.Statement);
      const env = ((fn.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {}) as Record<string, unknown>;
      if (['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParameterHistory'].some((a) => allows(statements, a, bootstrap)) || allows(statements, 'ssm:GetParametersByPath', secretsPath)) {
        readers.push(name);
      }
      if (allows(statements, 'ssm:GetParameter', orchestrator)) orchestratorReaders.push(name);
      if (env.CONSUL_TOKEN_PARAMETER !== undefined) {
        expect({ name, token: env.CONSUL_TOKEN_PARAMETER }).toEqual({
          name,
          token: `/consul-mesh/reference-mesh/secrets/acl/${name === 'ensureAcl' ? 'bootstrap-token' : 'orchestrator-token'}`,
        });
      }
    }
    expect(readers).toEqual(['ensureAcl']);
    // Every function that talks to Consul can read the token it is given.
    expect(orchestratorReaders).toEqual(expect.arrayContaining(['checkStage', 'applyConfigEntries', 'summarize', 'taskStateChange', 'reconcile', 'api', 'rolloutCheck']));
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
});
