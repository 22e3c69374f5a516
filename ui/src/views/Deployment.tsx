import { useState } from 'preact/hooks';
import { api, ApiCallError, type DeploymentView } from '../api';
import { Graph, NodeTable } from '../components/Graph';
import { Status } from '../components/Status';
import { useNarrow } from '../hooks';
import { deploymentGraph } from '../model/stage-graph';
import { describeState } from '../model/status';
import { usePoll } from '../poll';
import { PollError, useFocusOnShow, when } from './common';

/** One deployment as a live graph of its stages, with the failing stage and its cause, and cancel. */
export function DeploymentPage({ id }: { id: string }) {
  const polled = usePoll(() => api.deployment(id), [id], (d) => d?.status === 'RUNNING');
  const narrow = useNarrow();
  const [selected, setSelected] = useState<string | undefined>();
  const view = polled.data;
  if (!view) {
    return (
      <>
        <h1>Deployment {id}</h1>
        <PollError error={polled.error} failures={polled.failures} />
        {polled.error instanceof ApiCallError && polled.error.status === 404 ? <p>No such deployment.</p> : <p aria-busy="true">Loading…</p>}
      </>
    );
  }
  const graph = deploymentGraph(view);
  const failed = view.stages.find((s) => s.state === 'failed');
  const chosen = graph.nodes.find((n) => n.id === selected);
  return (
    <>
      <h1>
        Deployment {view.id} <Status state={view.status} />
      </h1>
      <p class="meta">
        Mesh {view.mesh ?? '-'} · started {when(view.startedAt)}
        {view.stoppedAt ? ` · ended ${when(view.stoppedAt)}` : ''} · execution status {view.executionStatus}
      </p>
      <PollError error={polled.error} failures={polled.failures} />
      {view.status === 'RUNNING' ? <CancelButton id={view.id} onDone={polled.refresh} /> : null}
      {view.status !== 'SUCCEEDED' && view.status !== 'RUNNING' ? <FailureNotice view={view} stage={failed?.name} /> : null}
      <Graph title={`Stages of deployment ${view.id}`} nodes={graph.nodes} edges={graph.edges} narrow={narrow} selected={selected} onSelect={setSelected} />
      {chosen ? (
        <div class="detail" aria-live="polite">
          <h2>
            {chosen.label} <Status state={chosen.state} />
          </h2>
          <ul>
            {chosen.lines.map((l, i) => (
              <li key={i}>{l}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <NodeTable label="Stages" heading="Stage" attribute="data-stage" nodes={graph.nodes} />
      {view.status === 'SUCCEEDED' && view.summary ? (
        <details>
          <summary>Summary (JSON)</summary>
          <pre>{JSON.stringify(view.summary, null, 2)}</pre>
        </details>
      ) : null}
    </>
  );
}

function FailureNotice({ view, stage }: { view: DeploymentView; stage?: string }) {
  const failure = view.failure;
  const cause = failure?.message ?? view.cause ?? view.stages.find((s) => s.error)?.error?.cause;
  const error = failure?.error ?? view.error;
  return (
    <div class="notice tone-bad" role="alert" data-failure>
      <strong>
        <span aria-hidden="true">{describeState(view.status).symbol}</span> Deployment {describeState(view.status).text}
        {failure?.stage ?? stage ? ` in stage ${failure?.stage ?? stage}` : ''}
      </strong>
      {error ? <div>Error: {error}</div> : null}
      {cause ? <div class="cause">Cause: {cause}</div> : null}
    </div>
  );
}

/** Cancel asks first: what ECS already started keeps going, and the next deployment converges it. */
function CancelButton({ id, onDone }: { id: string; onDone: () => void }) {
  const [asking, setAsking] = useState(false);
  const [error, setError] = useState<string | undefined>();
  if (!asking) {
    return (
      <p>
        <button type="button" class="danger" onClick={() => setAsking(true)}>
          Cancel deployment…
        </button>
      </p>
    );
  }
  return <CancelConfirm id={id} error={error} onNo={() => setAsking(false)} onYes={async () => {
    try {
      await api.cancel(id);
      setAsking(false);
      onDone();
    } catch (e) {
      setError((e as Error).message);
    }
  }} />;
}

function CancelConfirm({ id, error, onYes, onNo }: { id: string; error?: string; onYes: () => void; onNo: () => void }) {
  const keep = useFocusOnShow<HTMLButtonElement>();
  return (
    <div class="confirm" role="alertdialog" aria-labelledby="cancel-q">
      <p id="cancel-q">Cancel deployment {id}? What ECS has already started keeps going; the next deployment converges it.</p>
      <button type="button" class="danger" onClick={onYes}>
        Yes, cancel it
      </button>{' '}
      <button type="button" onClick={onNo} ref={keep}>
        Keep it running
      </button>
      {error ? <p role="alert">{error}</p> : null}
    </div>
  );
}
