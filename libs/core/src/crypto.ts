import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Constant-time equality of two strings or buffers; different lengths are simply unequal (never a throw). */
export function constantTimeEqual(a: string | Buffer, b: string | Buffer): boolean {
  const left = typeof a === 'string' ? Buffer.from(a, 'utf8') : a;
  const right = typeof b === 'string' ? Buffer.from(b, 'utf8') : b;
  if (left.length !== right.length) {
    // Still spend comparable time so the length is not trivially observable.
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}

export function hmacSha256(key: string | Buffer, data: string | Buffer): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** JSON with object keys sorted at every level, so equal payloads hash equally whatever the key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value as Record<string, unknown>).sort()) {
      sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
    }
    return sorted;
  }
  return value;
}

/** Stable id for a payload that carries no vendor event id. */
export function payloadDigest(payload: unknown): string {
  return `sha256:${sha256Hex(canonicalJson(payload))}`;
}

/** True when the string is an even number of hex digits. */
export function isHex(value: string): boolean {
  return value.length % 2 === 0 && /^[0-9a-fA-F]*$/.test(value);
}

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;
export function isBase64(value: string): boolean {
  return value.length > 0 && BASE64.test(value);
}

/** 12-byte GCM nonces cut from a larger CSPRNG buffer (one call per 340): never reused, cheaper per seal. */
const IV_LENGTH = 12;
let ivPool = Buffer.alloc(0);
function nextIv(): Buffer {
  if (ivPool.length < IV_LENGTH) ivPool = randomBytes(IV_LENGTH * 340);
  const iv = ivPool.subarray(0, IV_LENGTH);
  ivPool = ivPool.subarray(IV_LENGTH);
  return iv;
}

/**
 * Authenticated encryption for data at rest (vendor secrets, decoded payloads) with AES-256-GCM.
 * Format: `v1.<base64 iv>.<base64 tag>.<base64 ciphertext>`.
 */
export class SecretBox {
  private static readonly VERSION = 'v1';
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('SecretBox needs a 32-byte key');
    this.key = key;
  }

  seal(plaintext: string | Buffer): string {
    const iv = nextIv();
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [SecretBox.VERSION, iv.toString('base64'), tag.toString('base64'), ciphertext.toString('base64')].join('.');
  }

  open(sealed: string): Buffer {
    const [version, iv, tag, ciphertext] = sealed.split('.');
    if (version !== SecretBox.VERSION || !iv || !tag || ciphertext === undefined) {
      throw new Error('Not a sealed value');
    }
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64')), decipher.final()]);
  }

  sealJson(value: unknown): string {
    return this.seal(JSON.stringify(value));
  }

  openJson<T>(sealed: string): T {
    return JSON.parse(this.open(sealed).toString('utf8')) as T;
  }

  /** Keyed digest for searching sealed values by equality (blind index); never reversible. */
  blindIndex(value: string): string {
    return createHmac('sha256', this.key).update('blind-index:').update(value).digest('base64url');
  }

  /** Short public fingerprint of a secret, for showing to operators. */
  fingerprint(secret: string): string {
    return createHmac('sha256', this.key).update('fingerprint:').update(secret).digest('hex').slice(0, 12);
  }
}
