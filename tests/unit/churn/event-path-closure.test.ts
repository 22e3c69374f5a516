import { build } from 'esbuild';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');

/** The project modules (not node_modules) a handler's bundle pulls in, as esbuild resolves them. */
async function moduleClosure(entry: string): Promise<string[]> {
  const result = await build({ entryPoints: [path.join(ROOT, entry)], absWorkingDir: ROOT, bundle: true, platform: 'node', target: 'node22', write: false, metafile: true, logLevel: 'silent' });
  return Object.keys(result.metafile.inputs).filter((file) => !file.includes('node_modules'));
}

describe('the task-event handler module closure', () => {
  let closure: string[];

  beforeAll(async () => {
    closure = await moduleClosure('functions/events/task-state-change.ts');
  }, 30_000);

  it('holds no deployment code: the deployed spec key and ARN parsing come from the domain', () => {
    expect(closure.filter((file) => file.startsWith('layers/deploy/') || file.startsWith('layers/executions/'))).toEqual([]);
  });

  it('holds no ECS planning or config-entry building', () => {
    const planning = ['layers/domain/ecs/plan-service.ts', 'layers/domain/ecs/diff-task-definition.ts', 'layers/domain/ecs/hash.ts', 'layers/domain/consul/config-entries.ts'];
    expect(closure.filter((file) => planning.includes(file))).toEqual([]);
  });

  it('still reaches the registration model and the Consul adapter (the closure is what the handler runs)', () => {
    expect(closure).toEqual(expect.arrayContaining(['layers/domain/registration/decide.ts', 'layers/adapters/consul.ts']));
  });
});
