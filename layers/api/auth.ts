import { createHash, timingSafeEqual } from 'node:crypto';
import type { SsmApi } from '../adapters/ssm';

/**
 * The bearer-token check of the HTTP API's Lambda REQUEST authorizer (payload 2.0, simple responses).
 *
 * Why a token and a Lambda authorizer rather than IAM or JWT: the API's callers are people and CI jobs with
 * `meshctl` and curl, not AWS principals, so IAM (SigV4 on every call) would make curl unusable; a JWT authorizer
 * needs an identity provider, which the project does not have. The same authorizer runs unchanged on AWS and in
 * the local cloud (which emulates Lambda REQUEST authorizers), so one check protects every route in both.
 */

/** The token in `Authorization: Bearer <token>`, or undefined for any other shape. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/**
 * Compares a presented token with the expected one in constant time: both are hashed to equal-length sha256
 * digests first, since `timingSafeEqual` needs equal lengths and comparing lengths would leak the token's length.
 */
export function tokensMatch(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b) && expected.length > 0;
}

/** Where the expected token comes from. */
export interface TokenSource {
  /** The token, or undefined when none is configured (every request is then refused). */
  expected(): Promise<string | undefined>;
}

export interface TokenSourceOptions {
  /** `MESH_API_TOKEN` from the environment: the local cloud's token. Empty means unset. */
  envToken?: string;
  /** The SSM SecureString holding the token on AWS (`/consul-mesh/<mesh>/api-token`). */
  parameterName?: string;
  ssm?: Pick<SsmApi, 'getParameter'>;
  /** How long a warm container trusts the token it read: a rotated token is picked up within this time. */
  cacheMs?: number;
  now?: () => number;
}

/**
 * The token from the environment when set (the local cloud), else from SSM Parameter Store (SecureString,
 * decrypted), cached for `cacheMs` so the authorizer does not spend SSM's shared 40 TPS on every request.
 */
export function createTokenSource(options: TokenSourceOptions): TokenSource {
  const envToken = options.envToken?.trim() ? options.envToken : undefined;
  const cacheMs = options.cacheMs ?? 60_000;
  const now = options.now ?? Date.now;
  let cached: { value: string | undefined; until: number } | undefined;
  return {
    async expected() {
      if (envToken) return envToken;
      if (!options.parameterName || !options.ssm) return undefined;
      if (cached && cached.until > now()) return cached.value;
      let value: string | undefined;
      try {
        value = (await options.ssm.getParameter(options.parameterName, { decrypt: true }))?.Value || undefined;
      } catch (error) {
        if ((error as Error).name !== 'ParameterNotFound') throw error;
      }
      cached = { value, until: now() + cacheMs };
      return value;
    },
  };
}

/** The authorizer's simple response; `context` reaches the route in `requestContext.authorizer.lambda`. */
export type AuthorizerAnswer = { isAuthorized: true; context: { principal: string } } | { isAuthorized: false };

/** The principal every authorized request carries (the API has one credential, not users). */
export const TOKEN_PRINCIPAL = 'mesh-api-token';

/**
 * Decides one request: authorized only when a token is configured and the bearer token equals it.
 * Never logs or returns the token; `reason` says why a request was refused, for the log.
 */
export async function authorizeRequest(authorization: string | undefined, tokens: TokenSource): Promise<{ answer: AuthorizerAnswer; reason?: string }> {
  const presented = bearerToken(authorization);
  if (!presented) return { answer: { isAuthorized: false }, reason: 'no bearer token' };
  const expected = await tokens.expected();
  if (!expected) return { answer: { isAuthorized: false }, reason: 'no API token is configured' };
  if (!tokensMatch(presented, expected)) return { answer: { isAuthorized: false }, reason: 'wrong token' };
  return { answer: { isAuthorized: true, context: { principal: TOKEN_PRINCIPAL } } };
}
