import { inboundWebhook, TEST_EVENT_ID_DIGEST } from '@kyc/testing';
import { canonicalJson, hmacSha256, sha256Hex, WebhookRejection } from '@kyc/core';
import { ConnectionConfigError, type ConnectionCredentials, type InboundWebhook } from '../provider.interface';
import { verifikProvider } from './index';
import { VERIFIK_EVENT_TYPES } from './verifik.simulator';

const SECRET = 'whsec_test_verifik';
const credentials = (secret = SECRET, options: Record<string, unknown> = {}): ConnectionCredentials => ({
  secrets: { webhookSecret: secret },
  options,
});

const inbound = (body: string, headers: Record<string, string | undefined>): InboundWebhook => inboundWebhook(body, headers);

const sign = (body: string, secret = SECRET): string => hmacSha256(secret, body).toString('hex');
const signed = (body: string, secret = SECRET): InboundWebhook => inbound(body, { 'x-verifik-signature': `sha256=${sign(body, secret)}` });

function refusal(webhook: InboundWebhook, creds = credentials()): { reason: string; status: number } {
  try {
    verifikProvider.authenticate(webhook, creds);
  } catch (error) {
    if (!(error instanceof WebhookRejection)) throw error;
    return { reason: error.reason, status: error.status };
  }
  throw new Error('expected a refusal');
}

const shapeA = (type: string, data: Record<string, unknown> = {}) => ({
  id: 'evt_1',
  type,
  data: { verificationId: 'ver_1', userId: 'user_1', projectId: 'proj_1', status: 'completed', timestamp: '2024-05-01T10:00:00Z', metadata: { name: 'Jane' }, ...data },
});
const shapeB = (type: string, object: Record<string, unknown> = {}) => ({
  type,
  object: { _id: 'reg_1', client: 'cli_1', externalId: 'user_1', status: 'ONGOING', email: 'jane@example.com', ...object },
});
const normalize = (body: Record<string, unknown>) =>
  verifikProvider.normalize({ providerEventId: 'x', providerEventType: String(body.type), payload: body });

describe('verifik signature', () => {
  const body = JSON.stringify(shapeA('verification.completed'));

  it.each([
    ['with the sha256= prefix', `sha256=${sign(body)}`],
    ['without a prefix', sign(body)],
    ['in upper case', `sha256=${sign(body).toUpperCase()}`],
    ['with an upper-case prefix', `SHA256=${sign(body)}`],
  ])('accepts a signature %s', (_name, signature) => {
    const decoded = verifikProvider.authenticate(inbound(body, { 'x-verifik-signature': signature }), credentials());
    expect(decoded).toEqual({ providerEventId: 'evt_1', providerEventType: 'verification.completed', payload: JSON.parse(body) });
  });

  it('refuses a tampered body, a wrong secret and a missing header with 401', () => {
    expect(refusal(inbound(body.replace('ver_1', 'ver_2'), { 'x-verifik-signature': sign(body) }))).toEqual({ reason: 'invalid_signature', status: 401 });
    expect(refusal(signed(body, 'whsec_other'))).toEqual({ reason: 'invalid_signature', status: 401 });
    expect(refusal(inbound(body, {}))).toEqual({ reason: 'missing_signature', status: 401 });
  });

  it.each(['', 'sha256=', 'sha256=abc', 'z'.repeat(64), `sha256=${'a'.repeat(63)}`, `sha256=${'a'.repeat(66)}`, `sha1=${'a'.repeat(64)}`, `v1,${'a'.repeat(64)}`])(
    'refuses the malformed signature %j with 401 and no RangeError',
    (signature) => {
      expect(refusal(inbound(body, { 'x-verifik-signature': signature })).status).toBe(401);
    },
  );

  it.each([
    ['an array', '[]'],
    ['no type', JSON.stringify({ id: 'evt_1', data: {} })],
    ['neither data nor object', JSON.stringify({ id: 'evt_1', type: 'verification.started' })],
    ['data that is not an object', JSON.stringify({ type: 'verification.started', data: 'x' })],
    ['object that is an array', JSON.stringify({ type: 'onboarding_completed', object: [] })],
  ])('answers 400 to a correctly signed body with %s', (_name, payload) => {
    expect(refusal(signed(payload))).toEqual({ reason: 'malformed', status: 400 });
  });

  it('details never contain the secret or payload values', () => {
    for (const webhook of [signed('{"name":"Jane"}'), inbound(body, { 'x-verifik-signature': 'nope' }), signed(body, 'whsec_other')]) {
      try {
        verifikProvider.authenticate(webhook, credentials());
      } catch (error) {
        expect((error as Error).message).not.toMatch(/Jane|whsec|ver_1/);
      }
    }
  });
});

