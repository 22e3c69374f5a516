import { serverError } from '../errors';

/**
 * The peering token (`structs.PeeringToken` in Consul's `agent/structs/peering.go`): JSON, base64-encoded with the
 * standard alphabet (the backend's `EncodeToken`). The dialer decodes it and checks it before anything is written.
 */
export interface PeeringToken {
  CA: string[] | null;
  ManualServerAddresses?: string[] | null;
  ServerAddresses: string[] | null;
  ServerName: string;
  PeerID: string;
  EstablishmentSecret: string;
  Remote: { Partition: string; Datacenter: string };
}

export function encodePeeringToken(token: PeeringToken): string {
  return Buffer.from(JSON.stringify(token)).toString('base64');
}

/**
 * Decodes a token as Consul's `DecodeToken` and `validatePeeringToken` do, with their error texts: Go's base64
 * error (`illegal base64 data at input byte N`), its JSON errors, then the empty-field checks in Consul's order.
 */
export function decodePeeringToken(text: string): PeeringToken {
  const bad = firstIllegalBase64Byte(text);
  if (bad !== undefined) throw serverError(`illegal base64 data at input byte ${bad}`);
  const json = Buffer.from(text, 'base64').toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    // Go's encoding/json texts for the two usual cases: nothing at all, or text that is not JSON.
    const first = json.trimStart()[0];
    if (first === undefined) throw serverError('unexpected end of JSON input');
    if (!/[{["\-0-9tfn]/.test(first)) throw serverError(`invalid character '${first}' looking for beginning of value`);
    throw serverError('unexpected end of JSON input');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw serverError('json: cannot unmarshal value into Go value of type structs.PeeringToken');
  }
  const raw = parsed as Record<string, unknown>;
  const strings = (value: unknown): string[] | null => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : null);
  const text_ = (value: unknown): string => (typeof value === 'string' ? value : '');
  const remote = (raw.Remote ?? {}) as Record<string, unknown>;
  const token: PeeringToken = {
    CA: strings(raw.CA),
    ManualServerAddresses: strings(raw.ManualServerAddresses),
    ServerAddresses: strings(raw.ServerAddresses),
    ServerName: text_(raw.ServerName),
    PeerID: text_(raw.PeerID),
    EstablishmentSecret: text_(raw.EstablishmentSecret),
    Remote: { Partition: text_(remote.Partition), Datacenter: text_(remote.Datacenter) },
  };
  // validatePeeringToken: the CA PEMs must parse (none here: the local servers have no TLS), then addresses
  // (manual ones count), server name and peer ID must be present.
  if ((token.ServerAddresses?.length ?? 0) === 0 && (token.ManualServerAddresses?.length ?? 0) === 0) {
    throw serverError('peering token server addresses value is empty');
  }
  for (const address of [...(token.ServerAddresses ?? []), ...(token.ManualServerAddresses ?? [])]) {
    if (!/^[^:\s]+:\d{1,5}$/.test(address)) throw serverError(`${address} is not a valid peering server address`);
  }
  if (token.ServerName === '') throw serverError('peering token server name value is empty');
  if (token.PeerID === '') throw serverError('peering token peer ID value is empty');
  return token;
}

/** Go's `base64.StdEncoding.DecodeString` error position, or undefined when the text decodes. */
function firstIllegalBase64Byte(text: string): number | undefined {
  const alphabet = /[A-Za-z0-9+/]/;
  let i = 0;
  while (i < text.length && alphabet.test(text[i])) i++;
  const dataEnd = i;
  while (i < text.length && text[i] === '=') i++;
  const padding = i - dataEnd;
  if (i < text.length) return i;
  if (padding > 2) return dataEnd + 2;
  // A complete input is a multiple of 4 characters; Go reports the position where the quantum ends early.
  if (text.length % 4 !== 0) return padding > 0 ? dataEnd : Math.floor(text.length / 4) * 4;
  if (padding > 0 && (dataEnd + padding) % 4 !== 0) return dataEnd;
  return undefined;
}
