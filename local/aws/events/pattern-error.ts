/**
 * The error a rejected event pattern raises.
 *
 * EventBridge answers an invalid pattern (PutRule, TestEventPattern) with `InvalidEventPatternException` and a
 * message `Event pattern is not valid. Reason: <reason>`; the reasons are those of AWS's own matcher (Event Ruler),
 * e.g. `"source" must be an object or an array` or `Empty arrays are not allowed`. AWS appends the parser's position
 * (`at [Source: ...; line: 1, column: N]`); we leave it out.
 */
export class InvalidEventPatternError extends Error {
  override readonly name = 'InvalidEventPatternException';
  constructor(
    /** The part after `Reason: `, as AWS words it. */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`Event pattern is not valid. Reason: ${reason}`, options);
  }
}

/** Throws the AWS-worded rejection; typed `never` so callers narrow after it. */
export function rejectPattern(reason: string, cause?: unknown): never {
  throw new InvalidEventPatternError(reason, cause === undefined ? undefined : { cause });
}
