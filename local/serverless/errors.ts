/**
 * The application's `serverless.yml` could not be loaded or does not describe something the local cloud can run.
 * The message names the key (`functions.work.environment.QUEUE_URL`) and what was expected, so a bad file never
 * starts half a local cloud.
 */
export class ServerlessConfigError extends Error {
  override readonly name = 'ServerlessConfigError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
