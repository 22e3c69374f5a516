/**
 * The local stand-in for API Gateway's JWT authorizer.
 *
 * On AWS the authorizer fetches the issuer's JWKS (`<issuerUrl>/.well-known/openid-configuration`) and checks the
 * token's RS256 signature. The local cloud has no network, so tokens are signed with HS256 and a local secret
 * (`signLocalJwt`); every other check is API Gateway's: `iss` equals the authorizer's `issuerUrl`, `aud` (or
 * `client_id`) is one of its `audience`, `exp` is in the future, `nbf` is not, and the route's scopes — when it
 * declares any — include one of the token's (`scope`, space-separated, or `scp`).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface JwtExpectations {
  readonly secret: string;
  readonly issuer: string;
  readonly audience: readonly string[];
  readonly now?: number;
}

export type JwtVerdict = { readonly valid: true; readonly claims: Record<string, unknown>; readonly scopes: string[] } | { readonly valid: false };

const base64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

/** A compact HS256 JWT for local use (tests, the CLI against the local HTTP API). */
export function signLocalJwt(claims: Record<string, unknown>, secret: string): string {
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = base64url(JSON.stringify(claims));
  const signature = base64url(createHmac('sha256', secret).update(`${header}.${payload}`).digest());
  return `${header}.${payload}.${signature}`;
}

function decodeJson(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function scopesOf(claims: Record<string, unknown>): string[] {
  if (typeof claims.scope === 'string') return claims.scope.split(' ').filter(Boolean);
  if (Array.isArray(claims.scp)) return claims.scp.map(String);
  if (typeof claims.scp === 'string') return claims.scp.split(' ').filter(Boolean);
  return [];
}

/** Checks signature and claims; never says which check failed (API Gateway answers a bare 401 too). */
export function verifyLocalJwt(token: string, expected: JwtExpectations): JwtVerdict {
  const parts = token.split('.');
  if (parts.length !== 3) return { valid: false };
  const [headerPart, payloadPart, signaturePart] = parts;
  const header = decodeJson(headerPart);
  const claims = decodeJson(payloadPart);
  if (!header || !claims || header.alg !== 'HS256') return { valid: false };
  const expectedSignature = createHmac('sha256', expected.secret).update(`${headerPart}.${payloadPart}`).digest();
  const signature = Buffer.from(signaturePart, 'base64url');
  if (signature.length !== expectedSignature.length || !timingSafeEqual(signature, expectedSignature)) return { valid: false };
  const now = (expected.now ?? Date.now()) / 1000;
  if (claims.iss !== expected.issuer) return { valid: false };
  const audiences = [claims.aud, claims.client_id].flat().filter((value): value is string => typeof value === 'string');
  if (!audiences.some((audience) => expected.audience.includes(audience))) return { valid: false };
  if (typeof claims.exp !== 'number' || claims.exp <= now) return { valid: false };
  if (typeof claims.nbf === 'number' && claims.nbf > now) return { valid: false };
  return { valid: true, claims, scopes: scopesOf(claims) };
}

/** API Gateway hands claims to the function as strings (arrays as `[a b]`). */
export function claimsAsStrings(claims: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(claims).map(([name, value]) => [
      name,
      typeof value === 'string' ? value : Array.isArray(value) ? `[${value.map(String).join(' ')}]` : typeof value === 'object' ? JSON.stringify(value) : String(value),
    ]),
  );
}
