import { Logger } from '@aws-lambda-powertools/logger';

/** Keys whose values are never logged, wherever they appear in a logged object. */
const SECRET_KEY = /token|secret|password|authorization|gossip|private|key$/i;

/** Replaces the values of secret-looking keys, recursively, before anything reaches the log. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? '[redacted]' : redact(v, depth + 1);
  return out;
}

/**
 * The structured logger (Powertools). Log objects go through `redact`: tokens, secrets, gossip keys and
 * Authorization headers never reach CloudWatch.
 */
export function createLogger(serviceName: string): Logger {
  return new Logger({
    serviceName,
    logLevel: (process.env.LOG_LEVEL as 'INFO' | undefined) ?? 'INFO',
    jsonReplacerFn: (key: string, value: unknown) => (key !== '' && SECRET_KEY.test(key) ? '[redacted]' : value),
  });
}
