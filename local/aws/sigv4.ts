/**
 * SigV4 verification for the local AWS endpoint.
 *
 * The endpoint does what AWS does: it rebuilds the canonical request from what it received, signs it with the
 * secret it knows for the access key in the `Credential=` scope, and compares the two signatures. Signing is
 * delegated to `@smithy/signature-v4` (the signer the SDK itself uses) so both sides canonicalise identically.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { AwsServiceError } from './protocol';

/** The key pair the local endpoint accepts (LocalStack's convention: `test` / `test`). */
export interface LocalCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export const DEFAULT_LOCAL_CREDENTIALS: LocalCredentials = { accessKeyId: 'test', secretAccessKey: 'test' };

/** The secret of an access key the endpoint knows (with the session token of a temporary credential), else undefined. */
export type CredentialLookup = (accessKeyId: string) => (LocalCredentials & { readonly sessionToken?: string }) | undefined;

/** The parts of a received HTTP request that take part in the signature. */
export interface ReceivedRequest {
  readonly method: string;
  /** Path plus query string, as received (`/` for the JSON protocols). */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** What a valid signature tells about the caller. */
export interface VerifiedCaller {
  readonly accessKeyId: string;
  /** The region of the credential scope: the endpoint accepts any region and serves it from its own store. */
  readonly region: string;
  /** The signing service of the credential scope (`ecs`, `ssm`, ...). */
  readonly service: string;
}

interface ParsedAuthorization {
  accessKeyId: string;
  shortDate: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

const AUTHORIZATION_PATTERN =
  /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;_.-]+),\s*Signature=([0-9a-f]{64})$/i;

const EMPTY_BODY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function parseAuthorization(header: string): ParsedAuthorization | undefined {
  const match = AUTHORIZATION_PATTERN.exec(header.trim());
  if (!match) return undefined;
  const [, accessKeyId, shortDate, region, service, signedHeaders, signature] = match;
  return { accessKeyId, shortDate, region, service, signedHeaders: signedHeaders.toLowerCase().split(';'), signature };
}

/** `20240102T030405Z` → Date; undefined when malformed. */
function parseAmzDate(value: string | undefined): Date | undefined {
  const match = value ? /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value) : null;
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number);
  return new Date(Date.UTC(y, mo - 1, d, h, mi, s));
}

function splitUrl(url: string): { path: string; query: Record<string, string | string[]> } {
  const parsed = new URL(url, 'http://localhost');
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of parsed.searchParams) {
    const existing = query[key];
    if (existing === undefined) query[key] = value;
    else query[key] = Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return { path: parsed.pathname, query };
}

function sameSignature(a: string, b: string): boolean {
  const left = Buffer.from(a.toLowerCase());
  const right = Buffer.from(b.toLowerCase());
  return left.length === right.length && timingSafeEqual(left, right);
}

const invalidSignature = (message: string) => new AwsServiceError('InvalidSignatureException', message, 403);

/**
 * Verifies the `Authorization` header of a received request.
 *
 * Throws the error AWS would answer: `MissingAuthenticationTokenException` (no signature),
 * `IncompleteSignatureException` (malformed header), `UnrecognizedClientException` (unknown access key),
 * `InvalidSignatureException` (signature mismatch).
 */
