import { useMemo, useState } from 'preact/hooks';
import { api, type MeshView } from '../api';
import { Graph } from '../components/Graph';
import { Status } from '../components/Status';
import { useNarrow } from '../hooks';
import { peerRows, type PeerRow } from '../model/peers';
import { buildTopology, revisionOf, type Topology } from '../model/topology';
import { usePoll } from '../poll';
import { PollError } from './common';

type ServiceView = MeshView['clusters'][number]['services'][number];

/** Rows shown per service before "show all": keeps a mesh of 1,000 tasks quick to draw. */
const TASK_ROWS = 50;

/** The mesh now: clusters → services → tasks next to Consul, the edges between services, drift highlighted. */
export function MeshPage() {
  // A mesh in motion (a rollout, drift being repaired) is followed closely; at rest it is polled slowly.
  const polled = usePoll(api.mesh, [], (m) => !!m && (buildTopology(m).drift.length > 0 || m.clusters.some((c) => c.services.some((s) => s.runningCount !== s.desiredCount || s.deployments > 1))));
  const narrow = useNarrow();
  const view = polled.data;
  const topology = useMemo(() => (view ? buildTopology(view) : undefined), [view]);
  if (!view || !topology) {
    return (
      <>
        <h1>Mesh</h1>
        <PollError error={polled.error} failures={polled.failures} />
        {polled.error ? null : <p aria-busy="true">Loading…</p>}
      </>
    );
  }
  return (
    <>
      <h1>Mesh {view.mesh}</h1>
      <p class="meta">
        {/* consul.peers are the Raft peers (/v1/status/peers): the servers, not cluster peers. */}
        Consul leader {view.consul.leader || '(none)'} · {view.consul.peers.length} {view.consul.peers.length === 1 ? 'server' : 'servers'}
      </p>
      <PollError error={polled.error} failures={polled.failures} />
      <DriftNotice topology={topology} />
      <Graph title={`Services of mesh ${view.mesh} and the edges between them`} nodes={topology.nodes} edges={topology.edges} narrow={narrow} />
      <p class="legend">
        Edges: <span class="legend-upstream">— upstream</span> · <span class="legend-allow">- - intention allow</span> · <span class="legend-deny">··· intention deny</span> ·{' '}
        <span class="legend-route">— ingress route</span>
      </p>
      <Peers rows={peerRows(view)} />
      {view.clusters.map((cluster) => (
        <section key={cluster.name} class="cluster" aria-labelledby={`cluster-${cluster.name}`} data-cluster={cluster.name}>
          <h2 id={`cluster-${cluster.name}`}>Cluster {cluster.name}</h2>
          {cluster.services.map((service) => (
            <ServiceCard key={service.name} service={service} topology={topology} />
          ))}
        </section>
      ))}
      <section aria-labelledby="intentions-title">
        <h2 id="intentions-title">Intentions</h2>
        {(view.intentions ?? []).length === 0 ? (
          <p>None declared: Consul's default policy decides.</p>
        ) : (
          <table class="list" aria-label="Intentions">
            <thead>
              <tr>
                <th scope="col">Source</th>
                <th scope="col">Destination</th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              {(view.intentions ?? []).map((i) => (
                <tr key={`${i.source}-${i.destination}`}>
                  <td>{i.source}</td>
                  <td>{i.destination}</td>
                  <td>
                    <Status state={i.action} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {view.ingress ? (
        <section aria-labelledby="ingress-title">
          <h2 id="ingress-title">Ingress gateway {view.ingress.name}</h2>
          <table class="list" aria-label="Ingress listeners">
            <thead>
              <tr>
                <th scope="col">Port</th>
                <th scope="col">Protocol</th>
                <th scope="col">Services (routed by Host: &lt;service&gt;.ingress.consul)</th>
              </tr>
            </thead>
            <tbody>
              {view.ingress.listeners.map((l) => (
                <tr key={l.port}>
                  <td>{l.port}</td>
                  <td>{l.protocol}</td>
                  <td>{l.services.join(', ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
    </>
  );
}

/**
 * The mesh's cluster peerings: one row per peer with Consul's state in words and a symbol, FAILING and TERMINATED
 * flagged as problems. Nothing when the spec has no peers. The table sits in a focusable region, so a keyboard
 * reaches it and scrolls it on a narrow screen.
 */
function Peers({ rows }: { rows: PeerRow[] }) {
  if (rows.length === 0) return null;
  const problems = rows.filter((r) => r.problem);
  return (
    <section aria-labelledby="peers-title" data-peers={rows.length}>
      <h2 id="peers-title">Peers</h2>
      {problems.length > 0 ? (
        <p class="notice tone-bad" role="status" data-peer-problems={problems.length}>
          <span aria-hidden="true">!</span> {problems.length === 1 ? '1 peering has a problem' : `${problems.length} peerings have a problem`}: {problems.map((p) => `${p.name} ${p.state.toLowerCase()}`).join(', ')}
        </p>
      ) : null}
      <div class="table-scroll" role="region" aria-labelledby="peers-title" tabindex={0} data-peers-region>
        <table class="list" aria-label="Peers">
          <thead>
            <tr>
              <th scope="col">Peer</th>
              <th scope="col">Mesh (region)</th>
              <th scope="col">Role</th>
              <th scope="col">State</th>
              <th scope="col">Imported from it</th>
              <th scope="col">Exported to it</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((peer) => (
              <tr key={peer.name} data-peer={peer.name} data-state={peer.state} class={peer.problem ? 'drift' : undefined}>
                <th scope="row">{peer.name}</th>
                <td>
                  {peer.mesh} ({peer.region})
                </td>
                <td>{peer.role}</td>
                <td>
                  <Status state={peer.state} />
                  {peer.problem ? <strong class="tone-bad"> problem</strong> : null}
                  {peer.note ? <div class="meta">{peer.note}</div> : null}
                </td>
                <td>
                  {peer.importedServices.join(', ') || '-'}
                  {peer.usedBy.length > 0 ? <div class="meta">upstreams {peer.usedBy.join(', ')}</div> : null}
                </td>
                <td>{peer.exportedServices.join(', ') || '-'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function DriftNotice({ topology }: { topology: Topology }) {
  if (topology.drift.length === 0) {
    return (
      <p class="notice tone-ok" data-drift="none">
        <span aria-hidden="true">✓</span> No drift: Consul has exactly the running tasks.
      </p>
    );
  }
  return (
    <div class="notice tone-bad" role="status" data-drift={topology.drift.length}>
      <strong>
        <span aria-hidden="true">!</span> Drift between ECS and Consul ({topology.drift.length})
      </strong>
      <ul>
        {topology.drift.map((d, i) => (
          <li key={i} data-drift-kind={d.kind}>
            <Status state={d.kind} /> {d.cluster}/{d.service}: {d.detail}
          </li>
        ))}
      </ul>
      <p>The scheduled reconcile repairs it; so does the next deployment.</p>
    </div>
  );
}

function ServiceCard({ service, topology }: { service: ServiceView; topology: Topology }) {
  const [all, setAll] = useState(false);
  const tasks = all ? service.tasks : service.tasks.slice(0, TASK_ROWS);
  return (
    <div class="service" data-service={service.name}>
      <h3>
        {service.name} <span class="role">{service.role}</span>
      </h3>
      <p class="meta">
        {service.runningCount}/{service.desiredCount} running{service.pendingCount ? `, ${service.pendingCount} pending` : ''} · revision {revisionOf(service.taskDefinitionArn)}
        {service.rolloutState ? ` · rollout ${service.rolloutState.toLowerCase()}` : ''}
        {service.port ? ` · port ${service.port}` : ''}
        {service.upstreams && service.upstreams.length > 0 ? ` · upstreams ${service.upstreams.map((u) => `${u.service}${u.peer ? ` (peer ${u.peer})` : ''} on :${u.localBindPort}`).join(', ')}` : ''}
        {service.role === 'service' ? (
          <>
            {' '}
            · <a href={`#/rollouts/${encodeURIComponent(service.name)}`}>Roll out…</a>
          </>
        ) : null}
      </p>
      <div class="table-scroll">
        <table class="list tasks" aria-label={`Tasks of ${service.name}`}>
          <thead>
            <tr>
              <th scope="col">Task</th>
              <th scope="col">Address</th>
              <th scope="col">Revision</th>
              <th scope="col">ECS</th>
              <th scope="col">Consul</th>
            </tr>
          </thead>
          <tbody>
            {tasks.map((task) => {
              const drift = topology.driftByInstance.get(task.taskId) ?? [];
              return (
                <tr key={task.taskId} data-task={task.taskId} class={drift.length > 0 ? 'drift' : undefined}>
                  <td>
                    <code>{task.taskId.slice(0, 12)}</code>
                  </td>
                  <td>{task.ip ?? '-'}</td>
                  <td>{revisionOf(task.taskDefinitionArn)}</td>
                  <td>
                    {task.lastStatus?.toLowerCase() ?? '-'}
                    {task.health ? `, ${task.health.toLowerCase()}` : ''}
                  </td>
                  <td>
                    {!task.consul ? (
                      <Status state="server" label="server agent" />
                    ) : drift.length > 0 ? (
                      drift.map((d) => <Status key={d.kind} state={d.kind} />)
                    ) : (
                      <Status state={task.consul.passing ? 'passing' : 'critical'} label={`registered, ${task.consul.passing ? 'passing' : 'critical'}`} />
                    )}
                  </td>
                </tr>
              );
            })}
            {(service.stale ?? []).map((stale) => (
              <tr key={stale.id} data-stale={stale.id} class="drift">
                <td>(no task)</td>
                <td>{stale.address}</td>
                <td>-</td>
                <td>not running</td>
                <td>
                  <Status state="stale" label={`stale: ${stale.id}`} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {service.tasks.length > TASK_ROWS ? (
        <button type="button" onClick={() => setAll(!all)}>
          {all ? `Show the first ${TASK_ROWS}` : `Show all ${service.tasks.length} tasks`}
        </button>
      ) : null}
    </div>
  );
}
