import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

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
    // No prototype: a `__proto__` key (an own property after JSON.parse) stays a plain key instead
    // of being dropped or replacing the prototype, which made different payloads digest alike.
    const sorted: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const key of Object.keys(value).sort()) {
      sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
    }
    return sorted;
  }
  return value;
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
/** Full-length GCM tags only: Node would otherwise accept a tag as short as 4 bytes, forgeable by trial. */
const TAG_LENGTH = 16;
let ivPool = Buffer.alloc(0);
function nextIv(): Buffer {
  if (ivPool.length < IV_LENGTH) ivPool = randomBytes(IV_LENGTH * 340);
  const iv = ivPool.subarray(0, IV_LENGTH);
  ivPool = ivPool.subarray(IV_LENGTH);
  return iv;
}

/** Fixed HKDF salt: the master keys are random already, the salt only separates this application's derivations. */
const HKDF_SALT = Buffer.from('kyc-gateway/secrets-key', 'utf8');

/**
 * A key for one purpose derived from a 32-byte master key (HKDF-SHA256). Keys of different
 * purposes are independent: knowing one (say the blind-index key) gives nothing of another.
 */
export function deriveSubkey(masterKey: Buffer, purpose: string, length = 32): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey, HKDF_SALT, `kyc-gateway/${purpose}`, length));
}

/** Where a sealed value lives; it is bound to that place (GCM additional data), so it cannot be moved. */
export interface SealContext {
  table: string;
  column: string;
  rowId: string;
}

interface BoxKey {
  id: string;
  master: Buffer;
  seal: Buffer;
  blindIndex: Buffer;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const BASE64_STANDARD = /^[A-Za-z0-9+/]+={0,2}$/;

/** Bytes of a base64(url) field, or null when it is not exactly `length` bytes of valid text. */
function decodeField(text: string | undefined, pattern: RegExp, length: number | null): Buffer | null {
  if (text === undefined || !pattern.test(text)) return null;
  const bytes = Buffer.from(text, 'base64');
  return length === null || bytes.length === length ? bytes : null;
}

/**
 * Authenticated encryption for data at rest (vendor secrets, decoded payloads) with AES-256-GCM.
 *
 * Format `v2.<keyId>.<iv>.<tag>.<ciphertext>` (base64url): the key is derived (HKDF, purpose
 * `seal`) from the master key SECRETS_KEY whose public id is `keyId`, and the additional data is
 * the value's table, column and row, so a value copied elsewhere does not open. Values sealed with
 * a previous master key (SECRETS_KEY_PREVIOUS) still open through their keyId until re-sealed.
 * The older `v1.<iv>.<tag>.<ciphertext>` (base64, master key used directly, no additional data)
 * still opens, so databases written before stay readable; new values are always v2.
 */
export class SecretBox {
  private readonly current: BoxKey;
  private readonly keys: BoxKey[];
  private readonly fingerprintKey: Buffer;

  constructor(key: Buffer, previousKeys: readonly Buffer[] = []) {
    for (const each of [key, ...previousKeys]) if (each.length !== 32) throw new Error('SecretBox needs 32-byte keys');
    this.keys = [key, ...previousKeys].map((master) => ({
      id: SecretBox.keyIdOf(master),
      master,
      seal: deriveSubkey(master, 'seal'),
      blindIndex: deriveSubkey(master, 'blind-index'),
    }));
    this.current = this.keys[0];
    this.fingerprintKey = deriveSubkey(key, 'fingerprint');
  }

  /** Short public id of a master key: says which key sealed a value, reveals nothing of it. */
  static keyIdOf(masterKey: Buffer): string {
    return deriveSubkey(masterKey, 'key-id', 6).toString('base64url');
  }

  /** Id of the key new values are sealed with. */
  get keyId(): string {
    return this.current.id;
  }

  /** A key for another purpose, derived from the current master key (see `deriveSubkey`). */
  deriveKey(purpose: string, length = 32): Buffer {
    return deriveSubkey(this.current.master, purpose, length);
  }

  seal(plaintext: string | Buffer, context: SealContext): string {
    const iv = nextIv();
    const cipher = createCipheriv('aes-256-gcm', this.current.seal, iv, { authTagLength: TAG_LENGTH });
    cipher.setAAD(SecretBox.additionalData(context));
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const tag = cipher.getAuthTag();
    return ['v2', this.current.id, iv.toString('base64url'), tag.toString('base64url'), ciphertext.toString('base64url')].join('.');
  }

