/**
 * The file format of the saved state: one JSON file per service under the data directory, each an envelope
 * `{ service, version, savedAt, data }`. `version` is the version of `data`'s shape for that service; a file of
 * another version is refused rather than half-read (the shape is validated by the service's schema on load).
 */
import type { z } from 'zod';
import { PersistedStateError } from './errors';

/** How one service's state is stored. */
export interface StateFormat<T> {
  /** `ssm`, `ecs`, ...: also checked on load, so a file copied under the wrong name is refused. */
  readonly service: string;
  /** The file name under the data directory. */
  readonly file: string;
  /** The version of `data`'s shape this build writes and reads. */
  readonly version: number;
  readonly schema: z.ZodType<T>;
}

interface Envelope {
  readonly service: string;
  readonly version: number;
  readonly savedAt: string;
  readonly data: unknown;
}

/** The file's text for `data`. */
export function encodeState<T>(format: StateFormat<T>, data: T, now = new Date()): string {
  const envelope: Envelope = { service: format.service, version: format.version, savedAt: now.toISOString(), data };
  return JSON.stringify(envelope);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The first problem zod found, with its path (`regions.us-east-1[0].versions[2].tier: ...`). */
function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  const path = issue.path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`)).join('');
  return `data${path}: ${issue.message}${error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problems)` : ''}`;
}

/** The data of a file's text, or a {@link PersistedStateError} naming `path` and what is wrong. */
export function decodeState<T>(format: StateFormat<T>, path: string, text: string): T {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new PersistedStateError(path, `it is not valid JSON (truncated or corrupt): ${(error as Error).message}`, { cause: error });
  }
  if (!isRecord(parsed) || !('data' in parsed)) throw new PersistedStateError(path, 'it is not a saved-state file (no envelope with "data")');
  if (parsed.service !== format.service) {
    throw new PersistedStateError(path, `it holds the state of "${String(parsed.service)}", expected "${format.service}"`);
  }
  if (parsed.version !== format.version) {
    throw new PersistedStateError(path, `its format version is ${String(parsed.version)}; this build reads version ${format.version}`);
  }
  const result = format.schema.safeParse(parsed.data);
  if (!result.success) throw new PersistedStateError(path, `its content is not valid: ${describeIssue(result.error)}`, { cause: result.error });
  return result.data;
}
