import { formatIssue } from '../layers/domain/spec/issues';
import type { ServiceChange } from '../layers/deploy/types';
import { writeLines, type CliDeps } from './cli-deps';
import { specHashPrefix } from '../layers/deployments/execution-name';
import { planChanges } from './plan';
import { prepareSpec } from './spec-input';
import { renderTable } from './table';

export interface PlanOptions {
  json: boolean;
  contextRoot?: string;
}

const SIGN: Record<ServiceChange['action'], string> = { create: '+', update: '~', unchanged: '=', remove: '-' };

/**
 * `meshctl plan <spec>`: validate, hash the build contexts and compare the spec with what ECS runs (read only).
 * Prints a table (`+` create, `~` update, `=` unchanged) or, with `--json`, the changes.
 *
 * @returns 0 when the plan was computed (whatever it says), 1 for an invalid spec.
 */
export async function planCommand(specPath: string, options: PlanOptions, deps: CliDeps): Promise<number> {
  const prepared = prepareSpec(specPath, options.contextRoot ?? deps.cwd);
  if (!prepared.ok) {
    writeLines(deps.stderr, prepared.issues.map((issue) => `${specPath}: ${formatIssue(issue)}`));
    return 1;
  }
  const { spec } = prepared;
  const changes = await planChanges(spec, { ecs: deps.clients().ecs });
  if (options.json) {
    deps.stdout.write(`${JSON.stringify({ mesh: spec.name, specHash: specHashPrefix(spec), changes }, null, 2)}\n`);
  } else {
    writeLines(deps.stdout, renderPlan(spec.name, changes));
  }
  return 0;
}

/** The plan as a table, one row per ECS service, and a count of each kind of change. */
export function renderPlan(mesh: string, changes: readonly ServiceChange[]): string[] {
  const rows = changes.map((c) => [SIGN[c.action], c.cluster, c.service, c.role, String(c.desiredCount), c.action, c.reasons.join('; ')]);
  const count = (action: ServiceChange['action']) => changes.filter((c) => c.action === action).length;
  return [
    `Plan for mesh "${mesh}":`,
    ...renderTable(['', 'CLUSTER', 'SERVICE', 'ROLE', 'DESIRED', 'ACTION', 'WHY'], rows),
    `${count('create')} to create, ${count('update')} to update, ${count('unchanged')} unchanged. Nothing was changed.`,
  ];
}
