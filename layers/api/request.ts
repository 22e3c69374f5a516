import { config } from 'zod/mini';
import { en } from 'zod/v4/locales';
import { safeParse, type $ZodIssue, type $ZodType, type output } from 'zod/v4/core';
import { formatPath, type SpecIssue } from '../domain/spec/issues';
import { InvalidInputError } from '../errors';
import { PayloadTooLargeError, UnsupportedMediaTypeError } from '../errors';

/**
 * The parts of an API Gateway HTTP API request (payload format 2.0) the routes read, and the checks every body
 * passes before anything else looks at it.
 */

/** Step Functions carries at most 256 KB of input (DESIGN.md section 7): a larger body can never start anything. */
export const MAX_BODY_BYTES = 256 * 1024;

export interface RequestBody {
  /** The body as text (decoded from base64 when API Gateway encoded it: it does so for non-text types). */
  text: string;
  bytes: number;
  /** The media type, lower-cased, without parameters (`application/yaml`); empty when there was no header. */
  mediaType: string;
}

/** The body of a payload 2.0 event, checked against the 256 KB limit before it is decoded or parsed. */
export function readBody(event: { body?: string | null; isBase64Encoded?: boolean; headers?: Record<string, string | undefined> }): RequestBody {
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.byteLength(raw, 'base64') : Buffer.byteLength(raw, 'utf8');
  if (bytes > MAX_BODY_BYTES) throw new PayloadTooLargeError(`the body is ${bytes} bytes; at most ${MAX_BODY_BYTES} (256 KB, what a Step Functions execution can carry)`);
  const text = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  const mediaType = (header(event.headers, 'content-type') ?? '').split(';')[0].trim().toLowerCase();
  return { text, bytes, mediaType };
}

const JSON_TYPES = /^application\/(.+\+)?json$/;
const YAML_TYPES = new Set(['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml']);

export function isJson(mediaType: string): boolean {
  return JSON_TYPES.test(mediaType);
}

export function isYaml(mediaType: string): boolean {
  return YAML_TYPES.has(mediaType);
}

/** Refuses a media type the route does not read (415), naming the ones it does. */
export function requireMediaType(body: RequestBody, accepted: ReadonlyArray<'json' | 'yaml'>): 'json' | 'yaml' {
  if (accepted.includes('json') && isJson(body.mediaType)) return 'json';
  if (accepted.includes('yaml') && isYaml(body.mediaType)) return 'yaml';
  const names = accepted.map((a) => (a === 'json' ? 'application/json' : 'application/yaml')).join(' or ');
  throw new UnsupportedMediaTypeError(`send the body as ${names}${body.mediaType ? `, not ${body.mediaType}` : ' (Content-Type is missing)'}`);
}

/** JSON.parse with a 400 naming the body instead of a SyntaxError. */
export function parseJsonBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidInputError('the body is not valid JSON', [{ path: '(body)', message: `is not valid JSON: ${(error as Error).message}` }]);
  }
}

/*
 * The API's schemas (and the spec's) are zod/mini ones, to keep classic zod out of the API's bundle; zod/mini loads no
 * locale, so every message a schema does not word itself would read "Invalid input". English, as classic zod says it
 * (`Too small: expected number to be >=1`), for every answer of the API: 3 KiB.
 */
config(en());

/**
 * Validates request data with a zod schema (classic or zod/mini); a failure is a 400 listing each invalid field by
 * its path (`prefix` names the part of the request: `query`, or nothing for the body).
 */
export function parseWith<S extends $ZodType>(schema: S, value: unknown, prefix?: string): output<S> {
  const parsed = safeParse(schema, value);
  if (parsed.success) return parsed.data;
  throw new InvalidInputError(`invalid ${prefix ?? 'body'}`, parsed.error.issues.flatMap((issue) => issuesOf(issue, prefix)));
}

function issuesOf(issue: $ZodIssue, prefix: string | undefined): SpecIssue[] {
  const base = prefix ? [prefix, ...issue.path] : issue.path;
  if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ path: formatPath([...base, key]), message: 'unknown field' }));
  return [{ path: formatPath(base), message: issue.message }];
}

function header(headers: Record<string, string | undefined> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return value;
  return undefined;
}
