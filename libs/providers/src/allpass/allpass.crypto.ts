import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { constantTimeEqual, hmacSha256, isBase64, isHex, WebhookRejection } from '@kyc/core';
import type { AllpassOptions, DataEncoding, GcmIvBytes, KeyEncoding } from './allpass.options';

export const ALLPASS_SIGNATURE_HEADER = 'x-allpass-signature';
const KEY_BYTES = 32;
const CBC_IV_BYTES = 16;
const CBC_BLOCK_BYTES = 16;
const GCM_TAG_BYTES = 16;

/**
 * The connection's "Crypto Key" as bytes. `auto`: 64 hex chars = hex, 44 base64 chars = base64,
 * 32 chars = raw UTF-8. Errors name the problem, never the key.
 */
export function decodeCryptoKey(key: string, encoding: KeyEncoding): Buffer {
  const resolved = encoding === 'auto' ? inferKeyEncoding(key) : encoding;
  if (resolved === 'hex' && !isHex(key)) throw new Error('is not hex');
  if (resolved === 'base64' && !isBase64(key)) throw new Error('is not base64');
  return Buffer.from(key, resolved);
}

function inferKeyEncoding(key: string): 'hex' | 'base64' | 'utf8' {
  if (key.length === 64 && isHex(key)) return 'hex';
  if (key.length === 44 && isBase64(key)) return 'base64';
  if (key.length === 32) return 'utf8';
  throw new Error('encoding cannot be inferred: expected 64 hex, 44 base64 or 32 raw characters (or set keyEncoding)');
}

/** Throws unless the key decodes to the 32 bytes AES-256 needs. */
export function checkCryptoKey(key: string, encoding: KeyEncoding): Buffer {
  const bytes = decodeCryptoKey(key, encoding);
  if (bytes.length !== KEY_BYTES) throw new Error(`must decode to exactly ${KEY_BYTES} bytes (got ${bytes.length})`);
  return bytes;
}

/** The envelope's `data` as bytes, or undefined when it is not valid in the chosen encoding. */
export function decodeData(data: string, encoding: DataEncoding): Buffer | undefined {
  // `auto`: only hex digits = hex. A base64 string made only of hex digits is vanishingly unlikely.
  const hex = encoding === 'hex' || (encoding === 'auto' && /^[0-9a-fA-F]+$/.test(data));
  if (hex) return isHex(data) ? Buffer.from(data, 'hex') : undefined;
  return isBase64(data) ? Buffer.from(data, 'base64') : undefined;
}

/** A GCM tag from the header: 32 hex chars or base64 of 16 bytes. */
export function decodeTag(value: string): Buffer | undefined {
  const v = value.trim();
  if (v.length === GCM_TAG_BYTES * 2 && isHex(v)) return Buffer.from(v, 'hex');
  if (isBase64(v)) {
    const bytes = Buffer.from(v, 'base64');
    if (bytes.length === GCM_TAG_BYTES) return bytes;
  }
  return undefined;
}

/** Hex HMAC-SHA256 of the `data` string, keyed with the HMAC key's UTF-8 bytes as configured. */
export function cbcHmacHex(hmacKey: string, data: string): string {
  return hmacSha256(Buffer.from(hmacKey, 'utf8'), data).toString('hex');
}

// The two encryptions below serve tests that forge vendor data (the simulator has its own, on purpose).

/** AES-256-CBC, PKCS#7; returns IV || ciphertext. */
export function encryptCbc(key: Buffer, plaintext: Buffer, iv: Buffer = randomBytes(CBC_IV_BYTES)): Buffer {
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  return Buffer.concat([iv, cipher.update(plaintext), cipher.final()]);
}

/** AES-256-GCM; returns IV || ciphertext and the 16-byte tag separately. */
export function encryptGcm(key: Buffer, plaintext: Buffer, ivBytes: GcmIvBytes, iv: Buffer = randomBytes(ivBytes)): { data: Buffer; tag: Buffer } {
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: GCM_TAG_BYTES });
  const data = Buffer.concat([iv, cipher.update(plaintext), cipher.final()]);
  return { data, tag: cipher.getAuthTag() };
}

/**
 * AES-256-CBC without the padding check: IV || ciphertext in, the raw last-block-padded plaintext
 * out (whole blocks). Undefined when the length is not a positive number of blocks (public knowledge).
 */
export function decryptCbcRaw(key: Buffer, data: Buffer): Buffer | undefined {
  const body = data.subarray(CBC_IV_BYTES);
  if (data.length < CBC_IV_BYTES || body.length === 0 || body.length % CBC_BLOCK_BYTES !== 0) return undefined;
  const decipher = createDecipheriv('aes-256-cbc', key, data.subarray(0, CBC_IV_BYTES));
  decipher.setAutoPadding(false);
  return Buffer.concat([decipher.update(body), decipher.final()]);
}

/**
 * The PKCS#7 pad length of a decrypted buffer (1..16), or 0 when the padding is invalid. Reads all
 * 16 last bytes without branching on them, so its time does not depend on where or whether the
 * padding is wrong.
 */
