import { DEFAULT_ALERT_OPTIONS } from '../alert-options';
import { createHmac } from 'node:crypto';
import { authenticateWith, inboundWebhook, recognizes, refusalOf, TEST_EVENT_ID_DIGEST } from '@kyc/testing';
import { canonicalJson, hmacSha256, sha256Hex } from '@kyc/core';
import { ConnectionConfigError, type ConnectionCredentials, type InboundWebhook } from '../provider.interface';
import { verifikProvider } from './index';
import { VERIFIK_EVENT_TYPES } from './verifik.mapping';

const SECRET = 'whsec_test_verifik';
const credentials = (secret = SECRET, options: Record<string, unknown> = {}): ConnectionCredentials => ({
  secrets: { webhookSecret: secret },
  options,
});

const inbound = (body: string, headers: Record<string, string | undefined>): InboundWebhook => inboundWebhook(body, headers);

const sign = (body: string, secret = SECRET): string => hmacSha256(secret, body).toString('hex');
const signed = (body: string, secret = SECRET): InboundWebhook => inbound(body, { 'x-verifik-signature': `sha256=${sign(body, secret)}` });

function refusal(webhook: InboundWebhook, creds = credentials()): { reason: string; status: number } {
  const { reason, status } = refusalOf(verifikProvider, webhook, creds);
  return { reason, status };
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
const normalize = (body: Record<string, unknown>) => verifikProvider.normalize({ providerEventId: 'x', providerEventType: String(body.type), payload: body });

describe('verifik signature', () => {
  const body = JSON.stringify(shapeA('verification.completed'));

  it.each([
    ['with the sha256= prefix', `sha256=${sign(body)}`],
    ['without a prefix', sign(body)],
    ['in upper case', `sha256=${sign(body).toUpperCase()}`],
    ['with an upper-case prefix', `SHA256=${sign(body)}`],
  ])('accepts a signature %s', (_name, signature) => {
    const decoded = authenticateWith(verifikProvider, inbound(body, { 'x-verifik-signature': signature }), credentials());
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
        authenticateWith(verifikProvider, webhook, credentials());
      } catch (error) {
        expect((error as Error).message).not.toMatch(/Jane|whsec|ver_1/);
      }
    }
  });
});

/**
 * `signatureKey` and the digest forms. Requests are signed here with node:crypto directly, never
 * through the adapter's or the simulator's code, so a shared mistake cannot pass unnoticed.
 */
