import { useState } from 'preact/hooks';
import { api, type ActivityFilter } from '../api';
import type { ActivityItem } from '../../../layers/api/activity';
import { describeOutcome, describeRepairs, describeRun, OUTCOME_CHOICES, servicesOf } from '../model/activity';
import { formatDuration } from '../model/status';
import { usePoll } from '../poll';
import { PollError, when } from './common';

/** How much the view asks for: the API's bound is 500; a screenful of recent activity is enough to follow it live. */
const LIMIT = 200;

/**
 * Recent task transitions and what the orchestrator did with them, and the reconcile runs with their repairs
 * (GET /activity), newest first, live. Filters go to the API, so `limit` counts what is shown.
 */
export function ActivityPage() {
  const [filter, setFilter] = useState<ActivityFilter>({});
  const [seen, setSeen] = useState<string[]>([]);
  // Polled at the idle pace (5 s): CloudWatch Logs answers FilterLogEvents at most 5 times a second per account.
  const polled = usePoll(() => api.activity({ ...filter, limit: LIMIT }), [filter.service, filter.outcome, filter.kind]);
  const items = polled.data?.items;
  const services = servicesOf(items ?? [], seen);
  if (services.length !== seen.length) setSeen(services);
  const what = filter.kind === 'reconcile' ? 'reconcile' : (filter.outcome ?? '');

  return (
    <>
      <h1>Activity</h1>
      <p class="meta">What the orchestrator did with each ECS task transition, and each reconcile run, from its functions' logs.</p>
      <form class="filters" aria-label="Filter the activity" onSubmit={(e) => e.preventDefault()}>
        <label>
          Service{' '}
          <select
            name="service"
            value={filter.service ?? ''}
            onChange={(e) => {
              const service = (e.target as HTMLSelectElement).value || undefined;
              setFilter((f) => ({ ...f, service, kind: service ? undefined : f.kind }));
            }}
          >
            <option value="">all services</option>
            {services.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>{' '}
        <label>
          What{' '}
          <select
            name="outcome"
            value={what}
            onChange={(e) => {
              const value = (e.target as HTMLSelectElement).value;
              if (value === 'reconcile') setFilter({ kind: 'reconcile' });
              else setFilter((f) => ({ service: f.service, outcome: value || undefined }));
            }}
          >
            <option value="">everything</option>
            <option value="reconcile">reconcile runs</option>
            {OUTCOME_CHOICES.map((o) => (
              <option key={o} value={o}>
                task {describeOutcome(o).text}
              </option>
            ))}
          </select>
        </label>
      </form>
      <PollError error={polled.error} failures={polled.failures} />
      {!polled.data ? (
        <p aria-busy="true">Loading…</p>
      ) : items?.length === 0 ? (
        <p>Nothing since {when(polled.data.since)}: no task changed and no reconcile ran, or nothing matches the filter.</p>
      ) : (
        <>
          <p class="meta" aria-live="polite">
            {items?.length} {items?.length === 1 ? 'entry' : 'entries'} since {when(polled.data.complete ? polled.data.since : polled.data.coveredFrom)}, newest first
            {polled.data.truncated ? ` (the newest ${LIMIT}; older ones left out)` : ''}
            {polled.data.complete ? '' : ' (older activity not read: too much to scan at once)'}.
          </p>
          <table class="list activity" aria-label="Activity">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Source</th>
                <th scope="col">Service</th>
                <th scope="col">Task</th>
                <th scope="col">ECS state</th>
                <th scope="col">Outcome</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>{items?.map((item) => <Row key={`${item.time}-${rowKey(item)}`} item={item} />)}</tbody>
          </table>
        </>
      )}
    </>
  );
}

function rowKey(item: ActivityItem): string {
  return item.kind === 'task' ? `${item.taskId}-${item.version}-${item.outcome}` : `reconcile-${item.durationMs}`;
}

function Row({ item }: { item: ActivityItem }) {
  if (item.kind === 'reconcile') {
    const run = describeRun(item);
    return (
      <tr data-kind="reconcile" data-outcome={run.text}>
        <td>{when(item.time)}</td>
        <td>reconcile</td>
        <td>-</td>
        <td>
          {item.clusters ?? 0} clusters, {item.tasksSeen ?? 0} tasks
        </td>
        <td>-</td>
        <td>
          <span class={`status tone-${run.tone}`}>
            <span aria-hidden="true">{run.symbol}</span> {run.text}
          </span>
        </td>
        <td>
          {describeRepairs(item) ?? 'nothing to repair'}
          {item.durationMs !== undefined ? ` · took ${formatDuration(item.durationMs)}` : ''}
        </td>
      </tr>
    );
  }
  const outcome = describeOutcome(item.outcome);
  return (
    <tr data-kind="task" data-outcome={item.outcome} data-task={item.taskId}>
      <td>{when(item.time)}</td>
      <td>task event</td>
      <td>{item.service ?? '-'}</td>
      <td>
        <span title={item.taskId}>{item.cluster}/{item.taskId?.slice(0, 8)}</span>
      </td>
      <td>
        {item.lastStatus}
        {item.desiredStatus && item.desiredStatus !== item.lastStatus ? ` → ${item.desiredStatus}` : ''} <span class="role">v{item.version}</span>
      </td>
      <td>
        <span class={`status tone-${outcome.tone}`}>
          <span aria-hidden="true">{outcome.symbol}</span> {outcome.text}
        </span>
      </td>
      <td>{[item.reason && !item.outcome?.endsWith(item.reason) ? item.reason : undefined, item.address].filter(Boolean).join(' · ') || '-'}</td>
    </tr>
  );
}
