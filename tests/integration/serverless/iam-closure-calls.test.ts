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

  it('refuses a bundle that calls AWS through a paginator, which names no Command', async () => {
    await expect(bundleHandler('tests/fixtures/iam-closure/paginated.ts', ROOT)).rejects.toThrow(/uses paginateListTasks of @aws-sdk\/client-ecs/);
  });
});
