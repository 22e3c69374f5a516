import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useRef } from 'preact/hooks';

/** A failed poll: what went wrong, and that the page retries by itself (with backoff). */
export function PollError({ error, failures }: { error?: Error; failures: number }) {
  if (!error || failures === 0) return null;
  return (
    <p class="notice tone-bad" role="alert">
      <span aria-hidden="true">!</span> {error.message} — retrying{failures > 1 ? ` (attempt ${failures + 1}, backing off)` : ''}.
    </p>
  );
}

export function Section({ title, children, id }: { title: string; children: ComponentChildren; id?: string }) {
  return (
    <section aria-labelledby={id ? `${id}-title` : undefined}>
      <h2 id={id ? `${id}-title` : undefined}>{title}</h2>
      {children}
    </section>
  );
}

export function when(iso?: string): string {
  if (!iso) return '-';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

/**
 * A ref that focuses its element once it is shown: the safe choice of a confirmation (the `autofocus` attribute
 * works only while a page loads, not for an element added later).
 */
export function useFocusOnShow<T extends HTMLElement>() {
  const ref = useRef<T>(null);
  useLayoutEffect(() => ref.current?.focus(), []);
  return ref;
}
