/**
 * Step Functions' payload quota: "the maximum input or output size for a task, state, or execution is 256 KiB of
 * data as a UTF-8 encoded string". StartExecution rejects a larger input (the API's length constraint on
 * `input`); inside an execution, a larger state output fails it with `States.DataLimitExceeded`, a terminal error
 * that `States.ALL` does not catch. Standard executions are also limited to 25,000 history events.
 */
export const MAX_PAYLOAD_BYTES = 262_144;
export const MAX_HISTORY_EVENTS = 25_000;

export function payloadBytes(json: string): number {
  return Buffer.byteLength(json, 'utf8');
}

/**
 * `States.DataLimitExceeded`. Neither retryable nor catchable: aws-local-stepfunctions consults `isRetryable` and
 * `isCatchable` before matching `Retry`/`Catch` (its own runtime errors use the same switches).
 */
export class DataLimitExceededError extends Error {
  override readonly name = 'States.DataLimitExceeded';
  get isRetryable(): boolean {
    return false;
  }
  get isCatchable(): boolean {
    return false;
  }
}

export function dataLimitMessage(what: string, bytes: number): string {
  return `The ${what} has a size of ${bytes} bytes, which exceeds the maximum of ${MAX_PAYLOAD_BYTES} bytes.`;
}
