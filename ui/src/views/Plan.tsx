import { useState } from 'preact/hooks';
import { api, type ChangeSet } from '../api';
import { Graph } from '../components/Graph';
import { Status } from '../components/Status';
import { go, useNarrow } from '../hooks';
import { planGraph } from '../model/stage-graph';
import { useFocusOnShow } from './common';

/** Paste a spec, see what a deployment would change (POST /plans) drawn on its stages, then deploy it. */
export function PlanPage() {
  const [spec, setSpec] = useState('');
  const [plan, setPlan] = useState<ChangeSet | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [confirming, setConfirming] = useState(false);
  const narrow = useNarrow();

  const run = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    setPlan(undefined);
    setConfirming(false);
    try {
      setPlan(await api.plan(spec));
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const deploy = async () => {
    try {
      const started = await api.deploy(spec);
      go(`/deployments/${encodeURIComponent(started.id)}`);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const changes = plan?.changes.filter((c) => c.action !== 'unchanged') ?? [];
  const graph = plan ? planGraph(plan.changes) : undefined;
  return (
    <>
      <h1>Plan and deploy</h1>
      <form class="form" onSubmit={run} aria-label="Plan a spec">
        <label>
          Mesh spec (YAML or JSON; build contexts must already be uploaded, as <code>meshctl deploy</code> does)
          <textarea name="spec" rows={12} value={spec} onInput={(e) => setSpec((e.target as HTMLTextAreaElement).value)} required spellcheck={false} />
        </label>
        <button type="submit">Plan</button>
      </form>
      {error ? (
        <p class="notice tone-bad" role="alert">
          <span aria-hidden="true">✗</span> {error}
        </p>
      ) : null}
      {plan && graph ? (
        <section aria-labelledby="plan-title">
          <h2 id="plan-title">
            Plan for mesh {plan.mesh}: {plan.noChange ? 'no change' : `${changes.length} ${changes.length === 1 ? 'change' : 'changes'}`}
          </h2>
          {plan.refused.length > 0 ? (
            <div class="notice tone-bad" role="alert">
              <strong>Refused:</strong>
              <ul>
                {plan.refused.map((r) => (
                  <li key={r}>{r}</li>
                ))}
              </ul>
            </div>
          ) : null}
          <Graph title="What a deployment of this spec would do, per stage" nodes={graph.nodes} edges={graph.edges} narrow={narrow} />
          <table class="list" aria-label="Changes">
            <thead>
              <tr>
                <th scope="col">Action</th>
                <th scope="col">Kind</th>
                <th scope="col">Resource</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {changes.map((c) => (
                <tr key={`${c.kind}-${c.id}`}>
                  <td>
                    <Status state={c.action} />
                  </td>
                  <td>{c.kind}</td>
                  <td>{c.id}</td>
                  <td>{c.reasons.join('; ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {plan.refused.length === 0 ? (
            confirming ? (
              <DeployConfirm mesh={plan.mesh} onYes={deploy} onNo={() => setConfirming(false)} />
            ) : (
              <button type="button" onClick={() => setConfirming(true)}>
                Deploy…
              </button>
            )
          ) : null}
        </section>
      ) : null}
    </>
  );
}

function DeployConfirm({ mesh, onYes, onNo }: { mesh: string; onYes: () => void; onNo: () => void }) {
  const notNow = useFocusOnShow<HTMLButtonElement>();
  return (
    <div class="confirm" role="alertdialog" aria-labelledby="deploy-q">
      <p id="deploy-q">Deploy this spec to mesh {mesh} now?</p>
      <button type="button" onClick={onYes}>
        Yes, deploy
      </button>{' '}
      <button type="button" onClick={onNo} ref={notNow}>
        Not now
      </button>
    </div>
  );
}
