import { randomBytes, randomUUID } from 'node:crypto';
import type { ConnectionCredentials, ProviderSimulator, SimulatedRequest, SimulateOptions } from '../provider.interface';
import { ALLPASS_SIGNATURE_HEADER, cbcHmacHex, checkCryptoKey, encodeData, encryptCbc, encryptGcm } from './allpass.crypto';
import { ALLPASS_EVENT_TYPES } from './allpass.mapping';
import { parseAllpassOptions } from './allpass.options';

const STEP_NAMES: Readonly<Record<string, string>> = {
  applicantStepPassed: 'document',
  additionalDocumentStepError: 'additionalDocument',
};

/** Builds requests as Allpass sends them: the JSON envelope around encrypted `data`. */
export const allpassSimulator: ProviderSimulator = {
  eventTypes: ALLPASS_EVENT_TYPES,

  generateSecrets: () => ({ cryptoKey: randomBytes(32).toString('hex') }),
  build(eventType: string, credentials: ConnectionCredentials, options: SimulateOptions = {}): SimulatedRequest {
    const opts = parseAllpassOptions(credentials.options);
    const cryptoKey = credentials.secrets.cryptoKey;
    if (!cryptoKey) throw new Error('allpass simulator: secrets.cryptoKey is required');
    const key = checkCryptoKey(cryptoKey, opts.keyEncoding);
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
    if (opts.encryptionMethod === 'aes-256-gcm') {
      const sealed = encryptGcm(key, plaintext, opts.gcmIvBytes);
      if (opts.gcmTagSource === 'data') {
        data = encodeData(Buffer.concat([sealed.data, sealed.tag]), opts.dataEncoding);
      } else {
        data = encodeData(sealed.data, opts.dataEncoding);
        headers[ALLPASS_SIGNATURE_HEADER] = sealed.tag.toString('hex');
      }
    } else {
      data = encodeData(encryptCbc(key, plaintext), opts.dataEncoding);
      const hmacKey = credentials.secrets.hmacKey;
      if (hmacKey) headers[ALLPASS_SIGNATURE_HEADER] = cbcHmacHex(hmacKey, data);
    }
    Object.assign(headers, opts.requiredHeaders);

    const body = JSON.stringify({ status: true, statusCode: 200, data, time: now.toISOString() });
    return { headers, body };
  },
};
