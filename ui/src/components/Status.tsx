import { describeState } from '../model/status';

/** A state as symbol + word (+ colour): never colour alone. */
export function Status({ state, label }: { state: string; label?: string }) {
  const d = describeState(state);
  return (
    <span class={`status tone-${d.tone}`} data-state={state}>
      <span aria-hidden="true">{d.symbol}</span> {label ?? d.text}
    </span>
  );
}