  /** The plaintext; throws an Error for anything malformed, tampered, moved or sealed with an unknown key. */
  open(sealed: string, context: SealContext): Buffer {
    const parsed = SecretBox.parse(sealed);
    if (!parsed) throw new Error('Not a sealed value');
    const { keyId, iv, tag, ciphertext } = parsed;
    if (keyId !== null) {
      const key = this.keys.find((candidate) => candidate.id === keyId);
      if (!key) throw new Error(`Sealed with an unknown key (id ${keyId}): set it in SECRETS_KEY_PREVIOUS`);
      const opened = SecretBox.decrypt(key.seal, iv, tag, ciphertext, SecretBox.additionalData(context));
      if (!opened) throw new Error('Sealed value does not open (tampered, or moved from another row or column)');
      return opened;
    }
    // v1 names no key: each known master key in turn (GCM tells the right one).
    for (const key of this.keys) {
      const opened = SecretBox.decrypt(key.master, iv, tag, ciphertext, null);
      if (opened) return opened;
    }
    throw new Error('Sealed value does not open (tampered, or sealed with a key not in SECRETS_KEY / SECRETS_KEY_PREVIOUS)');
  }

  sealJson(value: unknown, context: SealContext): string {
    return this.seal(JSON.stringify(value), context);
  }

  openJson<T>(sealed: string, context: SealContext): T {
    return JSON.parse(this.open(sealed, context).toString('utf8')) as T;
  }

  /** True when `text` has the shape of a sealed value, whether or not it opens. */
  isSealed(text: string): boolean {
    return SecretBox.parse(text) !== null;
  }

  /** True unless `sealed` is v2 under the current key: re-sealing (secrets:rotate) would rewrite it. */
  needsReseal(sealed: string): boolean {
    return !sealed.startsWith(`v2.${this.current.id}.`);
  }

  /** Keyed digest for searching sealed values by equality (blind index); never reversible. */
  blindIndex(value: string): string {
    return createHmac('sha256', this.current.blindIndex).update(value).digest('base64url');
  }

  /**
   * Every blind index `value` may be stored under: the current one, those of the previous keys,
   * and the v1 ones (master key used directly) of rows not yet re-sealed. Searches match any, so
   * they keep finding older rows between a key rotation (or an upgrade) and the re-seal.
   */
  blindIndexCandidates(value: string): string[] {
    const candidates = this.keys.flatMap((key) => [
      createHmac('sha256', key.blindIndex).update(value).digest('base64url'),
      createHmac('sha256', key.master).update('blind-index:').update(value).digest('base64url'),
    ]);
    return [...new Set(candidates)];
  }

  /** Short public fingerprint of a secret, for showing to operators. */
  fingerprint(secret: string): string {
    return createHmac('sha256', this.fingerprintKey).update(secret).digest('hex').slice(0, 12);
  }

  /** The fields of a v2 value (keyId set) or a v1 value (keyId null), or null when malformed. */
  private static parse(sealed: string): { keyId: string | null; iv: Buffer; tag: Buffer; ciphertext: Buffer } | null {
    if (typeof sealed !== 'string') return null;
    const parts = sealed.split('.');
    const v2 = parts[0] === 'v2' && parts.length === 5;
    if (!v2 && !(parts[0] === 'v1' && parts.length === 4)) return null;
    const keyId = v2 ? parts[1] : null;
    const [ivText, tagText, ciphertextText] = parts.slice(v2 ? 2 : 1);
    const pattern = v2 ? BASE64URL : BASE64_STANDARD;
    const iv = decodeField(ivText, pattern, IV_LENGTH);
    const tag = decodeField(tagText, pattern, TAG_LENGTH);
    const ciphertext = ciphertextText === '' ? Buffer.alloc(0) : decodeField(ciphertextText, pattern, null);
    if ((v2 && !BASE64URL.test(keyId ?? '')) || !iv || !tag || !ciphertext) return null;
    return { keyId, iv, tag, ciphertext };
  }

  private static additionalData({ table, column, rowId }: SealContext): Buffer {
    // JSON keeps the three parts apart whatever characters they hold.
    return Buffer.from(JSON.stringify([table, column, rowId]), 'utf8');
  }

  private static decrypt(key: Buffer, iv: Buffer, tag: Buffer, ciphertext: Buffer, additionalData: Buffer | null): Buffer | null {
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_LENGTH });
      if (additionalData) decipher.setAAD(additionalData);
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
    } catch {
      return null;
    }
  }
}
