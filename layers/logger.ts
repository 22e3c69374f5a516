import { Logger } from '@aws-lambda-powertools/logger';

/** Keys whose values are never logged, wherever they appear in a logged object. */
const SECRET_KEY = /token|secret|password|authorization|gossip|private|key$/i;

/**
 * The structured logger (Powertools). Its JSON replacer blanks the values of secret-looking keys at any depth:
 * tokens, secrets, gossip keys and Authorization headers never reach CloudWatch. Errors are logged as Error
 * objects, which Powertools writes with their name, message, stack and cause.
 *
 * `level` fixes the level whatever LOG_LEVEL says: the activity lines (layers/churn/activity.ts) are records that
 * `GET /activity` reads back from CloudWatch Logs, not diagnostics, so turning the diagnostics down must not erase them.
 */
export function createLogger(serviceName: string, options: { level?: 'INFO' } = {}): Logger {
  return new Logger({
    serviceName,
    logLevel: options.level ?? (process.env.LOG_LEVEL as 'INFO' | undefined) ?? 'INFO',
    jsonReplacerFn: (key: string, value: unknown) => (key !== '' && SECRET_KEY.test(key) ? '[redacted]' : value),
  });
}
