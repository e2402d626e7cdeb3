import { createCipheriv, randomBytes } from 'node:crypto';

/** The header Allpass documents for the CBC HMAC or the GCM tag. */
export const ALLPASS_SIGNATURE_HEADER = 'x-allpass-signature';

/**
 * Allpass encryption as its docs describe it, written with node:crypto alone (not the adapter's
 * code), for tests that build requests by hand: IV || ciphertext, PKCS#7 padding.
 */
export function allpassEncryptCbc(key: Buffer, plaintext: Buffer, iv: Buffer = randomBytes(16)): Buffer {
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  return Buffer.concat([iv, cipher.update(plaintext), cipher.final()]);
}

/** AES-256-GCM: IV || ciphertext, and the 16-byte tag apart. */
export function allpassEncryptGcm(key: Buffer, plaintext: Buffer, ivBytes = 12): { data: Buffer; tag: Buffer } {
  const iv = randomBytes(ivBytes);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
  const data = Buffer.concat([iv, cipher.update(plaintext), cipher.final()]);
  return { data, tag: cipher.getAuthTag() };
}
