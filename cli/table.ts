/**
 * A plain text table: a header row, columns padded to their widest cell, two spaces between columns, trailing
 * spaces trimmed. Plain text so it reads the same in a terminal, a CI log and a test assertion.
 *
 * @example renderTable(['A', 'B'], [['x', 'yy']]) // ['A  B', 'x  yy']
 */
export function renderTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>, indent = ''): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => `${indent}${cells.map((c, i) => (c ?? '').padEnd(widths[i])).join('  ')}`.trimEnd();
  return [line(header), ...rows.map(line)];
}

/**
 * A count with its noun in the right number: `1 peer`, `3 peers`, `0 services`.
 * @example counted(1, 'cluster') // '1 cluster'
 */
export function counted(n: number, noun: string, pluralNoun = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : pluralNoun}`;
}
