import { formatIssue } from '../layers/domain/spec/issues';
import type { ChangeSet, ResourceChange } from '../layers/deploy/change-set';
import { writeLines, type CliDeps } from './cli-deps';
import { createApiBackend, type BackendOptions } from './backend-factory';
import { prepareSpec } from './spec-input';
import { renderTable } from './table';

export interface PlanOptions extends Pick<BackendOptions, 'apiUrl' | 'token'> {
  json: boolean;
  contextRoot?: string;
}

const SIGN: Record<ResourceChange['action'], string> = { create: '+', update: '~', replace: '±', remove: '-', unchanged: '=' };

/**
 * `meshctl plan <spec>`: validate, hash the build contexts and ask the HTTP API (`POST /plans`) for the change set a
 * deployment would make now: the very value the deployment's Plan step computes, so what it prints is what the
 * deployment does. Prints the changes (`+` create, `~` update, `-` remove; unchanged resources are counted, not
 * listed), the refused ones, or with `--json` the change set.
 *
 * @returns 0 when the plan was computed (whatever it says), 1 for an invalid spec or a change a deployment refuses.
 */
export async function planCommand(specPath: string, options: PlanOptions, deps: CliDeps): Promise<number> {
  const prepared = prepareSpec(specPath, options.contextRoot ?? deps.cwd);
  if (!prepared.ok) {
    writeLines(deps.stderr, prepared.issues.map((issue) => `${specPath}: ${formatIssue(issue)}`));
    return 1;
  }
  const changeSet = await createApiBackend(options, deps).plan(prepared.raw);
  if (options.json) deps.stdout.write(`${JSON.stringify(changeSet, null, 2)}\n`);
  else writeLines(deps.stdout, renderPlan(changeSet));
  return changeSet.refused.length > 0 ? 1 : 0;
}

/**
 * The change set as a table, one row per resource that changes (removals, replacements, configuration-only rolls,
 * intention and config-entry changes, secrets to create), then what is refused and a count of each action.
 */
export function renderPlan(changeSet: ChangeSet): string[] {
  const changed = changeSet.changes.filter((c) => c.action !== 'unchanged');
  const rows = changed.map((c) => [SIGN[c.action], c.kind, c.id, c.action, c.reasons.join('; ')]);
  const count = (action: ResourceChange['action']) => changeSet.changes.filter((c) => c.action === action).length;
  return [
    `Plan for mesh "${changeSet.mesh}":`,
    ...(changed.length > 0 ? renderTable(['', 'KIND', 'RESOURCE', 'ACTION', 'WHY'], rows) : ['  no changes: a deployment would write nothing']),
    ...changeSet.refused.map((r) => `refused: ${r}`),
    `${count('create')} to create, ${count('update')} to update, ${count('replace')} to replace, ${count('remove')} to remove, ${count('unchanged')} unchanged. Nothing was changed.`,
  ];
}