export function pkcs7PadLength(padded: Buffer): number {
  const last = padded[padded.length - 1];
  // 1 when 1 <= last <= 16, else 0, from sign bits rather than branches.
  let good = ((last - 1) >>> 31) ^ 1;
  good &= ((CBC_BLOCK_BYTES - last) >>> 31) ^ 1;
  let mismatch = 0;
  for (let i = 1; i <= CBC_BLOCK_BYTES; i++) {
    const byte = padded[padded.length - i];
    // inPad = 1 when i <= last: the byte must equal `last`.
    const inPad = ((last - i) >>> 31) ^ 1;
    mismatch |= inPad * (byte ^ last);
  }
  good &= ((mismatch - 1) >>> 31) & 1;
  return last * good;
}

/** Throws when the tag does not verify. `data` is IV || ciphertext (tag already removed). */
export function decryptGcm(key: Buffer, data: Buffer, ivBytes: GcmIvBytes, tag: Buffer): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, ivBytes), { authTagLength: GCM_TAG_BYTES });
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(data.subarray(ivBytes)), decipher.final()]);
}

export interface OpenDataInput {
  readonly data: string;
  /** The `x-allpass-signature` header, if sent. */
  readonly signature: string | undefined;
  readonly key: Buffer;
  readonly hmacKey: string | undefined;
  readonly options: AllpassOptions;
}

/** Decrypted `data`, and what went wrong if it did: see `openData`. */
export interface OpenedData {
  readonly plaintext: Buffer;
  /** For the refusal record only; the caller still runs its decoding steps before refusing. */
  readonly problem: string | undefined;
}

/**
 * Authenticate and decrypt the envelope's `data`. Order matters: decode (400), then the tag or
 * HMAC (401) before any plaintext is looked at, then CBC padding. A bad padding does not throw:
 * without an HMAC it would be a padding oracle, so it is reported as `problem` and the caller
 * refuses only after the same UTF-8 and JSON steps a good padding goes through.
 */
export function openData({ data, signature, key, hmacKey, options }: OpenDataInput): OpenedData {
  const bytes = decodeData(data, options.dataEncoding);
  if (!bytes) throw new WebhookRejection('malformed', `data is not valid ${options.dataEncoding === 'auto' ? 'hex or base64' : options.dataEncoding}`);
  if (options.encryptionMethod === 'aes-256-gcm') return { plaintext: openGcm(bytes, signature, key, options), problem: undefined };
  return openCbc(bytes, data, signature, key, hmacKey);
}

function openGcm(bytes: Buffer, signature: string | undefined, key: Buffer, options: AllpassOptions): Buffer {
  const { gcmIvBytes: ivBytes, gcmTagSource: source } = options;
  const fromHeader = source === 'header' || (source === 'auto' && signature !== undefined);
  let tag: Buffer | undefined;
  let body = bytes;
  if (fromHeader) {
    if (signature === undefined) throw new WebhookRejection('missing_signature', `${ALLPASS_SIGNATURE_HEADER} header (GCM tag) is missing`);
    if (bytes.length <= ivBytes) throw new WebhookRejection('malformed', 'data is too short for AES-256-GCM');
    tag = decodeTag(signature);
    if (!tag) throw new WebhookRejection('invalid_signature', `${ALLPASS_SIGNATURE_HEADER} is not a 16-byte GCM tag in hex or base64`);
  } else {
    if (bytes.length <= ivBytes + GCM_TAG_BYTES) throw new WebhookRejection('malformed', 'data is too short for AES-256-GCM with a trailing tag');
    tag = bytes.subarray(bytes.length - GCM_TAG_BYTES);
    body = bytes.subarray(0, bytes.length - GCM_TAG_BYTES);
  }
  try {
    return decryptGcm(key, body, ivBytes, tag);
  } catch {
    // Wrong key, altered data and wrong tag all look the same here.
    throw new WebhookRejection('invalid_signature', 'GCM authentication tag does not verify');
  }
}

function openCbc(bytes: Buffer, data: string, signature: string | undefined, key: Buffer, hmacKey: string | undefined): OpenedData {
  if (hmacKey) {
    if (signature === undefined) throw new WebhookRejection('missing_signature', `${ALLPASS_SIGNATURE_HEADER} header (HMAC) is missing`);
    if (!constantTimeEqual(signature.trim().toLowerCase(), cbcHmacHex(hmacKey, data))) {
      throw new WebhookRejection('invalid_signature', `${ALLPASS_SIGNATURE_HEADER} HMAC does not verify`);
    }
  }
  // The length is visible to anyone who sees `data`: refusing it at once tells nothing.
  const padded = decryptCbcRaw(key, bytes);
  if (!padded) throw new WebhookRejection('malformed', 'data is not a whole number of AES blocks after the IV');
  const padLength = pkcs7PadLength(padded);
  return {
    // With a bad padding the whole buffer goes on to the decoding steps, so they take comparable time.
    plaintext: padded.subarray(0, padded.length - padLength),
    problem: padLength === 0 ? 'data cannot be decrypted with AES-256-CBC: bad padding (wrong key or altered data)' : undefined,
  };
}
