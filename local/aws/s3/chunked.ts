/**
 * `aws-chunked` request bodies ("Signature Calculations for the Authorization Header: Transferring Payload in
 * Multiple Chunks" in the S3 API reference). Clients send them when `x-amz-content-sha256` is one of the
 * `STREAMING-*` values: the SDK v3 with its default CRC32 checksum in a trailer
 * (`STREAMING-UNSIGNED-PAYLOAD-TRAILER`), older clients with a signature per chunk
 * (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD`). Each chunk is `<hex size>[;chunk-signature=<sig>]\r\n<bytes>\r\n`, a
 * zero-size chunk ends the data, trailing headers (`x-amz-checksum-crc32:...`) and an empty line follow.
 *
 * Chunk signatures and trailing checksums are not verified here: the seed signature of the headers is.
 */
import { S3Error } from './errors';

export interface DecodedChunks {
  readonly body: Buffer;
  /** Trailing headers, lower-case names. */
  readonly trailers: Readonly<Record<string, string>>;
}

/** Whether a request's body is aws-chunked, from its `x-amz-content-sha256`. */
export function isChunkedPayload(contentSha256: string | undefined): boolean {
  return contentSha256 !== undefined && contentSha256.startsWith('STREAMING-');
}

const incomplete = (why: string) => new S3Error('IncompleteBody', `The request body is not valid aws-chunked encoding: ${why}`, 400);

export function decodeAwsChunked(raw: Buffer): DecodedChunks {
  const parts: Buffer[] = [];
  let position = 0;
  const line = (): string => {
    const end = raw.indexOf('\r\n', position);
    if (end < 0) throw incomplete('a line does not end with CRLF');
    const text = raw.subarray(position, end).toString('latin1');
    position = end + 2;
    return text;
  };
  for (;;) {
    const header = line();
    const size = Number.parseInt(header.split(';')[0].trim(), 16);
    if (!Number.isFinite(size) || size < 0) throw incomplete(`bad chunk size '${header.slice(0, 40)}'`);
    if (size === 0) break;
    if (position + size + 2 > raw.length) throw incomplete('a chunk is shorter than its declared size');
    parts.push(raw.subarray(position, position + size));
    position += size;
    if (raw.subarray(position, position + 2).toString('latin1') !== '\r\n') throw incomplete('a chunk does not end with CRLF');
    position += 2;
  }
  const trailers: Record<string, string> = {};
  while (position < raw.length) {
    const text = line();
    if (text === '') break;
    const colon = text.indexOf(':');
    if (colon > 0) trailers[text.slice(0, colon).trim().toLowerCase()] = text.slice(colon + 1).trim();
  }
  return { body: Buffer.concat(parts), trailers };
}