describe('verifik signature key and digest forms', () => {
  const body = JSON.stringify(shapeA('verification.completed'));
  const expected = { providerEventId: 'evt_1', providerEventType: 'verification.completed', payload: JSON.parse(body) };
  const UTF8_SECRET = 'vk_live_0123456789abcdef';
  const WHSEC_KEY = Buffer.from(Array.from({ length: 32 }, (_, i) => (i * 37 + 11) % 256));
  const WHSEC_SECRET = `whsec_${WHSEC_KEY.toString('base64')}`;
  const mac = (key: string | Buffer): Buffer => createHmac('sha256', key).update(body).digest();
  const forms = (digest: Buffer): Array<[string, string]> => [
    ['hex', digest.toString('hex')],
    ['upper-case hex', digest.toString('hex').toUpperCase()],
    ['base64', digest.toString('base64')],
    ['url-safe base64', `${digest.toString('base64url')}=`],
  ];
  const withPrefixes = (digest: Buffer): Array<[string, string]> =>
    forms(digest).flatMap(([name, value]): Array<[string, string]> => [
      [`${name} without a prefix`, value],
      [`${name} with sha256=`, `sha256=${value}`],
      [`${name} with SHA256=`, `SHA256=${value}`],
    ]);
  const request = (signature: string) => inbound(body, { 'x-verifik-signature': signature });
  const creds = (secret: string, signatureKey?: string) => credentials(secret, signatureKey === undefined ? {} : { signatureKey });

  it('test vectors: the base64 digests really are 44 characters and differ from hex by form', () => {
    const digest = mac(UTF8_SECRET);
    expect(digest.toString('base64')).toHaveLength(44);
    expect(`${digest.toString('base64url')}=`).toHaveLength(44);
    expect(WHSEC_SECRET).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
  });

  it.each(['auto', 'utf8', undefined])('a UTF-8 key (signatureKey %s): accepts hex and base64 digests, with or without sha256=', (mode) => {
    for (const [name, signature] of withPrefixes(mac(UTF8_SECRET))) {
      expect([name, authenticateWith(verifikProvider, request(signature), creds(UTF8_SECRET, mode))]).toEqual([name, expected]);
    }
  });

  it('a whsec_ secret: the decoded key is accepted under auto and whsec, refused under utf8', () => {
    for (const [name, signature] of withPrefixes(mac(WHSEC_KEY))) {
      expect([name, authenticateWith(verifikProvider, request(signature), creds(WHSEC_SECRET))]).toEqual([name, expected]);
      expect([name, authenticateWith(verifikProvider, request(signature), creds(WHSEC_SECRET, 'auto'))]).toEqual([name, expected]);
      expect([name, authenticateWith(verifikProvider, request(signature), creds(WHSEC_SECRET, 'whsec'))]).toEqual([name, expected]);
      expect([name, refusal(request(signature), creds(WHSEC_SECRET, 'utf8'))]).toEqual([name, { reason: 'invalid_signature', status: 401 }]);
    }
  });

  it('a whsec_ secret: its UTF-8 bytes are accepted under auto and utf8, refused under whsec', () => {
    for (const [name, signature] of withPrefixes(mac(WHSEC_SECRET))) {
      expect([name, authenticateWith(verifikProvider, request(signature), creds(WHSEC_SECRET, 'auto'))]).toEqual([name, expected]);
      expect([name, authenticateWith(verifikProvider, request(signature), creds(WHSEC_SECRET, 'utf8'))]).toEqual([name, expected]);
      expect([name, refusal(request(signature), creds(WHSEC_SECRET, 'whsec'))]).toEqual([name, { reason: 'invalid_signature', status: 401 }]);
    }
  });

  it('a whsec_ secret that is not base64 after the prefix: only its UTF-8 bytes under auto, nothing under whsec (401, no throw)', () => {
    const secret = 'whsec_not*base64!';
    const signature = mac(secret).toString('base64');
    expect(authenticateWith(verifikProvider, request(signature), creds(secret, 'auto'))).toEqual(expected);
    expect(refusal(request(signature), creds(secret, 'whsec'))).toEqual({ reason: 'invalid_signature', status: 401 });
    expect(refusal(request(mac(UTF8_SECRET).toString('hex')), creds(UTF8_SECRET, 'whsec'))).toEqual({ reason: 'invalid_signature', status: 401 });
  });

  describe.each([
    ['utf8', UTF8_SECRET, mac(UTF8_SECRET)],
    ['auto', WHSEC_SECRET, mac(WHSEC_KEY)],
    ['whsec', WHSEC_SECRET, mac(WHSEC_KEY)],
  ])('under %s, beside an accepted base64 digest', (mode, secret, digest) => {
    const good = digest.toString('base64');
    const goodUrl = `${digest.toString('base64url')}=`;
    const hex = digest.toString('hex');
    const flipped = Buffer.from(digest);
    flipped[0] ^= 1;
    // The last base64 character carries 2 unused bits: a variant with them set decodes to the same bytes.
    const last = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.indexOf(good[42]);
    const nonCanonical = `${good.slice(0, 42)}${'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'[last ^ 1]}=`;
    const cases: Array<[string, string, 'invalid_signature' | 'missing_signature']> = [
      ['a wrong hex signature', flipped.toString('hex'), 'invalid_signature'],
      ['a wrong base64 signature', flipped.toString('base64'), 'invalid_signature'],
      ['the signature of another key', mac('another-secret').toString('base64'), 'invalid_signature'],
      ['base64 without its padding', good.slice(0, 43), 'invalid_signature'],
      ['url-safe base64 without its padding', goodUrl.slice(0, 43), 'invalid_signature'],
      ['base64 truncated', good.slice(0, 40), 'invalid_signature'],
      ['base64 with one character more', `${good.slice(0, 43)}A=`, 'invalid_signature'],
      ['base64 with two paddings', `${good.slice(0, 42)}==`, 'invalid_signature'],
      ['base64 with stray bits in the last character', nonCanonical, 'invalid_signature'],
      ['base64 mixing both alphabets', `+_${good.slice(2)}`, 'invalid_signature'],
      ['hex truncated to an odd length', hex.slice(0, 63), 'invalid_signature'],
      ['hex with a digit more', `${hex}0`, 'invalid_signature'],
      ['hex with two digits less', hex.slice(0, 62), 'invalid_signature'],
      ['hex of the right length with a non-hex digit', `${hex.slice(0, 63)}g`, 'invalid_signature'],
      ['64 characters of garbage', '%'.repeat(64), 'invalid_signature'],
      ['44 characters of garbage', '%'.repeat(43) + '=', 'invalid_signature'],
      ['an odd-length garbage', 'sha256=abc', 'invalid_signature'],
      ['a prefix alone', 'sha256=', 'invalid_signature'],
      ['a doubled prefix', `sha256=sha256=${hex}`, 'invalid_signature'],
      ['another scheme', `sha1=${hex}`, 'invalid_signature'],
      ['an empty header', '', 'missing_signature'],
      ['a blank header', '   ', 'missing_signature'],
    ];

    it('refuses every malformed or wrong signature with 401 and never throws anything else', () => {
      expect(nonCanonical).not.toBe(good);
      expect(Buffer.from(nonCanonical, 'base64')).toEqual(digest);
      expect(authenticateWith(verifikProvider, request(good), creds(secret, mode))).toEqual(expected);
      expect(authenticateWith(verifikProvider, request(goodUrl), creds(secret, mode))).toEqual(expected);
      for (const [name, signature, reason] of cases) {
        expect([name, refusal(request(signature), creds(secret, mode))]).toEqual([name, { reason, status: 401 }]);
      }
      expect(refusal(inbound(body, {}), creds(secret, mode))).toEqual({ reason: 'missing_signature', status: 401 });
      expect(refusal(request(good), credentials('', { signatureKey: mode }))).toEqual({ reason: 'invalid_signature', status: 401 });
    });
  });

  it('parses signatureKey: auto by default, each allowed value kept, anything else refused naming signatureKey', () => {
    expect(verifikProvider.parseOptions({})).toEqual({ ...DEFAULT_ALERT_OPTIONS, requiredHeaders: {}, signatureKey: 'auto' });
    for (const value of ['auto', 'utf8', 'whsec'] as const) {
      const parsed = verifikProvider.parseOptions({ signatureKey: value });
      expect(parsed).toEqual({ ...DEFAULT_ALERT_OPTIONS, requiredHeaders: {}, signatureKey: value });
      expect(verifikProvider.parseOptions(parsed)).toEqual(parsed);
    }
    expect(verifikProvider.parseOptions({ signatureKey: null })).toEqual({ ...DEFAULT_ALERT_OPTIONS, requiredHeaders: {}, signatureKey: 'auto' });
    for (const value of ['base64', 'hex', 'AUTO', 'whsec_', '', 1, true, ['utf8'], { mode: 'utf8' }]) {
      let error: unknown;
      try {
        verifikProvider.parseOptions({ signatureKey: value });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ConnectionConfigError);
      expect(error).toMatchObject({ field: 'signatureKey', message: 'signatureKey: must be one of auto, utf8, whsec' });
    }
  });

  it('checkSecrets: under whsec the secret must be whsec_ and standard base64 (naming webhookSecret); auto and utf8 take any secret', () => {
    const check = (secret: string, signatureKey: string) => () => verifikProvider.checkSecrets({ webhookSecret: secret }, verifikProvider.parseOptions({ signatureKey }));
    for (const mode of ['auto', 'utf8', 'whsec']) expect(check(WHSEC_SECRET, mode)).not.toThrow();
    for (const secret of ['whsec_not*base64!', 'whsec_', 'whsec_abc', 'whsec_QUJD=', `whsec_${WHSEC_KEY.toString('base64url')}`, UTF8_SECRET, `WHSEC_${WHSEC_KEY.toString('base64')}`]) {
      expect(check(secret, 'auto')).not.toThrow();
      expect(check(secret, 'utf8')).not.toThrow();
      expect(check(secret, 'whsec')).toThrow(expect.objectContaining({ name: 'ConnectionConfigError', field: 'webhookSecret' }));
    }
    expect(check('', 'auto')).toThrow(expect.objectContaining({ field: 'webhookSecret' }));
  });

  it('details never contain the secret or the key', () => {
    for (const [webhook, mode] of [
      [request(mac(WHSEC_KEY).toString('base64')), 'utf8'],
      [request('%'.repeat(44)), 'whsec'],
      [request(mac('x').toString('hex')), 'auto'],
    ] as const) {
      try {
        authenticateWith(verifikProvider, webhook, creds(WHSEC_SECRET, mode));
      } catch (error) {
        expect((error as Error).message).not.toContain(WHSEC_KEY.toString('base64'));
        expect((error as Error).message).not.toMatch(/whsec_/);
      }
    }
  });

  it('the simulator signs with the key its signatureKey implies', () => {
    const secret = verifikProvider.simulator.generateSecrets().webhookSecret;
    const built = verifikProvider.simulator.build('verification.completed', creds(secret, 'whsec'));
    const webhook = inbound(built.body, built.headers);
    expect(authenticateWith(verifikProvider, webhook, creds(secret, 'whsec')).providerEventType).toBe('verification.completed');
    expect(authenticateWith(verifikProvider, webhook, creds(secret, 'auto')).providerEventType).toBe('verification.completed');
    expect(refusal(webhook, creds(secret, 'utf8'))).toEqual({ reason: 'invalid_signature', status: 401 });
  });
});

