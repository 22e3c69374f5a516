/**
 * ASL Reference Paths (`$`, `$.a.b`, `$['a b']`, `$.items[0]`): the simple JSONPath subset the spec requires for
 * `ItemsPath`, used here only to report a Map state's item count in its `MapStateStarted` history event.
 */

/** The value at `path`, or undefined when the path is missing, not a reference path, or points at nothing. */
export function readReferencePath(value: unknown, path: string): unknown {
  if (!path.startsWith('$') || path.startsWith('$$')) return undefined;
  let current = value;
  let rest = path.slice(1);
  while (rest.length > 0) {
    const step = /^\.([A-Za-z_$][\w$-]*)|^\['([^']*)'\]|^\[(\d+)\]/.exec(rest);
    if (!step) return undefined;
    const key = step[1] ?? step[2] ?? Number(step[3]);
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[key];
    rest = rest.slice(step[0].length);
  }
  return current;
}
