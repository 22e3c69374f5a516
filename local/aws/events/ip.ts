/**
 * IP addresses and CIDR ranges for the `cidr` operator of event patterns.
 *
 * Follows AWS's matcher (Event Ruler): a string is treated as an address only if it looks like dotted IPv4
 * (`n.n.n.n`) or like IPv6 made of hex digits and colons; a CIDR's range runs from the address as written (not
 * masked down to the network address) to that address with all host bits set.
 */
import { isIPv4, isIPv6 } from 'node:net';

const IPV4_SHAPE = /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/;
const IPV6_SHAPE = /^[0-9a-fA-F:]*:[0-9a-fA-F:]*$/;

/** An IPv4 or IPv6 address as a number. */
export interface IpAddress {
  readonly family: 4 | 6;
  readonly value: bigint;
}

/** An inclusive range of addresses of one family. */
export interface IpRange {
  readonly family: 4 | 6;
  readonly low: bigint;
  readonly high: bigint;
}

/** True when the text has the shape AWS treats as an IP literal (valid or not). */
export function looksLikeIp(text: string): boolean {
  return IPV4_SHAPE.test(text) || IPV6_SHAPE.test(text);
}

/** Parses an IPv4 or IPv6 literal; undefined when the text is not one. */
export function parseIp(text: string): IpAddress | undefined {
  if (IPV4_SHAPE.test(text) && isIPv4(text)) {
    const value = text.split('.').reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n);
    return { family: 4, value };
  }
  if (IPV6_SHAPE.test(text) && isIPv6(text)) return { family: 6, value: parseIpv6(text) };
  return undefined;
}

function parseIpv6(text: string): bigint {
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = tail === undefined ? headGroups : [...headGroups, ...Array<string>(missing).fill('0'), ...tailGroups];
  return groups.reduce((acc, group) => (acc << 16n) | BigInt(parseInt(group, 16)), 0n);
}

/**
 * Parses `address/bits` into the range it covers; throws an `Error` whose message is AWS's reason.
 * Mask limits are Event Ruler's (`< 32` for IPv4, `< 128` for IPv6).
 */
export function parseCidr(text: string): IpRange {
  const parts = text.split('/');
  if (parts.length !== 2) throw new Error("Malformed CIDR, one '/' required");
  const [addressText, bitsText] = parts;
  // Java's Integer.parseInt: an optional sign and decimal digits only.
  if (!/^[+-]?[0-9]+$/.test(bitsText)) throw new Error('Malformed CIDR, mask bits must be an integer');
  const bits = Number(bitsText);
  if (bits < 0) throw new Error('Malformed CIDR, mask bits must not be negative');
  const address = parseIp(addressText);
  if (!address) {
    throw new Error(looksLikeIp(addressText) ? `Invalid IP address: ${addressText}` : `Nonstandard IP address: ${addressText}`);
  }
  const width = address.family === 4 ? 32 : 128;
  if (bits > width - 1) throw new Error(`IPv${address.family} mask bits must be < ${width}`);
  const hostBits = (1n << BigInt(width - bits)) - 1n;
  return { family: address.family, low: address.value, high: address.value | hostBits };
}

/** True when the address is of the range's family and inside it. */
export function ipInRange(address: IpAddress, range: IpRange): boolean {
  return address.family === range.family && address.value >= range.low && address.value <= range.high;
}
