import { createCipheriv, createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { ConnectionCredentials, ProviderSimulator, SimulatedRequest, SimulateOptions } from '../provider.interface';
import { ALLPASS_EVENT_TYPES } from './allpass.mapping';
import { customHeaders } from '../simulator-headers';

const STEP_NAMES: Readonly<Record<string, string>> = {
  applicantStepPassed: 'document',
  additionalDocumentStepError: 'additionalDocument',
};

/**
 * The 32-byte key as vendors.md describes it: 64 hex chars = hex, 44 chars = base64, 32 chars = raw
 * UTF-8, unless the connection names the encoding.
 */
function cryptoKeyBytes(key: string, encoding: unknown): Buffer {
  const form = encoding === 'hex' || encoding === 'base64' || encoding === 'utf8' ? encoding : key.length === 64 ? 'hex' : key.length === 44 ? 'base64' : 'utf8';
  const bytes = Buffer.from(key, form);
  if (bytes.length !== 32) throw new Error('allpass simulator: secrets.cryptoKey must decode to 32 bytes');
  return bytes;
}

/**
 * Builds requests as Allpass sends them, from its documented format with node:crypto alone (it
 * shares no code with the adapter's decryption): the JSON envelope around `data` = IV + ciphertext
 * (hex, the vendor's code, unless the connection says base64). CBC: AES-256-CBC with PKCS#7 and,
 * with an HMAC key, the hex HMAC-SHA256 of the `data` string in `x-allpass-signature`. GCM: the
 * 16-byte tag in that header, or after the ciphertext when the connection reads it from `data`.
 */
export const allpassSimulator: ProviderSimulator = {
  eventTypes: ALLPASS_EVENT_TYPES,
  sampleEventType: 'applicantApproved',

  generateSecrets: () => ({ cryptoKey: randomBytes(32).toString('hex') }),

  build(eventType: string, credentials: ConnectionCredentials, options: SimulateOptions = {}): SimulatedRequest {
    const settings = credentials.options;
    const cryptoKey = credentials.secrets.cryptoKey;
    if (!cryptoKey) throw new Error('allpass simulator: secrets.cryptoKey is required');
    const key = cryptoKeyBytes(cryptoKey, settings.keyEncoding);
    const dataEncoding = settings.dataEncoding === 'base64' ? 'base64' : 'hex';
    const now = options.now ?? new Date();
    // Random ids make every call a distinct event (distinct payload digest).
    const payload: Record<string, unknown> = {
      type: eventType,
      id: randomUUID(),
      externalUserId: `user-${randomBytes(6).toString('hex')}`,
      appKey: randomUUID(),
      warnings: [],
      ...(STEP_NAMES[eventType] ? { stepName: STEP_NAMES[eventType] } : {}),
      createdAt: now.toISOString(),
      ...options.payload,
    };
    const plaintext = Buffer.from(JSON.stringify(payload), 'utf8');
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    let data: string;
    if (settings.encryptionMethod === 'aes-256-cbc') {
      const iv = randomBytes(16);
      const cipher = createCipheriv('aes-256-cbc', key, iv); // PKCS#7 padding is node's default
      data = Buffer.concat([iv, cipher.update(plaintext), cipher.final()]).toString(dataEncoding);
      const hmacKey = credentials.secrets.hmacKey;
      if (hmacKey) headers['x-allpass-signature'] = createHmac('sha256', hmacKey).update(data, 'utf8').digest('hex');
    } else {
      const iv = randomBytes(settings.gcmIvBytes === 16 ? 16 : 12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const sealed = Buffer.concat([iv, cipher.update(plaintext), cipher.final()]);
      const tag = cipher.getAuthTag();
      if (settings.gcmTagSource === 'data') {
        data = Buffer.concat([sealed, tag]).toString(dataEncoding);
      } else {
        data = sealed.toString(dataEncoding);
        headers['x-allpass-signature'] = tag.toString('hex');
      }
    }
    Object.assign(headers, customHeaders(settings));
    const body = JSON.stringify({ status: true, statusCode: 200, data, time: now.toISOString() });
    return { headers, body };
  },
};
