/**
 * The one error of the persistence layer: saved state that cannot be read back. It names the file and keeps the
 * cause, so `npm run local` can say exactly which file to fix (or that `--reset` discards it).
 */
export class PersistedStateError extends Error {
  override readonly name = 'PersistedStateError';

  constructor(
    /** The file that could not be read, parsed or restored. */
    readonly file: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(
      `saved state ${file} cannot be used: ${detail}. Nothing was started: fix or remove the file, ` +
        'or start with --reset to discard the saved state.',
      options,
    );
  }
}
