/**
 * A self-signed X.509 v3 CA certificate, DER-encoded by hand and signed with Node's crypto. Node can make keys, sign
 * and parse certificates (`X509Certificate`), but has no API that creates one; the libraries that do (node-forge,
 * @peculiar/x509 with asn1js) add 250-400 KiB to every bundle that stores secrets, which each cold start pays to
 * parse. The certificate is one fixed shape, so the few DER rules it needs are written out here (ITU-T X.690, DER;
 * RFC 5280 for the certificate and its extensions), and the tests read the result back with Node's and node-forge's
 * parsers.
 */
import { createHash, createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';

/** A DER length: short form below 128, else the long form (0x80 | number of bytes, big-endian). */
function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}

const sequence = (...items: Buffer[]) => tlv(0x30, ...items);
const set = (...items: Buffer[]) => tlv(0x31, ...items);
const octetString = (bytes: Buffer) => tlv(0x04, bytes);
/** A BIT STRING of whole bytes (no unused bits). */
const bitString = (bytes: Buffer) => tlv(0x03, Buffer.from([0]), bytes);
const utf8String = (text: string) => tlv(0x0c, Buffer.from(text, 'utf8'));
const TRUE = tlv(0x01, Buffer.from([0xff]));
const NULL = Buffer.from([0x05, 0x00]);
/** `[n] EXPLICIT` */
const explicit = (n: number, inner: Buffer) => tlv(0xa0 | n, inner);

/** An OBJECT IDENTIFIER: the first two arcs as 40·a + b, each arc in base 128, high bit set on all but its last byte. */
function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const bytes: number[] = [];
  for (const arc of [40 * a + b, ...rest]) {
    const digits = [arc % 128];
    for (let n = Math.floor(arc / 128); n > 0; n = Math.floor(n / 128)) digits.unshift(0x80 | n % 128);
    bytes.push(...digits);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** A positive INTEGER from big-endian bytes (a leading 0x00 when the high bit is set, which would make it negative). */
function positiveInteger(bytes: Buffer): Buffer {
  return tlv(0x02, bytes[0] & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
}

/** RFC 5280 4.1.2.5: UTCTime (YYMMDDHHMMSSZ) through 2049, GeneralizedTime (YYYYMMDDHHMMSSZ) from 2050. */
function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return date.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(`${iso.slice(2)}Z`)) : tlv(0x18, Buffer.from(`${iso}Z`));
}

const OID = {
  sha256WithRSAEncryption: '1.2.840.113549.1.1.11',
  commonName: '2.5.4.3',
  organizationName: '2.5.4.10',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  subjectKeyIdentifier: '2.5.29.14',
} as const;

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return sequence(oid(id), ...(critical ? [TRUE] : []), octetString(value));
}

export interface CaCertificateOptions {
  commonName: string;
  organization: string;
  /** The certificate's serial number (positive, at most 20 bytes: RFC 5280 4.1.2.2). */
  serial: Buffer;
  notBefore: Date;
  notAfter: Date;
}

/**
 * A self-signed CA certificate (PEM) for an RSA key (PEM, PKCS#8), signed with SHA-256: basicConstraints CA (critical),
 * keyUsage keyCertSign, cRLSign and digitalSignature (critical), and the subject key identifier of RFC 5280 4.2.1.2
 * method 1 (SHA-1 of the subjectPublicKey bits).
 */
export function buildCaCertificate(privateKeyPem: string, options: CaCertificateOptions): string {
  const privateKey: KeyObject = createPrivateKey(privateKeyPem);
  const publicKey = createPublicKey(privateKey);
  const name = sequence(
    set(sequence(oid(OID.commonName), utf8String(options.commonName))),
    set(sequence(oid(OID.organizationName), utf8String(options.organization))),
  );
  const signatureAlgorithm = sequence(oid(OID.sha256WithRSAEncryption), NULL);
  // For RSA the subjectPublicKey bits are the PKCS#1 RSAPublicKey.
  const keyIdentifier = createHash('sha1').update(publicKey.export({ type: 'pkcs1', format: 'der' })).digest();
  // keyUsage bits 0 (digitalSignature), 5 (keyCertSign) and 6 (cRLSign): 1000 0110, the last bit unused.
  const keyUsage = tlv(0x03, Buffer.from([1, 0x86]));
  const tbs = sequence(
    explicit(0, tlv(0x02, Buffer.from([2]))), // v3
    positiveInteger(options.serial),
    signatureAlgorithm,
    name, // issuer: self-signed
    sequence(time(options.notBefore), time(options.notAfter)),
    name, // subject
    publicKey.export({ type: 'spki', format: 'der' }),
    explicit(
      3,
      sequence(
        extension(OID.basicConstraints, true, sequence(TRUE)),
        extension(OID.keyUsage, true, keyUsage),
        extension(OID.subjectKeyIdentifier, false, octetString(keyIdentifier)),
      ),
    ),
  );
  const certificate = sequence(tbs, signatureAlgorithm, bitString(sign('sha256', tbs, privateKey)));
  const base64 = certificate.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${base64}\n-----END CERTIFICATE-----\n`;
}
