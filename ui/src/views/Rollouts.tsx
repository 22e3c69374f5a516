import { useState } from 'preact/hooks';
import { api } from '../api';
import { Graph, NodeTable } from '../components/Graph';
import { Status } from '../components/Status';
import { go, useNarrow } from '../hooks';
import { rolloutGraph } from '../model/rollout-graph';
import { usePoll } from '../poll';
import { PollError, when } from './common';

/** Rollouts this browser started: the API lists no rollouts, so the page remembers their ids. */
const STORE = 'meshctl-ui.rollouts';

function remembered(): Array<{ service: string; id: string; image: string; at: string }> {
  try {
    return JSON.parse(localStorage.getItem(STORE) ?? '[]') as Array<{ service: string; id: string; image: string; at: string }>;
  } catch {
    return [];
  }
}

/** Start a rollout of one service: image, desired count, bake time. */
export function RolloutsPage({ service }: { service?: string }) {
  const mesh = usePoll(api.mesh, []);
  const services = (mesh.data?.clusters ?? []).flatMap((c) => c.services.filter((s) => s.role === 'service'));
  const [chosen, setChosen] = useState(service ?? '');
  const [image, setImage] = useState('');
  const [desiredCount, setDesiredCount] = useState('');
  const [bakeSeconds, setBakeSeconds] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const target = chosen || services[0]?.name || '';
  // Until the mesh is read the service list is empty, and the form could not be submitted (a required select).
  const known = services.some((s) => s.name === target);

  const submit = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    setBusy(true);
    try {
      const started = await api.startRollout(target, {
        image: image.trim(),
        ...(desiredCount !== '' ? { desiredCount: Number(desiredCount) } : {}),
        ...(bakeSeconds !== '' ? { bakeSeconds: Number(bakeSeconds) } : {}),
      });
      localStorage.setItem(STORE, JSON.stringify([{ service: target, id: started.id, image: image.trim(), at: new Date().toISOString() }, ...remembered()].slice(0, 20)));
      go(`/rollouts/${encodeURIComponent(target)}/${encodeURIComponent(started.id)}`);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <h1>Roll out a service</h1>
      <PollError error={mesh.error} failures={mesh.failures} />
      <form class="form" onSubmit={submit} aria-label="Start a rollout">
        <label>
          Service
          <select value={target} onChange={(e) => setChosen((e.target as HTMLSelectElement).value)} required name="service">
            {services.map((s) => (
              <option key={s.name} value={s.name}>
                {s.name} ({s.runningCount}/{s.desiredCount} running)
              </option>
            ))}
          </select>
        </label>
        <label>
          Image (repository:tag, pinned)
          <input name="image" required value={image} onInput={(e) => setImage((e.target as HTMLInputElement).value)} placeholder="users:1.1.0" autoComplete="off" />
        </label>
        <label>
          Desired count (optional)
          <input name="desiredCount" type="number" min="0" value={desiredCount} onInput={(e) => setDesiredCount((e.target as HTMLInputElement).value)} placeholder="as now" />
        </label>
        <label>
          Bake seconds (optional)
          <input name="bakeSeconds" type="number" min="0" max="3600" value={bakeSeconds} onInput={(e) => setBakeSeconds((e.target as HTMLInputElement).value)} placeholder="the spec's rollout.bakeSeconds" />
        </label>
        <button type="submit" disabled={busy || !known}>
          {busy ? 'Starting…' : 'Start rollout'}
        </button>
        {error ? (
          <p class="notice tone-bad" role="alert">
            <span aria-hidden="true">✗</span> {error}
          </p>
        ) : null}
      </form>
      {remembered().length > 0 ? (
        <section aria-labelledby="recent-rollouts">
          <h2 id="recent-rollouts">Started from this browser</h2>
          <ul>
            {remembered().map((r) => (
              <li key={r.id}>
                <a href={`#/rollouts/${encodeURIComponent(r.service)}/${encodeURIComponent(r.id)}`}>{r.id}</a> — {r.service} to {r.image}, {when(r.at)}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </>
  );
}

/** One rollout, followed live: its steps, the checks, the rollback and its cause. */
export function RolloutPage({ service, id }: { service: string; id: string }) {
  const polled = usePoll(() => api.rollout(service, id), [service, id], (r) => r?.status === 'RUNNING');
  const narrow = useNarrow();
  const view = polled.data;
  if (!view) {
    return (
      <>
        <h1>Rollout {id}</h1>
        <PollError error={polled.error} failures={polled.failures} />
        <p aria-busy="true">Loading…</p>
      </>
    );
  }
  const graph = rolloutGraph(view);
  const request = view.request as { image?: string; desiredCount?: number; bakeSeconds?: number };
  return (
    <>
      <h1>
        Rollout of {view.service} <Status state={view.status} />
      </h1>
      <p class="meta">
        {view.id} · image {request.image ?? '(built)'} · started {when(view.startedAt)}
        {view.stoppedAt ? ` · ended ${when(view.stoppedAt)}` : ''}
        {view.liveTaskDefinitionArn ? ` · live revision ${view.liveTaskDefinitionArn.split('/').pop()}` : ''}
      </p>
      <PollError error={polled.error} failures={polled.failures} />
      {view.status === 'ROLLED_BACK' || view.status === 'FAILED' || view.status === 'ABORTED' ? (
        <div class="notice tone-bad" role="alert" data-failure>
          <strong>
            <span aria-hidden="true">↶</span> {view.status === 'ROLLED_BACK' ? 'Rolled back' : `Rollout ${view.status.toLowerCase()}`}
            {view.failure ? ` at step ${view.failure.step}` : ''}
          </strong>
          <div class="cause">Cause: {view.failure ? `${view.failure.error}: ${view.failure.message}` : (view.cause ?? view.error ?? 'unknown')}</div>
        </div>
      ) : null}
      <Graph title={`Steps of rollout ${view.id}`} nodes={graph.nodes} edges={graph.edges} narrow={narrow} />
      <NodeTable label="Rollout steps" heading="Step" attribute="data-step" nodes={graph.nodes} />
    </>
  );
}
