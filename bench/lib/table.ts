/**
 * Plain-text tables and number formats for benchmark output.
 */

export type Cell = string | number;

/** A table a benchmark reports; the runner prints it. */
export interface BenchmarkTable {
  title: string;
  columns: string[];
  rows: Cell[][];
}

/**
 * Renders a table with a title, a header and aligned columns: numbers right-aligned, text left-aligned.
 *
 * @example
 * renderTable({ title: 'latency', columns: ['call', 'p50 ms'], rows: [['PutParameter', '1.20']] });
 */
export function renderTable(table: BenchmarkTable): string {
  const width = table.columns.length;
  for (const row of table.rows) {
    if (row.length !== width) throw new RangeError(`table '${table.title}': a row has ${row.length} cells, expected ${width}`);
  }
  const text = table.rows.map((row) => row.map(String));
  const widths = table.columns.map((column, i) => Math.max(column.length, ...text.map((row) => row[i].length)));
  // A column is numeric-looking when every cell is a number or a formatted figure (digits, separators, units).
  const numeric = table.columns.map((_, i) => table.rows.length > 0 && table.rows.every((row) => isNumeric(row[i])));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (numeric[i] ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join('  ').trimEnd();
  return [table.title, line(table.columns), widths.map((w) => '-'.repeat(w)).join('  '), ...text.map(line)].join('\n');
}

function isNumeric(cell: Cell): boolean {
  return typeof cell === 'number' || /^[-+]?[\d.,]+\s*[a-zA-Z/%×]*$/.test(cell);
}

/** Milliseconds with a precision that suits their size: `0.412`, `3.18`, `42.5`, `1204`. */
export function formatMs(ms: number): string {
  if (ms < 1) return ms.toFixed(3);
  if (ms < 10) return ms.toFixed(2);
  if (ms < 100) return ms.toFixed(1);
  return ms.toFixed(0);
}

/** A rate or count, rounded, with thousands separators: `12,345`. */
export function formatCount(value: number): string {
  // `|| 0` turns -0 (a tiny negative delta rounded) into 0, which would otherwise print as "-0".
  return (Math.round(value) || 0).toLocaleString('en-US');
}

/** Bytes in MiB with one decimal, signed when asked (for deltas): `+48.2 MiB`. */
export function formatMiB(bytes: number, options: { signed?: boolean } = {}): string {
  const mib = (bytes / (1024 * 1024)).toFixed(1);
  return `${options.signed && bytes >= 0 ? '+' : ''}${mib} MiB`;
}
