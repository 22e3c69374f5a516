/**
 * SecureString values at rest. Parameter Store encrypts them with a KMS key (`alias/aws/ssm` by default) and,
 * without `WithDecryption`, returns the ciphertext instead of the value. The local cloud has no KMS, so each
 * key id stands for an AES-256-GCM key derived from it; the blob is opaque base64, never the plain text.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { AwsServiceError } from '../protocol';

export const DEFAULT_SSM_KEY_ID = 'alias/aws/ssm';

/** KMS accepts a key id (UUID), a key ARN, an alias name or an alias ARN. */
const KEY_ID_FORMS = [
  /^alias\/[a-zA-Z0-9/_-]+$/,
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
  /^arn:aws:kms:[a-z0-9-]+:\d{12}:(key\/[0-9a-f-]+|alias\/[a-zA-Z0-9/_-]+)$/,
];

export function validateKeyId(keyId: string): string {
  if (!KEY_ID_FORMS.some((form) => form.test(keyId))) {
    throw new AwsServiceError('InvalidKeyId', `Invalid KeyId: ${keyId}`);
  }
  return keyId;
}

function keyFor(region: string, keyId: string): Buffer {
  return createHash('sha256').update(`local-kms\0${region}\0${keyId}`).digest();
}

/** Encrypt; the result is `base64(iv | tag | ciphertext)`. */
export function sealSecureString(plaintext: string, region: string, keyId: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyFor(region, keyId), iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
}

/** Decrypt a blob made by {@link sealSecureString} with the same region and key id. */
export function openSecureString(blob: string, region: string, keyId: string): string {
  const bytes = Buffer.from(blob, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', keyFor(region, keyId), bytes.subarray(0, 12));
  decipher.setAuthTag(bytes.subarray(12, 28));
  return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
}
