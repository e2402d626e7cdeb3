import { randomBytes } from 'node:crypto';
import { hmacSha256 } from '@kyc/core';
import type { ConnectionCredentials, ProviderSimulator, SimulatedRequest, SimulateOptions } from '../provider.interface';
import { requiredHeaderValues } from '../required-headers';
import { classifyVerifikType, VERIFIK_SHAPE_A_TYPES } from './verifik.mapping';
import { signatureKeyOf } from './verifik.options';
import { decodeWhsecSecret } from './verifik.signature';

export const VERIFIK_SIGNATURE_HEADER = 'x-verifik-signature';

/** A few shape-B examples of the documented suffixes (any other `<flow>_<suffix>` builds too). */
export const VERIFIK_SHAPE_B_EXAMPLES: readonly string[] = [
  'onboarding_app_registration_created',
  'onboarding_sync_document',
  'onboarding_app_registration_sync_sign_up_form',
  'onboarding_email_validation_completed',
  'email_validation_completed',
  'onboarding_phone_validation_validated',
  'onboarding_document_validation_created',
  'onboarding_biometric_validation_validated',
  'onboarding_information_validation_background_check',
  'face_verification_compare',
  'onboarding_needs_manual_verification',
  'onboarding_completed_without_kyc',
  'onboarding_completed',
  'onboarding_app_registration_completed',
  'onboarding_failed',
];

export const VERIFIK_EVENT_TYPES: readonly string[] = [...VERIFIK_SHAPE_A_TYPES, ...VERIFIK_SHAPE_B_EXAMPLES];

const hex = (bytes: number): string => randomBytes(bytes).toString('hex');

/** Shape A types are dotted (`verification.completed`); shape B types are `<flow>_<suffix>`. */
const isShapeA = (type: string): boolean => type.includes('.');

const SHAPE_A_STATUS: ReadonlyMap<string, string> = new Map([
  ['verification.completed', 'completed'],
  ['verification.failed', 'failed'],
  ['verification.expired', 'expired'],
]);

/** The registration status (upper case, as Verifik's entities show it) after a shape-B event. */
const SHAPE_B_STATUS: Readonly<Partial<Record<string, string>>> = {
  approved: 'COMPLETED',
  completed: 'COMPLETED',
  rejected: 'FAILED',
  review: 'NEEDS_MANUAL_VERIFICATION',
};
const shapeBStatus = (type: string): string => SHAPE_B_STATUS[classifyVerifikType(type).status ?? ''] ?? 'ONGOING';

export const verifikSimulator: ProviderSimulator = {
  eventTypes: VERIFIK_EVENT_TYPES,

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
    const secret = credentials.secrets.webhookSecret ?? '';
    // The key the connection's `signatureKey` implies (`auto` accepts the UTF-8 one).
    const key = (signatureKeyOf(credentials.options) === 'whsec' ? decodeWhsecSecret(secret) : null) ?? secret;
    const signature = hmacSha256(key, body).toString('hex');
    return {
      headers: {
        'content-type': 'application/json',
        [VERIFIK_SIGNATURE_HEADER]: `sha256=${signature}`,
        ...requiredHeaderValues(credentials.options),
      },
      body,
    };
  },
};
