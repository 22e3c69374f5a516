import type { ActivityItem, ActivityList } from '../layers/api/activity';
import { createApiBackend, type BackendOptions } from './backend-factory';
import { writeLines, type CliDeps } from './cli-deps';
import { renderTable } from './table';

export interface ActivityOptions {
  since?: string;
  limit?: number;
  service?: string;
  outcome?: string;
  kind?: 'task' | 'reconcile';
}

function details(item: ActivityItem): string {
  if (item.kind === 'reconcile') {
    const repairs = Object.entries(item.repairs ?? {}).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`);
    const failed = (item.failedClusters ?? []).length > 0 ? `; FAILED in ${item.failedClusters?.join(', ')}` : '';
    return `${item.clusters ?? 0} clusters, ${item.tasksSeen ?? 0} tasks: ${repairs.length > 0 ? repairs.join(', ') : 'no drift'}${failed}`;
  }
  return [item.reason, item.address].filter(Boolean).join(' · ');
}

/** The activity as a table, newest first: one row per task-event decision or reconcile run. */
export function renderActivity(list: ActivityList): string[] {
  const rows = list.items.map((item) =>
    item.kind === 'task'
      ? [item.time, 'task', item.service ?? '-', `${item.cluster ?? '-'}/${(item.taskId ?? '').slice(0, 12)}`, `${item.lastStatus ?? '-'}→${item.desiredStatus ?? '-'} v${item.version ?? '?'}`, item.outcome ?? '-', details(item)]
      : [item.time, 'reconcile', '-', '-', '-', (item.failedClusters ?? []).length > 0 ? 'failed' : 'run', details(item)],
  );
  const notes = [
    ...(list.truncated ? [`Only the newest ${list.items.length}: older activity matched too (--limit, up to 500).`] : []),
    ...(list.complete ? [] : [`Complete back to ${list.coveredFrom} only: too much activity to scan at once (narrow it with --service or --outcome).`]),
  ];
  if (rows.length === 0) return [`No activity since ${list.since}.`, ...notes];
  return [...renderTable(['TIME', 'SOURCE', 'SERVICE', 'TASK', 'ECS', 'OUTCOME', 'DETAILS'], rows), ...(notes.length > 0 ? ['', ...notes] : [])];
}

/** `meshctl activity`: GET /activity, what the orchestrator did with task transitions and each reconcile run. */
export async function activityCommand(options: BackendOptions & ActivityOptions & { json: boolean }, deps: CliDeps): Promise<number> {
  const { since, limit, service, outcome, kind } = options;
  const list = await createApiBackend(options, deps).getActivity({ since, limit, service, outcome, kind });
  if (options.json) deps.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
  else writeLines(deps.stdout, renderActivity(list));
  return 0;
}
