import type { DeploymentListing } from './backend';

/** What to do before starting a deployment, given the mesh's running deployments. */
export type StartDecision =
  | { kind: 'start' }
  | { kind: 'attach'; running: DeploymentListing }
  | { kind: 'refuse'; running: DeploymentListing[] };

/**
 * One deployment per mesh at a time (the Plan step also takes a lock in SSM; refusing here saves a doomed
 * execution and says why at once). The exception is a running deployment of the very same spec: joining it is
 * what the user wants, and starting a second one could not help — StartExecution is idempotent by name only for
 * the same input, and a new deployment id makes a new name.
 *
 * @param running the mesh's RUNNING deployments (already filtered to this mesh).
 */
export function decideStart(running: DeploymentListing[], specHash12: string): StartDecision {
  if (running.length === 0) return { kind: 'start' };
  const same = running.find((r) => r.specHash12 === specHash12);
  if (same) return { kind: 'attach', running: same };
  return { kind: 'refuse', running };
}

/**
 * The message of a refusal: which deployments hold the mesh, and what the user can do. One line: the HTTP API's
 * error mapper answers an error's first line only (a SpecInvalid's later lines are its issues, sent as `details`), so
 * a second line would never reach a caller of `POST /deployments`.
 */
export function describeRefusal(mesh: string, running: DeploymentListing[]): string {
  const holders = running.map((r) => `${r.deploymentId ?? r.name} (${r.id}${r.startedAt ? `, started ${r.startedAt.toISOString()}` : ''})`);
  const first = running[0].deploymentId ?? running[0].id;
  return (
    `another deployment of mesh "${mesh}" is running with a different spec: ${holders.join(', ')}; ` +
    `wait for it to finish (meshctl status ${first} --watch) and deploy again, or cancel it (meshctl cancel ${first})`
  );
}