describe('verifik dedup key', () => {
  it('is the event id for shape A', () => {
    expect(verifikProvider.authenticate(signed(JSON.stringify(shapeA('verification.started'))), credentials()).providerEventId).toBe('evt_1');
  });

  it('is a keyed digest of the payload for shape B (never a plain hash), stable across key order and redeliveries', () => {
    const one = '{"type":"onboarding_completed","object":{"_id":"reg_1","status":"COMPLETED"}}';
    const two = '{"object":{"status":"COMPLETED","_id":"reg_1"},"type":"onboarding_completed"}';
    const first = verifikProvider.authenticate(signed(one), credentials()).providerEventId;
    expect(first).toBe(TEST_EVENT_ID_DIGEST(JSON.parse(one)));
    expect(first).not.toContain(sha256Hex(canonicalJson(JSON.parse(one))));
    expect(verifikProvider.authenticate(signed(two), credentials()).providerEventId).toBe(first);
    expect(verifikProvider.authenticate(signed(one.replace('reg_1', 'reg_2')), credentials()).providerEventId).not.toBe(first);
  });
});

describe('verifik adapter surface', () => {
  it('recognizes requests by the X-Verifik-Signature header', () => {
    expect(verifikProvider.recognizes(inbound('{}', { 'x-verifik-signature': 'x' }))).toBe(true);
    expect(verifikProvider.recognizes(inbound('{}', { 'complycube-signature': 'x' }))).toBe(false);
  });

  it('parses options: requiredHeaders only, default {}', () => {
    expect(verifikProvider.parseOptions({})).toEqual({ requiredHeaders: {} });
    expect(verifikProvider.parseOptions({ requiredHeaders: { 'x-token': 't' } })).toEqual({ requiredHeaders: { 'x-token': 't' } });
    expect(() => verifikProvider.parseOptions({ prefix: 'sha256=' })).toThrow(ConnectionConfigError);
    expect(() => verifikProvider.parseOptions({ requiredHeaders: 'x' })).toThrow(ConnectionConfigError);
    expect(() => verifikProvider.parseOptions({ requiredHeaders: { 'x-token': '' } })).toThrow(ConnectionConfigError);
  });

  it('checks the webhook secret', () => {
    expect(() => verifikProvider.checkSecrets({ webhookSecret: 'whsec_x' }, {})).not.toThrow();
    expect(() => verifikProvider.checkSecrets({ webhookSecret: '' }, {})).toThrow(ConnectionConfigError);
  });
});

describe('verifik mapping, shape A', () => {
  it.each([
    ['verification.started', 'verification.started', 'started', {}],
    ['verification.completed', 'verification.approved', 'approved', {}],
    ['verification.failed', 'verification.rejected', 'rejected', {}],
    ['verification.expired', 'verification.expired', 'expired', {}],
    ['document.uploaded', 'verification.step_completed', null, { step: 'document' }],
    ['biometric.captured', 'verification.step_completed', null, { step: 'biometric' }],
  ])('%s -> %s / %s', (vendorType, type, status, details) => {
    expect(normalize(shapeA(vendorType))).toEqual({
      type,
      status,
      subject: { verificationId: 'ver_1', externalUserId: 'user_1' },
      details: { ...details, projectId: 'proj_1', status: 'completed' },
      occurredAt: '2024-05-01T10:00:00.000Z',
    });
  });

  it.each([
    [1714557600, '2024-05-01T10:00:00.000Z'],
    [1714557600000, '2024-05-01T10:00:00.000Z'],
    ['1714557600', '2024-05-01T10:00:00.000Z'],
    ['not a date', undefined],
    [null, undefined],
  ])('reads timestamp %j as occurredAt %s', (timestamp, occurredAt) => {
    expect(normalize(shapeA('verification.started', { timestamp })).occurredAt).toBe(occurredAt);
  });

  it('maps an unknown type to verifik.<type>', () => {
    expect(normalize(shapeA('verification.paused'))).toMatchObject({ type: 'verifik.verification.paused', status: null });
    expect(normalize(shapeA('constructor'))).toMatchObject({ type: 'verifik.constructor', status: null });
  });
});

