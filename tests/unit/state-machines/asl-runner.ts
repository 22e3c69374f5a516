import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ExecutionError, StateMachine } from 'aws-local-stepfunctions';

type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- scripted handlers read arbitrary state input
export type Json = any;
export type TaskHandler = (input: Json) => unknown;

/** A Lambda error as Step Functions sees it: its name is what Retry/Catch match. */
export function lambdaError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}

export interface RunResult {
  status: 'SUCCEEDED' | 'FAILED';
  output?: Json;
  error?: string;
  cause?: string;
  states: string[];
  invoked: string[];
}

/** Every state of an ASL document, Map/Parallel branches included. */
function allStates(states: Record<string, Json>, visit: (name: string, state: Json) => void): void {
  for (const [name, state] of Object.entries(states)) {
    visit(name, state);
    const processor = state.ItemProcessor ?? state.Iterator;
    if (processor?.States) allStates(processor.States, visit);
    for (const branch of state.Branches ?? []) allStates(branch.States, visit);
  }
}

/** An ASL file of state-machines/ with its `Fn::GetAtt` function references made ARNs, and its Task states by name. */
export function loadAsl(file: string): { definition: Json; tasks: Map<string, string> } {
  const definition = JSON.parse(readFileSync(resolve(__dirname, '../../../state-machines', file), 'utf8')) as Json;
  const tasks = new Map<string, string>();
  allStates(definition.States, (name, state) => {
    if (state.Type !== 'Task') return;
    const key = state.Resource['Fn::GetAtt'][0] as string;
    tasks.set(name, key);
    state.Resource = `arn:aws:lambda:us-east-1:000000000000:function:consul-mesh-test-${key}`;
  });
  return { definition, tasks };
}

/**
 * Executes an ASL file of state-machines/ with aws-local-stepfunctions (the engine the local cloud runs), its
 * `Fn::GetAtt` function references replaced by handlers of the test's (keyed by the function's serverless.yml
 * key), Wait states and retry intervals at zero.
 */
export async function runAsl(
  file: string,
  input: Record<string, unknown>,
  handlers: Record<string, TaskHandler>,
  execution: { Id: string; Name: string } = { Id: 'arn:aws:states:us-east-1:000000000000:execution:deploy:test-run', Name: 'test-run' },
): Promise<RunResult> {
  const { definition, tasks } = loadAsl(file);
  const invoked: string[] = [];
  const taskResourceLocalHandlers: Record<string, (input: JsonValue) => Promise<JsonValue>> = {};
  for (const [name, key] of tasks) {
    taskResourceLocalHandlers[name] = async (event) => {
      invoked.push(key);
      const handler = handlers[key];
      if (!handler) throw lambdaError('Test.NoHandler', `no handler for ${key}`);
      return JSON.parse(JSON.stringify((await handler(event)) ?? null)) as JsonValue;
    };
  }
  const waitTimeOverrides: Record<string, number> = {};
  const retryIntervalOverrides: Record<string, number> = {};
  allStates(definition.States, (name, state) => {
    if (state.Type === 'Wait') waitTimeOverrides[name] = 0;
    if (state.Retry) retryIntervalOverrides[name] = 0;
  });
  const machine = new StateMachine(definition as never, { validationOptions: { checkArn: false } });
  const context = { Execution: execution };
  const run = machine.run(input as JsonValue, { overrides: { taskResourceLocalHandlers, waitTimeOverrides, retryIntervalOverrides }, context });
  const states: string[] = [];
  const collect = (async () => {
    for await (const event of run.eventLogs) {
      const e = event as { type: string; state?: { name: string } };
      if (e.type === 'StateEntered' && e.state) states.push(e.state.name);
    }
  })();
  try {
    const output = await run.result;
    await collect;
    return { status: 'SUCCEEDED', output, states, invoked };
  } catch (error) {
    await collect;
    if (!(error instanceof ExecutionError)) throw error;
    const cause = (error as unknown as { cause?: { name?: string; message?: string; cause?: string } }).cause;
    return { status: 'FAILED', error: cause?.name, cause: cause?.cause ?? cause?.message, states, invoked };
  }
}
