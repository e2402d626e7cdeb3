import { createHmac, randomBytes } from 'node:crypto';
import type { ConnectionCredentials, ProviderSimulator, SimulatedRequest, SimulateOptions } from '../provider.interface';
import { VERIFIK_EVENT_TYPES } from './verifik.mapping';
import { customHeaders } from '../simulator-headers';

const hex = (bytes: number): string => randomBytes(bytes).toString('hex');

/** Shape A types are dotted (`verification.completed`); shape B types are `<flow>_<suffix>`. */
const isShapeA = (type: string): boolean => type.includes('.');

const SHAPE_A_STATUS: ReadonlyMap<string, string> = new Map([
  ['verification.completed', 'completed'],
  ['verification.failed', 'failed'],
  ['verification.expired', 'expired'],
]);

/**
 * The registration status (upper case, as Verifik's entities show it) after a shape-B event, read
 * from the suffix here rather than from the adapter's mapping: the simulator must not share its logic.
 */
function shapeBStatus(type: string): string {
  if (/_validation_|face_verification_|_sync_/.test(type)) return 'ONGOING';
  if (type.endsWith('_needs_manual_verification')) return 'NEEDS_MANUAL_VERIFICATION';
  if (type.endsWith('_completed_without_kyc') || type.endsWith('_completed')) return 'COMPLETED';
  if (type.endsWith('_failed')) return 'FAILED';
  return 'ONGOING';
}

/**
 * The HMAC key as the connection's `signatureKey` says: the Standard Webhooks decoding (base64
 * after `whsec_`) under `whsec`, else the secret's UTF-8 bytes (which `auto` accepts).
 */
function signingKey(secret: string, options: Readonly<Record<string, unknown>>): Buffer {
  if (options.signatureKey === 'whsec' && secret.startsWith('whsec_')) return Buffer.from(secret.slice('whsec_'.length), 'base64');
  return Buffer.from(secret, 'utf8');
}

/**
 * Builds requests from the vendor's documented format with node:crypto alone (`X-Verifik-Signature:
 * sha256=<hex HMAC-SHA256 of the raw body>`): it shares no signing code with the adapter.
 */
export const verifikSimulator: ProviderSimulator = {
  eventTypes: VERIFIK_EVENT_TYPES,
  sampleEventType: 'verification.completed',

  generateSecrets: () => ({ webhookSecret: `whsec_${randomBytes(24).toString('base64')}` }),
  /** `options.payload` merges over `data` (shape A) or `object` (shape B). */
  build(eventType: string, credentials: ConnectionCredentials, options: SimulateOptions = {}): SimulatedRequest {
    const now = (options.now ?? new Date()).toISOString();
    const event = isShapeA(eventType)
      ? {
          id: `evt_${hex(12)}`,
          type: eventType,
          data: {
            verificationId: `ver_${hex(12)}`,
            userId: `user_${hex(6)}`,
            projectId: `proj_${hex(6)}`,
            status: SHAPE_A_STATUS.get(eventType) ?? 'in_progress',
            timestamp: now,
            metadata: { source: 'simulator' },
            ...options.payload,
          },
        }
      : {
          type: eventType,
          object: {
            _id: hex(12),
            client: hex(12),
            project: hex(12),
            projectFlow: hex(12),
            externalId: `user_${hex(6)}`,
            status: shapeBStatus(eventType),
            // Fake personal data, as entity snapshots carry it; the mapping must not copy it.
            email: 'jane.doe@example.com',
            createdAt: now,
            updatedAt: now,
            ...options.payload,
          },
        };
    const body = JSON.stringify(event);
    return { headers: verifikSimulator.signBody!(body, credentials), body };
  },

  signBody(body: string, credentials: ConnectionCredentials): Record<string, string> {
    const signature = createHmac('sha256', signingKey(credentials.secrets.webhookSecret ?? '', credentials.options))
      .update(body, 'utf8')
      .digest('hex');
    return { 'content-type': 'application/json', 'x-verifik-signature': `sha256=${signature}`, ...customHeaders(credentials.options) };
  },
};