describe('verifik mapping, shape B', () => {
  it.each([
    ['onboarding_app_registration_created', 'verification.created', 'created', { flow: 'onboarding' }],
    ['app_registration_created', 'verification.created', 'created', {}],
    ['onboarding_completed_without_kyc', 'verification.completed', 'completed', { flow: 'onboarding' }],
    ['onboarding_app_registration_completed_without_kyc', 'verification.completed', 'completed', { flow: 'onboarding' }],
    ['onboarding_needs_manual_verification', 'verification.review', 'review', { flow: 'onboarding' }],
    ['onboarding_app_registration_needs_manual_verification', 'verification.review', 'review', { flow: 'onboarding' }],
    ['onboarding_sync_document', 'verification.step_completed', null, { flow: 'onboarding', step: 'document' }],
    ['onboarding_app_registration_sync_sign_up_form', 'verification.step_completed', null, { flow: 'onboarding', step: 'sign_up_form' }],
    ['onboarding_completed', 'verification.approved', 'approved', { flow: 'onboarding' }],
    ['onboarding_app_registration_completed', 'verification.approved', 'approved', { flow: 'onboarding' }],
    ['app_registration_completed', 'verification.approved', 'approved', {}],
    ['kyc_flow_completed', 'verification.approved', 'approved', { flow: 'kyc_flow' }],
    ['onboarding_failed', 'verification.rejected', 'rejected', { flow: 'onboarding' }],
    ['onboarding_app_registration_failed', 'verification.rejected', 'rejected', { flow: 'onboarding' }],
    // Validation events are steps, whatever their stage says: checked before `_completed` / `_failed`.
    ['email_validation_completed', 'verification.step_completed', null, { step: 'email', stage: 'completed' }],
    ['onboarding_email_validation_validated', 'verification.step_completed', null, { flow: 'onboarding', step: 'email', stage: 'validated' }],
    ['phone_validation_otp_incorect', 'verification.step_completed', null, { step: 'phone', stage: 'otp_incorect' }],
    ['document_validation_created', 'verification.step_completed', null, { step: 'document', stage: 'created' }],
    ['onboarding_biometric_validation_failed', 'verification.step_completed', null, { flow: 'onboarding', step: 'biometric', stage: 'failed' }],
    ['information_validation_background_check', 'verification.step_completed', null, { step: 'information', stage: 'background_check' }],
    ['face_verification_compare', 'verification.step_completed', null, { step: 'face', stage: 'compare' }],
    ['onboarding_face_verification_compare', 'verification.step_completed', null, { flow: 'onboarding', step: 'face', stage: 'compare' }],
  ])('%s -> %s / %s', (vendorType, type, status, details) => {
    expect(normalize(shapeB(vendorType))).toEqual({
      type,
      status,
      subject: { verificationId: 'reg_1', externalUserId: 'user_1', applicantId: 'cli_1' },
      details: { ...details, status: 'ONGOING' },
      occurredAt: undefined,
    });
  });

  it.each(['completed', 'failed', 'sync_document', 'onboarding_created', 'onboarding_app_registration_ongoing', 'biometrics_liveness_score_not_acceptable', 'onboarding_'])(
    'maps %s to verifik.<type> with status null',
    (vendorType) => {
      expect(normalize(shapeB(vendorType))).toMatchObject({ type: `verifik.${vendorType}`, status: null });
    },
  );

  it('takes the subject from id / userId / clientId too, strings only, and no personal data', () => {
    const normalized = normalize({ type: 'onboarding_completed', object: { id: 'reg_9', userId: 'u_9', clientId: 'c_9', client: { name: 'Acme' }, email: 'jane@example.com' } });
    expect(normalized.subject).toEqual({ verificationId: 'reg_9', externalUserId: 'u_9', applicantId: 'c_9' });
    expect(JSON.stringify(normalized)).not.toMatch(/jane|Acme/);
  });
});

describe('verifik simulator', () => {
  it('lists the shape-A types and the documented shape-B examples', () => {
    expect(VERIFIK_EVENT_TYPES).toEqual(
      expect.arrayContaining([
        'verification.started', 'verification.completed', 'verification.failed', 'verification.expired', 'document.uploaded', 'biometric.captured',
        'onboarding_app_registration_created', 'onboarding_completed', 'onboarding_failed', 'onboarding_needs_manual_verification',
        'onboarding_completed_without_kyc', 'onboarding_sync_document', 'email_validation_completed', 'face_verification_compare',
      ]),
    );
  });

  it.each(VERIFIK_EVENT_TYPES.map((t) => [t]))('round-trips %s', (type) => {
    const creds = credentials(SECRET, { requiredHeaders: { authorization: 'Bearer t' } });
    const first = verifikProvider.simulator.build(type, creds);
    const second = verifikProvider.simulator.build(type, creds);
    expect(first.headers).toMatchObject({ 'content-type': 'application/json', authorization: 'Bearer t' });
    expect(first.headers['x-verifik-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    const webhook = inbound(first.body, first.headers);
    expect(verifikProvider.recognizes(webhook)).toBe(true);
    const decoded = verifikProvider.authenticate(webhook, creds);
    expect(decoded.providerEventType).toBe(type);
    expect(decoded.payload).toHaveProperty(type.includes('.') ? 'data' : 'object');
    expect(decoded.providerEventId).not.toBe(verifikProvider.authenticate(inbound(second.body, second.headers), creds).providerEventId);
    const normalized = verifikProvider.normalize(decoded);
    expect(normalized.type.startsWith('verifik.')).toBe(false);
    expect(normalized.subject.verificationId).toEqual(expect.any(String));
    expect(JSON.stringify(normalized)).not.toMatch(/jane|example\.com/i);
  });

  it('honours now and payload', () => {
    const now = new Date('2024-01-02T03:04:05.000Z');
    const a = JSON.parse(verifikProvider.simulator.build('verification.started', credentials(), { now, payload: { userId: 'fixed' } }).body) as { data: { timestamp: string; userId: string } };
    expect(a.data).toMatchObject({ timestamp: now.toISOString(), userId: 'fixed' });
    const b = JSON.parse(verifikProvider.simulator.build('onboarding_completed', credentials(), { payload: { externalId: 'fixed' } }).body) as { object: { externalId: string; status: string } };
    expect(b.object).toMatchObject({ externalId: 'fixed', status: 'COMPLETED' });
  });
});
