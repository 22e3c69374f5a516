/** `npm run local`'s persistence options: `--data-dir <dir>`, `--data-dir=<dir>`, `LOCAL_DATA_DIR`, `--reset`. */
import { parseDataDirOptions, UsageError } from '../../../../local/persistence/options';

describe('parseDataDirOptions', () => {
  it('keeps the state in memory when nothing is given', () => {
    expect(parseDataDirOptions([], {})).toEqual({ dataDir: undefined, reset: false });
  });

  it('reads --data-dir in both spellings, and --reset', () => {
    expect(parseDataDirOptions(['--data-dir', 'state'], {})).toEqual({ dataDir: 'state', reset: false });
    expect(parseDataDirOptions(['--reset', '--data-dir=/var/state'], {})).toEqual({ dataDir: '/var/state', reset: true });
  });

  it('falls back to LOCAL_DATA_DIR, which the command line overrides', () => {
    expect(parseDataDirOptions([], { LOCAL_DATA_DIR: 'from-env' })).toEqual({ dataDir: 'from-env', reset: false });
    expect(parseDataDirOptions(['--data-dir', 'from-args'], { LOCAL_DATA_DIR: 'from-env' }).dataDir).toBe('from-args');
  });

  it('refuses a missing directory, --reset without a directory, and unknown arguments, naming them', () => {
    expect(() => parseDataDirOptions(['--data-dir'], {})).toThrow(new UsageError('--data-dir needs a directory'));
    expect(() => parseDataDirOptions(['--data-dir', '--reset'], {})).toThrow('--data-dir needs a directory');
    expect(() => parseDataDirOptions(['--reset'], {})).toThrow('--reset needs --data-dir');
    expect(() => parseDataDirOptions(['--datadir', 'x'], {})).toThrow('unknown argument "--datadir"');
  });
});
