/**
 * What the benchmark needs to know of the deploy state machine, read from its ASL rather than restated: the
 * states of each wait loop (one round = one pass around the loop) and each Map's `MaxConcurrency`.
 */
import { readFileSync } from 'node:fs';

/** A state as the benchmark reads it; every other ASL field is kept but not interpreted. */
export type AslState = {
  Type: string;
  Next?: string;
  Default?: string;
  End?: boolean;
  Choices?: Array<{ Next?: string }>;
  MaxConcurrency?: number;
  ItemsPath?: string;
  ItemProcessor?: { States: Record<string, AslState> };
  Iterator?: { States: Record<string, AslState> };
  Branches?: Array<{ States: Record<string, AslState> }>;
  [field: string]: unknown;
};

export type AslDefinition = { StartAt: string; States: Record<string, AslState> };

/** The definition lacks a state the benchmark relies on, or a loop it expects is not a loop. */
export class UnexpectedDefinition extends Error {
  override readonly name = 'UnexpectedDefinition';
}

export function loadDefinition(file: string): AslDefinition {
  return JSON.parse(readFileSync(file, 'utf8')) as AslDefinition;
}

/** Every state of the definition by name, including those of Map iterations and Parallel branches (ASL state names are unique). */
export function allStates(definition: AslDefinition): Map<string, AslState> {
  const found = new Map<string, AslState>();
  const visit = (states: Record<string, AslState>) => {
    for (const [name, state] of Object.entries(states)) {
      found.set(name, state);
      if (state.ItemProcessor) visit(state.ItemProcessor.States);
      if (state.Iterator) visit(state.Iterator.States);
      for (const branch of state.Branches ?? []) visit(branch.States);
    }
  };
  visit(definition.States);
  return found;
}

function stateOf(states: Map<string, AslState>, name: string): AslState {
  const state = states.get(name);
  if (!state) throw new UnexpectedDefinition(`the definition has no state ${name}`);
  return state;
}

/** Where a state can go next on success: `Next`, a Choice's rules and `Default` (not `Catch`: that is the error path). */
function successors(state: AslState): string[] {
  const next = [state.Next, state.Default, ...(state.Choices ?? []).map((c) => c.Next)];
  return next.filter((n): n is string => typeof n === 'string');
}

/**
 * The states of the shortest loop through `state`, starting with it: one round of a wait loop.
 *
 * @example
 * loopStates(definition, 'ServersWait'); // ['ServersWait', 'ServersCheck', 'ServersReady?']
 */
export function loopStates(definition: AslDefinition, state: string): string[] {
  const states = allStates(definition);
  stateOf(states, state);
  // Breadth-first from the state's successors: the first path back to it is the shortest loop.
  const cameFrom = new Map<string, string>();
  const queue = successors(stateOf(states, state)).map((next) => {
    cameFrom.set(next, state);
    return next;
  });
  while (queue.length > 0) {
    const current = queue.shift() as string;
    if (current === state) {
      const loop: string[] = [];
      let at = cameFrom.get(state) as string;
      while (at !== state) {
        loop.unshift(at);
        at = cameFrom.get(at) as string;
      }
      return [state, ...loop];
    }
    const node = states.get(current);
    if (!node) continue;
    for (const next of successors(node)) {
      if (cameFrom.has(next)) continue;
      cameFrom.set(next, current);
      queue.push(next);
    }
  }
  throw new UnexpectedDefinition(`state ${state} is on no loop`);
}

/** History events one visit of a state adds: entered + exited, and for a Lambda task scheduled, started, succeeded. */
export function historyEventsPerVisit(stateType: string): number {
  return stateType === 'Task' ? 5 : 2;
}

/** History events of one round of the loop through `state` (every state of the loop visited once). */
export function loopHistoryEvents(definition: AslDefinition, state: string): number {
  const states = allStates(definition);
  return loopStates(definition, state).reduce((total, name) => total + historyEventsPerVisit(stateOf(states, name).Type), 0);
}

/** A Map state's `MaxConcurrency`; 0 (or absent) means no limit, as in ASL. */
export function mapMaxConcurrency(definition: AslDefinition, mapState: string): number {
  const state = stateOf(allStates(definition), mapState);
  if (state.Type !== 'Map') throw new UnexpectedDefinition(`state ${mapState} is a ${state.Type}, not a Map`);
  return state.MaxConcurrency ?? 0;
}
