import { formatCount, formatMiB, formatMs, renderTable } from '../../../bench/lib/table';

describe('renderTable', () => {
  it('prints the title, a header, a rule and rows with numbers right-aligned and text left-aligned', () => {
    const text = renderTable({
      title: 'calls',
      columns: ['call', 'conc', 'p50 ms'],
      rows: [
        ['DescribeTasks', 1, '5.51'],
        ['PutParameter', 8, '12.3'],
      ],
    });
    expect(text.split('\n')).toEqual([
      'calls',
      'call           conc  p50 ms',
      '-------------  ----  ------',
      'DescribeTasks     1    5.51',
      'PutParameter      8    12.3',
    ]);
  });

  it('rejects a row whose cell count does not match the columns', () => {
    expect(() => renderTable({ title: 't', columns: ['a', 'b'], rows: [['only one']] })).toThrow(/1 cells, expected 2/);
  });
});

describe('number formats', () => {
  it('gives milliseconds a precision that suits their size', () => {
    expect(formatMs(0.4123)).toBe('0.412');
    expect(formatMs(3.183)).toBe('3.18');
    expect(formatMs(42.54)).toBe('42.5');
    expect(formatMs(1204.4)).toBe('1204');
  });

  it('rounds counts with thousands separators and shows bytes in MiB, signed for deltas', () => {
    expect(formatCount(12345.6)).toBe('12,346');
    expect(formatCount(-0.2)).toBe('0');
    expect(formatMiB(48.25 * 1024 * 1024)).toBe('48.3 MiB');
    expect(formatMiB(2 * 1024 * 1024, { signed: true })).toBe('+2.0 MiB');
    expect(formatMiB(-2 * 1024 * 1024, { signed: true })).toBe('-2.0 MiB');
  });
});
