import { useEffect, useState } from 'preact/hooks';

/** The route after `#`: `/deployments/d-...` → ['deployments', 'd-...']. Hash routing: the server serves one page. */
export function useRoute(): string[] {
  const read = () => window.location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const changed = () => setRoute(read());
    window.addEventListener('hashchange', changed);
    // The hash may have changed between the first render and this effect (a link followed while the page loaded):
    // no hashchange reaches a listener added after it, so read it once more.
    changed();
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return route;
}

/** True on a phone-width screen: graphs then flow top to bottom. */
export function useNarrow(): boolean {
  const query = '(max-width: 700px)';
  const [narrow, setNarrow] = useState(() => window.matchMedia(query).matches);
  useEffect(() => {
    const list = window.matchMedia(query);
    const changed = () => setNarrow(list.matches);
    list.addEventListener('change', changed);
    return () => list.removeEventListener('change', changed);
  }, []);
  return narrow;
}

export function go(path: string): void {
  window.location.hash = `#${path}`;
}
