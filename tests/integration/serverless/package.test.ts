import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

type Statement = { Effect: string; Action: string | string[]; Resource: unknown };
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

  it('sends the task events of the mesh\'s task-definition families, in any cluster, to the handler, with an on-failure queue', () => {
    const rules = resources().filter(([, r]) => r.Type === 'AWS::Events::Rule');
    const patterns = rules.map(([, r]) => r.Properties.EventPattern as { source?: string[]; detail?: { taskDefinitionArn?: unknown } } | undefined).filter(Boolean);
    expect(patterns).toContainEqual({
      source: ['aws.ecs'],
      'detail-type': ['ECS Task State Change'],
      detail: { taskDefinitionArn: [{ wildcard: '*:task-definition/reference-mesh-*' }] },
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