export async function verifySigV4(request: ReceivedRequest, known: LocalCredentials | CredentialLookup): Promise<VerifiedCaller> {
  const authorization = headerValue(request.headers, 'authorization');
  if (!authorization) {
    throw new AwsServiceError('MissingAuthenticationTokenException', 'Missing Authentication Token', 403);
  }
  const parsed = parseAuthorization(authorization);
  if (!parsed) {
    throw new AwsServiceError(
      'IncompleteSignatureException',
      `Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters (AWS4-HMAC-SHA256).`,
      400,
    );
  }
  const credentials = typeof known === 'function' ? known(parsed.accessKeyId) : parsed.accessKeyId === known.accessKeyId ? known : undefined;
  if (!credentials) {
    throw new AwsServiceError('UnrecognizedClientException', 'The security token included in the request is invalid.', 403);
  }
  // A temporary credential is valid only with its own session token (STS: "The security token included in the
  // request is invalid" otherwise).
  const expectedToken = 'sessionToken' in credentials ? credentials.sessionToken : undefined;
  if (expectedToken !== undefined && headerValue(request.headers, 'x-amz-security-token') !== expectedToken) {
    throw new AwsServiceError('UnrecognizedClientException', 'The security token included in the request is invalid.', 403);
  }
  if (!parsed.signedHeaders.includes('host')) {
    throw invalidSignature(`'Host' must be a 'SignedHeader' in the AWS Authorization.`);
  }
  const signingDate = parseAmzDate(headerValue(request.headers, 'x-amz-date'));
  if (!signingDate) {
    throw new AwsServiceError('IncompleteSignatureException', `Authorization requires the 'X-Amz-Date' header.`, 400);
  }
  if (!headerValue(request.headers, 'x-amz-date')?.startsWith(parsed.shortDate)) {
    throw invalidSignature(`Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP.`);
  }

  // Only the headers the client declared as signed take part; the signer re-adds X-Amz-Date itself.
  const signedHeaderValues: Record<string, string> = {};
  for (const name of parsed.signedHeaders) {
    const value = headerValue(request.headers, name);
    if (value === undefined) throw invalidSignature(`The request signature names the header '${name}' but it is missing.`);
    if (name !== 'x-amz-date') signedHeaderValues[name] = value;
  }
  // A declared payload hash must be the hash of the payload that arrived. S3 clients may also declare the payload
  // unsigned (`UNSIGNED-PAYLOAD`) or sent in aws-chunked form (`STREAMING-...`, each chunk carrying its own
  // signature or the trailer a checksum): the signature then covers that literal value instead of a hash.
  const declaredPayloadHash = signedHeaderValues['x-amz-content-sha256'];
  if (declaredPayloadHash && declaredPayloadHash !== 'UNSIGNED-PAYLOAD' && !declaredPayloadHash.startsWith('STREAMING-')) {
    const hash = new Sha256();
    hash.update(request.body);
    const actual = request.body.length === 0 ? EMPTY_BODY_SHA256 : Buffer.from(await hash.digest()).toString('hex');
    if (actual !== declaredPayloadHash.toLowerCase()) {
      throw invalidSignature('The provided x-amz-content-sha256 header does not match what was computed.');
    }
  }

  const sessionToken = signedHeaderValues['x-amz-security-token'];
  delete signedHeaderValues['x-amz-security-token'];
  const signer = new SignatureV4({
    credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey, ...(sessionToken ? { sessionToken } : {}) },
    region: parsed.region,
    service: parsed.service,
    sha256: Sha256,
    applyChecksum: false,
    // S3 signs the path as sent (percent-encoded once) and does not normalise it; every other service encodes
    // it again ("Create a canonical request for Signature Version 4").
    uriEscapePath: parsed.service !== 's3',
  });
  const { path, query } = splitUrl(request.url);
  const host = signedHeaderValues.host;
  const resigned = await signer.sign(
    {
      method: request.method.toUpperCase(),
      protocol: 'http:',
      hostname: host.split(':')[0],
      path,
      query,
      headers: signedHeaderValues,
      body: request.body.length === 0 ? undefined : new Uint8Array(request.body),
    },
    { signingDate, signableHeaders: new Set(parsed.signedHeaders) },
  );
  const expected = parseAuthorization(String(resigned.headers.authorization ?? ''));
  if (!expected || !sameSignature(expected.signature, parsed.signature)) {
    throw invalidSignature(
      'The request signature we calculated does not match the signature you provided. ' +
        'Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    );
  }
  return { accessKeyId: parsed.accessKeyId, region: parsed.region, service: parsed.service };
}
