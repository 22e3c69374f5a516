import { loadAsl, runAsl, type RunResult, type TaskHandler } from '../state-machines/asl-runner';

export { lambdaError, type Json, type RunResult, type TaskHandler } from '../state-machines/asl-runner';

/** The rollout ASL as serverless.yml includes it, its function references made ARNs, its Task states by name. */
export function loadRolloutAsl() {
  return loadAsl('rollout-service.asl.json');
}

/** Executes the rollout state machine with scripted step functions (see runAsl), as a rollout of `users` would run. */
export function runRollout(input: Record<string, unknown>, handlers: Record<string, TaskHandler>): Promise<RunResult> {
  return runAsl('rollout-service.asl.json', input, handlers, {
    Id: 'arn:aws:states:us-east-1:000000000000:execution:rollout:users-20250304050607-k3x9q0',
    Name: 'users-20250304050607-k3x9q0',
  });
}
