import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ExecutionError, StateMachine } from 'aws-local-stepfunctions';

type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
/** State input and ASL documents, read field by field. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- scripted handlers read arbitrary state input
export type Json = any;
export type TaskHandler = (input: Json) => unknown;

/** The rollout ASL as serverless.yml includes it, its function references made ARNs, its Task states by name. */
export function loadRolloutAsl(): { definition: Json; tasks: Map<string, string> } {
  const raw = JSON.parse(readFileSync(resolve(__dirname, '../../../state-machines/rollout-service.asl.json'), 'utf8')) as Json;
  const tasks = new Map<string, string>();
  for (const [name, state] of Object.entries<Json>(raw.States)) {
    if (state.Type !== 'Task') continue;
    const key = state.Resource['Fn::GetAtt'][0] as string;
    tasks.set(name, key);
    state.Resource = `arn:aws:lambda:us-east-1:000000000000:function:consul-mesh-test-${key}`;
  }
  return { definition: raw, tasks };
}

/** A Lambda error as Step Functions sees it: its name is what Retry/Catch match. */
export function lambdaError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}

export interface RunResult {
  status: 'SUCCEEDED' | 'FAILED';
  output?: Json;
  error?: string;
  cause?: string;
  /** Every state entered, in order. */
  states: string[];
  /** The function each Task invocation went to, in order. */
  invoked: string[];
}

/**
 * Executes the rollout state machine with aws-local-stepfunctions (the engine the local cloud runs), each
 * function replaced by a handler of the test's (by function key), waits and retry intervals at zero.
 */
export async function runRollout(input: Record<string, unknown>, handlers: Record<string, TaskHandler>): Promise<RunResult> {
  const { definition, tasks } = loadRolloutAsl();
  const invoked: string[] = [];
  const taskResourceLocalHandlers: Record<string, (input: JsonValue) => Promise<JsonValue>> = {};
  for (const [state, key] of tasks) {
    taskResourceLocalHandlers[state] = async (event) => {
      invoked.push(key);
      const handler = handlers[key];
      if (!handler) throw lambdaError('Test.NoHandler', `no handler for ${key}`);
      return JSON.parse(JSON.stringify((await handler(event)) ?? null)) as JsonValue;
    };
  }
  const waitTimeOverrides: Record<string, number> = {};
  const retryIntervalOverrides: Record<string, number> = {};
  for (const [name, state] of Object.entries<Json>(definition.States)) {
    if (state.Type === 'Wait') waitTimeOverrides[name] = 0;
    if (state.Retry) retryIntervalOverrides[name] = 0;
  }
  const machine = new StateMachine(definition as never, { validationOptions: { checkArn: false } });
  const context = { Execution: { Id: 'arn:aws:states:us-east-1:000000000000:execution:rollout:users-20250304050607-k3x9q0', Name: 'users-20250304050607-k3x9q0' } };
  const execution = machine.run(input as JsonValue, { overrides: { taskResourceLocalHandlers, waitTimeOverrides, retryIntervalOverrides }, context });
  const states: string[] = [];
  const collect = (async () => {
    for await (const event of execution.eventLogs) {
      const e = event as { type: string; state?: { name: string } };
      if (e.type === 'StateEntered' && e.state) states.push(e.state.name);
    }
  })();
  try {
    const output = await execution.result;
    await collect;
    return { status: 'SUCCEEDED', output, states, invoked };
  } catch (error) {
    await collect;
    if (!(error instanceof ExecutionError)) throw error;
    const cause = (error as unknown as { cause?: { name?: string; message?: string; cause?: string } }).cause;
    return { status: 'FAILED', error: cause?.name, cause: cause?.cause ?? cause?.message, states, invoked };
  }
}
