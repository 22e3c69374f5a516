import { api } from '../api';
import { Status } from '../components/Status';
import { formatDuration } from '../model/status';
import { usePoll } from '../poll';
import { PollError, when } from './common';

/** The deployments of the mesh, newest first (GET /deployments), live while one runs. */
export function DeploymentsPage() {
  const polled = usePoll(() => api.deployments(25), [], (d) => d?.items.some((i) => i.status === 'RUNNING') ?? false);
  const items = polled.data?.items;
  return (
    <>
      <h1>Deployments</h1>
      <PollError error={polled.error} failures={polled.failures} />
      {!items ? (
        <p aria-busy="true">Loading…</p>
      ) : items.length === 0 ? (
        <p>
          No deployment yet. <a href="#/plan">Plan and deploy a spec</a>, or run <code>npx meshctl deploy examples/mesh.yaml</code>.
        </p>
      ) : (
        <table class="list" aria-label="Deployments">
          <thead>
            <tr>
              <th scope="col">Deployment</th>
              <th scope="col">Status</th>
              <th scope="col">Mesh</th>
              <th scope="col">Started</th>
              <th scope="col">Took</th>
            </tr>
          </thead>
          <tbody>
            {items.map((d) => (
              <tr key={d.id} data-deployment={d.id}>
                <td>
                  <a href={`#/deployments/${encodeURIComponent(d.id)}`}>{d.id}</a>
                </td>
                <td>
                  <Status state={d.status} />
                </td>
                <td>{d.mesh ?? '-'}</td>
                <td>{when(d.startedAt)}</td>
                <td>{d.startedAt && d.stoppedAt ? formatDuration(Date.parse(d.stoppedAt) - Date.parse(d.startedAt)) : d.status === 'RUNNING' ? 'running' : '-'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
