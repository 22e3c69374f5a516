/** Reading the JSON strings Step Functions hands back (execution input/output, task results, error causes). */

/** Parses JSON, or gives the text back unchanged when it is not JSON (causes are sometimes plain text). */
export function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The value as a plain object, or undefined. */
export function recordOf(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** A Lambda error's cause is JSON `{errorType, errorMessage, trace}`: the message is what a person reads. */
export function lambdaErrorMessage(cause: unknown): string | undefined {
  if (typeof cause !== 'string') return undefined;
  const message = recordOf(parseJson(cause))?.errorMessage;
  return typeof message === 'string' ? message : cause;
}

/** What a failure recorder says of a caught error's Cause: its readable message, or that none was recorded. */
export function causeMessage(cause: string | undefined): string {
  return lambdaErrorMessage(cause) || 'no cause recorded';
}
