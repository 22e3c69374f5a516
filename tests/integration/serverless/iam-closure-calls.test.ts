import { resolve } from 'node:path';
import { bundleHandler } from './iam-closure/sdk-calls';

const ROOT = resolve(__dirname, '../../..');

/** The closure check's call extraction: what a bundle can call, after tree shaking, through any alias. */
describe('SDK calls of a handler bundle', () => {
  it('lists the Commands the tree-shaken bundle constructs, as IAM actions, through esbuild\'s aliases', async () => {
    const { calls, text } = await bundleHandler('tests/fixtures/iam-closure/handler.ts', ROOT);
    expect(text).toMatch(/GetParameterCommand as GetParameterCommand2/);
    expect(calls.map((c) => c.action)).toEqual(['ssm:GetParameter', 'states:StartExecution', 'states:TagResource']);
    // An object literal with tags (nested calls inside it included) marks the call for tag-on-create.
    expect(calls.filter((c) => c.tagsInLiteral).map((c) => c.command)).toEqual(['TagResourceCommand']);
  });

  it('reads a paginator as the operation it pages through', async () => {
    const { calls } = await bundleHandler('tests/fixtures/iam-closure/paginated.ts', ROOT);
    expect(calls.map((c) => c.action)).toEqual(['ecs:ListTasks']);
  });

  it('counts only the ECS adapter methods a handler reaches, not every method tree shaking kept', async () => {
    const plan = (await bundleHandler('functions/steps/plan-deployment.ts', ROOT)).calls.map((c) => c.action);
    expect(plan).toContain('ecs:DescribeServices');
    expect(plan.filter((a) => /^ecs:(Create|Update|Register|Deregister)/.test(a))).toEqual([]);
    const ensure = (await bundleHandler('functions/steps/ensure-stage.ts', ROOT)).calls.map((c) => c.action);
    expect(ensure).toEqual(expect.arrayContaining(['ecs:CreateCluster', 'ecs:CreateService', 'ecs:RegisterTaskDefinition', 'ecs:UpdateService']));
  });
});
