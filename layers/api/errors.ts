/**
 * Errors only the HTTP API raises (the shared ones — InvalidInput, SpecInvalid, NotFound, ConcurrentOperation —
 * live in layers/errors.ts). Each sets `name`, which is what the error mapper reads.
 */

/** No credentials reached the route (the authorizer's context is missing): 401. */
export class UnauthorizedError extends Error {
  override readonly name = 'Unauthorized';
}

/** The body is larger than a Step Functions execution can carry (256 KB): 413. */
export class PayloadTooLargeError extends Error {
  override readonly name = 'PayloadTooLarge';
}

/** The body's content type is not one the route reads: 415. */
export class UnsupportedMediaTypeError extends Error {
  override readonly name = 'UnsupportedMediaType';
}

/** The deployment or rollout has already ended and cannot be cancelled: 409. */
export class AlreadyEndedError extends Error {
  override readonly name = 'AlreadyEnded';
}