describe('verifik dedup key', () => {
  it('is the event id for shape A', () => {
    expect(authenticateWith(verifikProvider, signed(JSON.stringify(shapeA('verification.started'))), credentials()).providerEventId).toBe('evt_1');
  });

  it('is a keyed digest of the payload for shape B (never a plain hash), stable across key order and redeliveries', () => {
    const one = '{"type":"onboarding_completed","object":{"_id":"reg_1","status":"COMPLETED"}}';
    const two = '{"object":{"status":"COMPLETED","_id":"reg_1"},"type":"onboarding_completed"}';
    const first = authenticateWith(verifikProvider, signed(one), credentials()).providerEventId;
    expect(first).toBe(TEST_EVENT_ID_DIGEST(JSON.parse(one)));
    expect(first).not.toContain(sha256Hex(canonicalJson(JSON.parse(one))));
    expect(authenticateWith(verifikProvider, signed(two), credentials()).providerEventId).toBe(first);
    expect(authenticateWith(verifikProvider, signed(one.replace('reg_1', 'reg_2')), credentials()).providerEventId).not.toBe(first);
  });
});

describe('verifik adapter surface', () => {
  it('recognizes requests by the X-Verifik-Signature header', () => {
    expect(recognizes(verifikProvider, inbound('{}', { 'x-verifik-signature': 'x' }))).toBe(true);
    expect(recognizes(verifikProvider, inbound('{}', { 'complycube-signature': 'x' }))).toBe(false);
  });

  it('parses options: requiredHeaders (default {}) and signatureKey (default auto)', () => {
    expect(verifikProvider.parseOptions({})).toEqual({ ...DEFAULT_ALERT_OPTIONS, requiredHeaders: {}, signatureKey: 'auto' });
    expect(verifikProvider.parseOptions({ requiredHeaders: { 'x-token': 't' } })).toEqual({ ...DEFAULT_ALERT_OPTIONS, requiredHeaders: { 'x-token': 't' }, signatureKey: 'auto' });
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
    ['approved', 'approved'],
    ['Verified', 'approved'],
    ['failed', 'rejected'],
    ['REJECTED', 'rejected'],
    ['needs-manual-verification', 'review'],
    ['in review', 'review'],
    ['completed', 'approved'],
    ['something_new', 'approved'],
    [undefined, 'approved'],
  ])('verification.completed with data.status %j is the decision %s (a status naming a decision decides)', (status, decision) => {
    expect(normalize(shapeA('verification.completed', { status }))).toMatchObject({ type: `verification.${decision}`, status: decision });
  });

  it('a data.status never turns another type into a decision', () => {
    expect(normalize(shapeA('verification.failed', { status: 'approved' }))).toMatchObject({ type: 'verification.rejected', status: 'rejected' });
    expect(normalize(shapeA('verification.started', { status: 'approved' }))).toMatchObject({ type: 'verification.started', status: 'started' });
    expect(normalize(shapeA('document.uploaded', { status: 'rejected' }))).toMatchObject({ type: 'verification.step_completed', status: null });
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
    // A failed validation is a failed step, never a rejected verification.
    ['onboarding_biometric_validation_failed', 'verification.step_failed', null, { flow: 'onboarding', step: 'biometric', stage: 'failed' }],
    ['biometric_validation_liveness_failed', 'verification.step_failed', null, { step: 'biometric', stage: 'liveness_failed' }],
    ['email_validation_failed', 'verification.step_failed', null, { step: 'email', stage: 'failed' }],
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
        'verification.started',
        'verification.completed',
        'verification.failed',
        'verification.expired',
        'document.uploaded',
        'biometric.captured',
        'onboarding_app_registration_created',
        'onboarding_completed',
        'onboarding_failed',
        'onboarding_needs_manual_verification',
        'onboarding_completed_without_kyc',
        'onboarding_sync_document',
        'email_validation_completed',
        'face_verification_compare',
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
    expect(recognizes(verifikProvider, webhook)).toBe(true);
    const decoded = authenticateWith(verifikProvider, webhook, creds);
    expect(decoded.providerEventType).toBe(type);
    expect(decoded.payload).toHaveProperty(type.includes('.') ? 'data' : 'object');
    expect(decoded.providerEventId).not.toBe(authenticateWith(verifikProvider, inbound(second.body, second.headers), creds).providerEventId);
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
