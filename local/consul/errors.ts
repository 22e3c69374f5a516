/**
 * Errors of the emulated Consul HTTP API.
 *
 * Consul's HTTP layer (`agent/http.go`) turns handler errors into plain-text answers: typed errors get their own
 * status (400, 403, 404, 405, 413), and every other error coming back from the servers' RPC layer — including
 * validation failures such as "Must provide node" — is written as a 500 with the error text as body. The emulator
 * keeps that mapping so clients see what a real agent would send.
 */

/** An error answered as `status` with `message` as a `text/plain` body. */
export class ConsulHttpError extends Error {
  override readonly name = 'ConsulHttpError';
  constructor(
    readonly status: number,
    message: string,
    /** Extra response headers (e.g. `Allow` on a 405). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** 400, as Consul's `HTTPError{StatusCode: 400}` / `BadRequestError`. */
export function badRequest(message: string): ConsulHttpError {
  return new ConsulHttpError(400, message);
}

/** 500: an untyped error from the server side (validation, "No cluster leader", ...). */
export function serverError(message: string): ConsulHttpError {
  return new ConsulHttpError(500, message);
}

/** 404 with a body (Consul's `HTTPError{StatusCode: 404}`), e.g. a missing config entry. */
export function notFound(message: string): ConsulHttpError {
  return new ConsulHttpError(404, message);
}

/** 405 as Consul answers it: `method PATCH not allowed`, with the `Allow` header listing OPTIONS first. */
export function methodNotAllowed(method: string, allowed: readonly string[]): ConsulHttpError {
  return new ConsulHttpError(405, `method ${method} not allowed`, { Allow: ['OPTIONS', ...allowed].join(',') });
}

/** 413, used for oversized bodies and transactions with too many operations. */
export function tooLarge(message: string): ConsulHttpError {
  return new ConsulHttpError(413, message);
}

/** 403: ACL resolution failed (`ACL not found`) or the token lacks a permission (`Permission denied: ...`). */
export function forbidden(message: string): ConsulHttpError {
  return new ConsulHttpError(403, message);
}

/**
 * Consul joins validation failures with hashicorp/go-multierror, whose text is
 * `1 error occurred:\n\t* <error>\n\n` (or `N errors occurred:` with one bullet each).
 */
export function formatMultiError(errors: readonly string[]): string {
  const head = errors.length === 1 ? '1 error occurred:' : `${errors.length} errors occurred:`;
  return `${head}\n${errors.map((e) => `\t* ${e}`).join('\n')}\n\n`;
}
