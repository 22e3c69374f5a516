import { readFileSync } from 'node:fs';

/**
 * What an entrypoint script (POSIX sh) says about the variables it reads, found by reading the script itself, so
 * the contract test checks the real file and not a copy of its interface.
 */
export interface EntrypointScript {
  /** Upper-case variables the code uses (`$NAME`, `${NAME...}`) and does not set itself. */
  readonly reads: ReadonlySet<string>;
  /** Variables the header marks `required` (`required unless OTHER is set` gives `unless`). */
  readonly required: ReadonlyArray<{ name: string; unless?: string }>;
  /** Variables the header says the platform sets (`set by ECS`), not the task definition. */
  readonly platform: ReadonlySet<string>;
  /** Every variable the header documents. */
  readonly documented: ReadonlySet<string>;
  /** Variables removed from the environment before the exec (`unset A B C`). */
  readonly unset: ReadonlySet<string>;
  /** The default of `${NAME:-default}`, the first time the code gives one. */
  defaultOf(name: string): string | undefined;
}

const NAME = '[A-Z_][A-Z0-9_]*';

export function readEntrypoint(path: string): EntrypointScript {
  const lines = readFileSync(path, 'utf8').split('\n');
  const header = lines.slice(1, lines.findIndex((line) => !line.startsWith('#')));
  const code = lines.filter((line) => !line.trim().startsWith('#'));
  const text = code.join('\n');

  const assigned = new Set([...text.matchAll(new RegExp(`^\\s*(?:export\\s+)?(${NAME})=`, 'gm'))].map((m) => m[1]));
  const used = new Set([...text.matchAll(new RegExp(`\\$\\{?(${NAME})`, 'g'))].map((m) => m[1]));

  const required: Array<{ name: string; unless?: string }> = [];
  const platform = new Set<string>();
  const documented = new Set<string>();
  for (const line of header) {
    const m = new RegExp(`^#\\s+(${NAME})\\s+(required|optional|set by ECS)(?:\\s+unless\\s+(${NAME}))?`).exec(line);
    if (!m) continue;
    documented.add(m[1]);
    if (m[2] === 'required') required.push({ name: m[1], unless: m[3] });
    if (m[2] === 'set by ECS') platform.add(m[1]);
  }

  const unset = new Set(code.filter((line) => /^\s*unset\s/.test(line)).flatMap((line) => line.trim().split(/\s+/).slice(1)));

  return {
    reads: new Set([...used].filter((name) => !assigned.has(name))),
    required,
    platform,
    documented,
    unset,
    defaultOf(name: string) {
      return new RegExp(`\\$\\{${name}:-([^}]*)\\}`).exec(text)?.[1];
    },
  };
}
