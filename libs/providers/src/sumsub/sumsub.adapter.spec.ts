import { ALERT_OPTION_NAMES, DEFAULT_ALERT_OPTIONS } from '../alert-options';
import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { authenticateWith, inboundWebhook, recognizes, refusalOf, TEST_EVENT_ID_DIGEST } from '@kyc/testing';
import { canonicalJson, sha256Hex, WebhookRejection } from '@kyc/core';
import { ConnectionConfigError, type ConnectionCredentials, type InboundWebhook } from '../provider.interface';
import { sumsubProvider } from './index';
import { SUMSUB_EVENT_TYPES } from './sumsub.mapping';

const SECRET = 'sumsub_test_secret_key';
const credentials = (secret = SECRET, options: Record<string, unknown> = {}): ConnectionCredentials => ({
  secrets: { webhookSecret: secret },
  options,
});

const inbound = (body: string, headers: Record<string, string | undefined>): InboundWebhook => inboundWebhook(body, headers);

type Hash = 'sha1' | 'sha256' | 'sha512';
const ALG_NAME: Record<Hash, string> = { sha1: 'HMAC_SHA1_HEX', sha256: 'HMAC_SHA256_HEX', sha512: 'HMAC_SHA512_HEX' };
const sign = (body: string, hash: Hash = 'sha256', secret = SECRET): string => createHmac(hash, secret).update(body, 'utf8').digest('hex');
/** Signed as Sumsub does: the digest, and the algorithm's name (left out when `alg` is null). */
const signed = (body: string, hash: Hash = 'sha256', secret = SECRET, alg: string | null = ALG_NAME[hash]): InboundWebhook =>
  inbound(body, { 'x-payload-digest': sign(body, hash, secret), ...(alg === null ? {} : { 'x-payload-digest-alg': alg }) });

/** The reason authenticate refused with, failing the test on anything but a WebhookRejection. */
function refusal(webhook: InboundWebhook, creds = credentials()): { reason: string; status: number } {
  const { reason, status } = refusalOf(sumsubProvider, webhook, creds);
  return { reason, status };
}

const event = (type: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  applicantId: 'app_1',
  inspectionId: 'insp_1',
  applicantType: 'individual',
  correlationId: 'req-1',
  externalUserId: 'user_1',
  levelName: 'id-and-liveness',
  type,
  sandboxMode: false,
  reviewStatus: 'completed',
  createdAtMs: '2024-05-01 10:00:00.123',
  clientId: 'client_1',
  ...extra,
});
const normalize = (body: Record<string, unknown>) => sumsubProvider.normalize({ providerEventId: 'x', providerEventType: String(body.type), payload: body });

describe('sumsub signature', () => {
  const body = JSON.stringify(event('applicantReviewed', { reviewResult: { reviewAnswer: 'GREEN' } }));

  it.each<[Hash]>([['sha1'], ['sha256'], ['sha512']])('accepts a hex HMAC-%s named in X-Payload-Digest-Alg', (hash) => {
    expect(authenticateWith(sumsubProvider, signed(body, hash), credentials())).toEqual({
      providerEventId: 'req-1:applicantReviewed',
      providerEventType: 'applicantReviewed',
      payload: JSON.parse(body),
    });
  });

  it('reads a missing X-Payload-Digest-Alg as the legacy HMAC_SHA1_HEX', () => {
    expect(authenticateWith(sumsubProvider, signed(body, 'sha1', SECRET, null), credentials()).providerEventType).toBe('applicantReviewed');
    expect(refusal(signed(body, 'sha256', SECRET, null))).toEqual({ reason: 'invalid_signature', status: 401 });
    // An empty header is no header.
    expect(authenticateWith(sumsubProvider, signed(body, 'sha1', SECRET, ' '), credentials()).providerEventType).toBe('applicantReviewed');
  });

  it('accepts upper-case hex', () => {
    expect(authenticateWith(sumsubProvider, inbound(body, { 'x-payload-digest': sign(body).toUpperCase(), 'x-payload-digest-alg': 'HMAC_SHA256_HEX' }), credentials()).providerEventType).toBe(
      'applicantReviewed',
    );
  });

  it('refuses a tampered body, a wrong secret and a missing digest with 401', () => {
    expect(refusal(inbound(body.replace('app_1', 'app_2'), { 'x-payload-digest': sign(body), 'x-payload-digest-alg': 'HMAC_SHA256_HEX' }))).toEqual({ reason: 'invalid_signature', status: 401 });
    expect(refusal(signed(body, 'sha256', 'other-secret'))).toEqual({ reason: 'invalid_signature', status: 401 });
    expect(refusal(inbound(body, {}))).toEqual({ reason: 'missing_signature', status: 401 });
    expect(refusal(inbound(body, { 'x-payload-digest-alg': 'HMAC_SHA256_HEX' }))).toEqual({ reason: 'missing_signature', status: 401 });
    // A missing digest is reported as missing, whatever the algorithm header says.
    expect(refusal(inbound(body, { 'x-payload-digest': '  ', 'x-payload-digest-alg': 'MD5' }))).toEqual({ reason: 'missing_signature', status: 401 });
  });

  it('refuses a digest made with another algorithm than the one named', () => {
    expect(refusal(inbound(body, { 'x-payload-digest': sign(body, 'sha512'), 'x-payload-digest-alg': 'HMAC_SHA256_HEX' })).status).toBe(401);
    expect(refusal(inbound(body, { 'x-payload-digest': sign(body, 'sha256'), 'x-payload-digest-alg': 'HMAC_SHA512_HEX' })).status).toBe(401);
    expect(refusal(inbound(body, { 'x-payload-digest': sign(body, 'sha1'), 'x-payload-digest-alg': 'HMAC_SHA256_HEX' })).status).toBe(401);
  });

  it.each(['HMAC_MD5_HEX', 'hmac_sha256_hex', 'HMAC_SHA256', 'sha256', 'HMAC_SHA256_HEX, HMAC_SHA256_HEX', 'HMAC_SHA384_HEX'])('refuses the algorithm %j with 401 invalid_signature', (alg) => {
    expect(refusal(inbound(body, { 'x-payload-digest': sign(body), 'x-payload-digest-alg': alg }))).toEqual({ reason: 'invalid_signature', status: 401 });
  });

  it('refuses an algorithm the connection does not accept, named or implied', () => {
    const only256 = credentials(SECRET, { algorithms: ['HMAC_SHA256_HEX'] });
    expect(authenticateWith(sumsubProvider, signed(body, 'sha256'), only256).providerEventType).toBe('applicantReviewed');
    expect(refusal(signed(body, 'sha512'), only256)).toEqual({ reason: 'invalid_signature', status: 401 });
    expect(refusal(signed(body, 'sha1'), only256)).toEqual({ reason: 'invalid_signature', status: 401 });
    expect(refusal(signed(body, 'sha1', SECRET, null), only256)).toEqual({ reason: 'invalid_signature', status: 401 });
  });

  it.each([
    ['empty', ''],
    ['short', 'abcd'],
    ['odd length', 'a'.repeat(63)],
    ['non-hex', 'z'.repeat(64)],
    ['too long', 'a'.repeat(66)],
    ['a SHA-1 length under SHA-256', 'a'.repeat(40)],
    ['a SHA-512 length under SHA-256', 'a'.repeat(128)],
    ['valid plus trailing garbage', 'GOOD!'],
    ['prefixed', 'sha256=GOOD'],
    ['base64', 'B64'],
  ])('refuses a %s digest with 401 and no RangeError', (_name, raw) => {
    const good = sign(body);
    const digest = raw.replace('GOOD', good).replace('B64', Buffer.from(good, 'hex').toString('base64'));
    expect(refusal(inbound(body, { 'x-payload-digest': digest, 'x-payload-digest-alg': 'HMAC_SHA256_HEX' })).status).toBe(401);
  });

  it('refuses a credential set without a secret as 401, never a throw of another kind', () => {
    expect(refusal(signed(body), { secrets: {}, options: {} }).status).toBe(401);
    expect(refusal(signed(body, 'sha256', ''), credentials('')).status).toBe(401);
  });

  /** The documented scheme, written from the docs alone: hex HMAC of the raw body, algorithm from the header (none = SHA-1). */
  function referenceAccepts(secret: string, body: string, digest: string, alg: string | undefined): boolean {
    const hash = alg === undefined ? 'sha1' : { HMAC_SHA1_HEX: 'sha1', HMAC_SHA256_HEX: 'sha256', HMAC_SHA512_HEX: 'sha512' }[alg];
    if (hash === undefined || secret === '' || !/^[0-9a-fA-F]*$/.test(digest)) return false;
    const expected = createHmac(hash, secret).update(body, 'utf8').digest();
    const given = Buffer.from(digest, 'hex');
    return digest.length === expected.length * 2 && timingSafeEqual(given, expected);
  }

  it('agrees with the documented scheme on random bodies, secrets, digests and algorithms', () => {
    const oursAccepts = (secret: string, body: string, digest: string, alg: string | undefined): boolean => {
      try {
        authenticateWith(sumsubProvider, inbound(body, { 'x-payload-digest': digest, 'x-payload-digest-alg': alg }), credentials(secret));
        return true;
      } catch (error) {
        expect(error).toBeInstanceOf(WebhookRejection);
        return false;
      }
    };
    const hashes: Hash[] = ['sha1', 'sha256', 'sha512'];
    let accepted = 0;
    for (let i = 0; i < 240; i++) {
      const secret = randomBytes(randomInt(1, 40)).toString('base64');
      // Non-ASCII text checks that both hash the raw UTF-8 bytes.
      const body = JSON.stringify({ correlationId: `req-${randomBytes(8).toString('hex')}`, type: 'applicantPending', note: `é✓ ${randomBytes(8).toString('base64')}` });
      const hash = hashes[i % 3];
      const good = sign(body, hash, secret);
      const variants: Array<[string, string | undefined]> = [
        [good, ALG_NAME[hash]],
        [good.toUpperCase(), ALG_NAME[hash]],
        [good, hash === 'sha1' ? undefined : 'HMAC_SHA1_HEX'],
        [good.slice(0, -1) + (good.endsWith('0') ? '1' : '0'), ALG_NAME[hash]],
        [good.slice(0, randomInt(0, good.length)), ALG_NAME[hash]],
        [randomBytes(good.length / 2).toString('hex'), ALG_NAME[hash]],
        [sign(body, hash, `${secret}x`), ALG_NAME[hash]],
        [good, 'HMAC_MD5_HEX'],
      ];
      const [digest, alg] = variants[Math.floor(i / 3) % variants.length];
      const ours = oursAccepts(secret, body, digest, alg);
      expect({ i, ours }).toEqual({ i, ours: referenceAccepts(secret, body, digest, alg) });
      if (ours) accepted++;
    }
    // The two valid variants of every 8, and the third when SHA-1 is implied by a missing header.
    expect(accepted).toBe(70);
  });

  it.each([
    ['not JSON', 'not json'],
    ['an array', '[]'],
    ['a string', '"applicantReviewed"'],
    ['null', 'null'],
    ['a number', '42'],
    ['a numeric type', JSON.stringify({ type: 1, correlationId: 'req-1' })],
    ['an empty type', JSON.stringify({ type: '', correlationId: 'req-1' })],
    ['an object type', JSON.stringify({ type: { name: 'applicantReviewed' } })],
  ])('answers 400 to a correctly signed body that is %s', (_name, body) => {
    expect(refusal(signed(body))).toEqual({ reason: 'malformed', status: 400 });
  });

  it('keeps an authentic event without a type (documented as not always present) as sumsub.unknown', () => {
    for (const body of [JSON.stringify({ applicantId: 'app_1', correlationId: 'req-9' }), JSON.stringify({ applicantId: 'app_1', correlationId: 'req-9', type: null })]) {
      const decoded = authenticateWith(sumsubProvider, signed(body), credentials());
      expect(decoded).toMatchObject({ providerEventType: 'unknown', providerEventId: 'req-9:unknown' });
      expect(sumsubProvider.normalize(decoded)).toMatchObject({ type: 'sumsub.unknown', status: null, subject: { applicantId: 'app_1' } });
    }
  });

  it('refusal messages never contain the secret, header values or payload values', () => {
    const body = JSON.stringify({ type: 7, externalUserId: 'jane.doe@example.com', correlationId: 'req-secret-1' });
    const webhooks = [
      signed(body),
      signed(body, 'sha256', 'other'),
      inbound(body, { 'x-payload-digest': 'x'.repeat(64), 'x-payload-digest-alg': 'HMAC_SHA256_HEX' }),
      inbound(body, { 'x-payload-digest': sign(body), 'x-payload-digest-alg': 'EVIL<script>' }),
      signed(body, 'sha1', SECRET, null),
    ];
    for (const webhook of webhooks) {
      let message = '';
      try {
        authenticateWith(sumsubProvider, webhook, credentials(SECRET, { algorithms: ['HMAC_SHA256_HEX'] }));
      } catch (error) {
        expect(error).toBeInstanceOf(WebhookRejection);
        message = (error as Error).message;
      }
      expect(message).not.toBe('');
      expect(message).not.toMatch(/jane|example\.com|req-secret|sumsub_test_secret|EVIL|xxxx/);
    }
  });
});

describe('sumsub dedup key', () => {
  const dedupKey = (body: Record<string, unknown>): string => authenticateWith(sumsubProvider, signed(JSON.stringify(body)), credentials()).providerEventId;

  it('is correlationId:type, the same for a redelivery', () => {
    const body = event('applicantPending', { correlationId: 'req-a260b669-4f14-4bb5-a4c5-ac0218acb9a4' });
    expect(dedupKey(body)).toBe('req-a260b669-4f14-4bb5-a4c5-ac0218acb9a4:applicantPending');
    expect(dedupKey({ ...body })).toBe(dedupKey(body));
  });

  it('tells apart two types raised by one request, and two requests', () => {
    expect(dedupKey(event('applicantPending'))).not.toBe(dedupKey(event('applicantPrechecked')));
    expect(dedupKey(event('applicantPending', { correlationId: 'req-2' }))).not.toBe(dedupKey(event('applicantPending')));
  });

  it('is a keyed digest of the payload without a correlationId (never a plain hash), stable across key order', () => {
    const one = '{"applicantId":"app_1","type":"applicantPending","createdAtMs":"2024-05-01 10:00:00.123"}';
    const two = '{"createdAtMs":"2024-05-01 10:00:00.123","type":"applicantPending","applicantId":"app_1"}';
    const first = authenticateWith(sumsubProvider, signed(one), credentials()).providerEventId;
    expect(first).toBe(TEST_EVENT_ID_DIGEST(JSON.parse(one)));
    expect(first).toMatch(/^hmac:/);
    expect(first).not.toContain(sha256Hex(canonicalJson(JSON.parse(one))));
    expect(authenticateWith(sumsubProvider, signed(two), credentials()).providerEventId).toBe(first);
    expect(authenticateWith(sumsubProvider, signed(one.replace('app_1', 'app_2')), credentials()).providerEventId).not.toBe(first);
    expect(authenticateWith(sumsubProvider, signed(one.replace('.123', '.124')), credentials()).providerEventId).not.toBe(first);
  });

  it.each([[''], [null], [42]])('uses the digest when correlationId is %j', (correlationId) => {
    const body = event('applicantPending', { correlationId });
    expect(dedupKey(body)).toBe(TEST_EVENT_ID_DIGEST(body));
  });
});

describe('sumsub occurredAt', () => {
  it.each([
    [{ createdAtMs: '2020-02-21 13:23:19.321' }, '2020-02-21T13:23:19.321Z'],
    [{ createdAtMs: '2021-05-14 16:00:25.032' }, '2021-05-14T16:00:25.032Z'],
    [{ createdAtMs: '2020-02-21 13:23:19' }, '2020-02-21T13:23:19.000Z'],
    [{ createdAtMs: '2020-02-21 13:23:19.5' }, '2020-02-21T13:23:19.500Z'],
    [{ createdAtMs: '2020-02-21T13:23:19.321Z' }, '2020-02-21T13:23:19.321Z'],
    [{ createdAtMs: '2020-02-21 13:23:19.321', createdAt: '2019-01-01 00:00:00+0000' }, '2020-02-21T13:23:19.321Z'],
    [{ createdAtMs: undefined, createdAt: '2020-02-21 13:23:19+0000' }, '2020-02-21T13:23:19.000Z'],
    [{ createdAtMs: undefined, createdAt: '2020-02-21 15:23:19+02:00' }, '2020-02-21T13:23:19.000Z'],
    [{ createdAtMs: undefined, createdAt: '2020-02-21 08:23:19-0500' }, '2020-02-21T13:23:19.000Z'],
    [{ createdAtMs: 'yesterday', createdAt: '2024-09-23 23:10:24+0000' }, '2024-09-23T23:10:24.000Z'],
  ])('reads %j as %s', (times, expected) => {
    expect(normalize(event('applicantPending', times)).occurredAt).toBe(expected);
  });

  it.each([
    [{ createdAtMs: undefined }],
    [{ createdAtMs: 'yesterday' }],
    [{ createdAtMs: '2020-02-30 10:00:00.000' }],
    [{ createdAtMs: '2020-02-21 25:00:00.000' }],
    [{ createdAtMs: 1582291399321 }],
    [{ createdAtMs: '' }],
    [{ createdAtMs: '2020-02-21 13:23:19+9900' }],
  ])('leaves occurredAt to the gateway for %j', (times) => {
    expect(normalize(event('applicantPending', times)).occurredAt).toBeUndefined();
  });
});

describe('sumsub mapping', () => {
  it.each([
    ['applicantCreated', 'verification.created', 'created', {}],
    ['applicantPending', 'verification.processing', 'processing', {}],
    ['applicantOnHold', 'verification.on_hold', 'on_hold', {}],
    ['applicantReset', 'verification.started', 'started', {}],
    ['applicantPrechecked', 'verification.step_completed', null, { step: 'precheck' }],
    ['applicantActivated', 'applicant.activated', null, {}],
    ['applicantDeactivated', 'applicant.deactivated', null, {}],
    ['applicantDeleted', 'applicant.deleted', null, {}],
    ['applicantPersonalInfoChanged', 'applicant.personal_info_changed', null, {}],
    ['applicantPersonalDataDeleted', 'applicant.personal_data_deleted', null, {}],
    ['applicantTagsChanged', 'applicant.tags_changed', null, {}],
    ['applicantLevelChanged', 'applicant.level_changed', null, {}],
    ['applicantActionPending', 'action.pending', null, {}],
    ['applicantActionReviewed', 'action.reviewed', null, {}],
    ['applicantActionOnHold', 'action.on_hold', null, {}],
    ['videoIdentStatusChanged', 'verification.step_completed', null, { step: 'video_ident' }],
    ['videoIdentCompositionCompleted', 'verification.step_completed', null, { step: 'video_ident_composition' }],
  ])('%s -> %s / %s', (vendorType, type, status, details) => {
    expect(normalize(event(vendorType))).toMatchObject({ type, status, details, occurredAt: '2024-05-01T10:00:00.123Z' });
  });

  describe.each(['applicantReviewed', 'applicantWorkflowCompleted'])('%s decides by reviewResult', (vendorType) => {
    it.each([
      [{ reviewAnswer: 'GREEN' }, 'verification.approved', 'approved'],
      [{ reviewAnswer: 'RED', reviewRejectType: 'FINAL' }, 'verification.rejected', 'rejected'],
      [{ reviewAnswer: 'RED', reviewRejectType: 'RETRY' }, 'verification.incomplete', 'incomplete'],
      [{ reviewAnswer: 'RED' }, 'verification.rejected', 'rejected'],
      [{ reviewAnswer: 'RED', reviewRejectType: 'EXTERNAL' }, 'verification.rejected', 'rejected'],
    ])('%j -> %s', (reviewResult, type, status) => {
      expect(normalize(event(vendorType, { reviewResult }))).toMatchObject({ type, status });
    });

    it.each([[{ reviewAnswer: 'YELLOW' }], [{ reviewAnswer: 'green' }], [{}], [null], [undefined], ['GREEN']])('without a known answer (%j) the process only ended', (reviewResult) => {
      expect(normalize(event(vendorType, { reviewResult }))).toMatchObject({ type: 'verification.completed', status: 'completed' });
    });
  });

  it('a review result never makes another type a decision', () => {
    const red = { reviewAnswer: 'RED', reviewRejectType: 'FINAL', rejectLabels: ['FORGERY'] };
    for (const vendorType of ['applicantActionReviewed', 'applicantPrechecked', 'videoIdentStatusChanged', 'applicantPending', 'applicantOnHold']) {
      for (const reviewResult of [red, { reviewAnswer: 'GREEN' }]) {
        const normalized = normalize(event(vendorType, { reviewResult }));
        expect({ vendorType, status: normalized.status === 'approved' || normalized.status === 'rejected' }).toEqual({ vendorType, status: false });
        expect(normalized.details.reviewAnswer).toBe(reviewResult.reviewAnswer);
      }
    }
  });

  it.each(['applicantKytTxnApproved', 'kytCaseReviewed', 'applicantTravelRuleStatusChanged', 'constructor', '__proto__', 'toString'])(
    'maps unknown type %s to sumsub.<type> with status null',
    (vendorType) => {
      expect(normalize(event(vendorType, { reviewResult: { reviewAnswer: 'GREEN' } }))).toMatchObject({ type: `sumsub.${vendorType}`, status: null });
    },
  );

  it('fills the subject: applicantId, externalUserId, inspectionId as verificationId (strings only)', () => {
    expect(normalize(event('applicantPending')).subject).toEqual({ applicantId: 'app_1', externalUserId: 'user_1', verificationId: 'insp_1' });
    expect(normalize(event('applicantPending', { applicantId: 7, externalUserId: '', inspectionId: undefined })).subject).toEqual({});
  });

  it('keeps vendor facts in details, never the review comments or anything else of the payload', () => {
    const normalized = normalize(
      event('applicantReviewed', {
        previousLevelName: 'basic-kyc-level',
        reviewResult: {
          reviewAnswer: 'RED',
          reviewRejectType: 'FINAL',
          rejectLabels: ['FORGERY', 3, '', 'GRAPHIC_EDITOR'],
          moderationComment: 'Dear Jane Doe, we could not verify you',
          clientComment: 'Jane Doe born 1990-01-01, passport P1234567',
          buttonIds: ['forgery'],
        },
        applicantMemberOf: [{ applicantId: 'company_1' }],
        info: { firstName: 'Jane', dob: '1990-01-01' },
      }),
    );
    expect(normalized.details).toEqual({
      levelName: 'id-and-liveness',
      previousLevelName: 'basic-kyc-level',
      applicantType: 'individual',
      reviewStatus: 'completed',
      reviewAnswer: 'RED',
      reviewRejectType: 'FINAL',
      rejectLabels: ['FORGERY', 'GRAPHIC_EDITOR'],
      sandboxMode: false,
    });
    expect(JSON.stringify(normalized)).not.toMatch(/Jane|1990|P1234567|company_1|client_1|req-1/);
  });

  it('keeps action and video ident facts', () => {
    expect(normalize(event('applicantActionReviewed', { applicantActionId: 'act_1', externalApplicantActionId: 'ext_act_1', reviewResult: { reviewAnswer: 'GREEN' } })).details).toMatchObject({
      applicantActionId: 'act_1',
      externalApplicantActionId: 'ext_act_1',
      reviewAnswer: 'GREEN',
    });
    expect(normalize(event('videoIdentStatusChanged', { videoIdentReviewStatus: 'completed' })).details).toMatchObject({ step: 'video_ident', videoIdentReviewStatus: 'completed' });
  });

  it.each([
    [true, true],
    [false, false],
    ['true', true],
    ['false', false],
    ['yes', undefined],
    [undefined, undefined],
  ])('reads sandboxMode %j as %j', (sandboxMode, expected) => {
    expect(normalize(event('applicantCreated', { sandboxMode })).details.sandboxMode).toBe(expected);
  });
});

describe('sumsub adapter surface', () => {
  it('recognizes requests by the X-Payload-Digest header', () => {
    expect(recognizes(sumsubProvider, inbound('{}', { 'x-payload-digest': 'x' }))).toBe(true);
    expect(recognizes(sumsubProvider, inbound('{}', { 'complycube-signature': 'x' }))).toBe(false);
  });

  it('names SUMSUB_WEBHOOK_SECRET and no option variables', () => {
    expect(sumsubProvider.environment).toEqual({ secrets: { webhookSecret: 'SUMSUB_WEBHOOK_SECRET' }, options: {} });
    expect(sumsubProvider.signatureHeaders).toEqual(['x-payload-digest']);
    expect(sumsubProvider.optionNames).toEqual(['requiredHeaders', 'algorithms', ...ALERT_OPTION_NAMES]);
  });

  it('parses options: algorithms (default all three) and requiredHeaders (default {})', () => {
    const all = ['HMAC_SHA1_HEX', 'HMAC_SHA256_HEX', 'HMAC_SHA512_HEX'];
    expect(sumsubProvider.parseOptions({})).toEqual({ ...DEFAULT_ALERT_OPTIONS, requiredHeaders: {}, algorithms: all });
    expect(sumsubProvider.parseOptions({ algorithms: null })).toEqual({ ...DEFAULT_ALERT_OPTIONS, requiredHeaders: {}, algorithms: all });
    const parsed = sumsubProvider.parseOptions({ algorithms: ['HMAC_SHA512_HEX', 'HMAC_SHA256_HEX', 'HMAC_SHA512_HEX'], requiredHeaders: { authorization: 'Bearer t' } });
    expect(parsed).toEqual({ ...DEFAULT_ALERT_OPTIONS, requiredHeaders: { authorization: 'Bearer t' }, algorithms: ['HMAC_SHA512_HEX', 'HMAC_SHA256_HEX'] });
    expect(sumsubProvider.parseOptions(parsed)).toEqual(parsed);
  });

  it.each([
    ['an unknown key', { algorithm: 'HMAC_SHA256_HEX' }],
    ['a timestamp window', { timestampToleranceSeconds: 300 }],
    ['an empty list', { algorithms: [] }],
    ['a string', { algorithms: 'HMAC_SHA256_HEX' }],
    ['an unknown algorithm', { algorithms: ['HMAC_SHA256_HEX', 'HMAC_MD5_HEX'] }],
    ['a lower-case algorithm', { algorithms: ['hmac_sha256_hex'] }],
    ['a non-string', { algorithms: [256] }],
    ['bad requiredHeaders', { requiredHeaders: { 'bad name': 'v' } }],
  ])('refuses %s', (_name, raw) => {
    expect(() => sumsubProvider.parseOptions(raw)).toThrow(ConnectionConfigError);
  });

  it('warns about a connection accepting SHA-1, and only then', () => {
    const secrets = { webhookSecret: SECRET };
    const [warning, ...others] = sumsubProvider.securityWarnings({ secrets, options: {} });
    expect(others).toEqual([]);
    expect(warning).toMatch(/HMAC_SHA1_HEX/);
    expect(warning).toMatch(/HMAC_SHA256_HEX or HMAC_SHA512_HEX/);
    expect(warning).toMatch(/algorithms/);
    expect(warning).not.toContain(SECRET);
    expect(sumsubProvider.securityWarnings({ secrets, options: { algorithms: ['HMAC_SHA1_HEX', 'HMAC_SHA512_HEX'] } })).toHaveLength(1);
    expect(sumsubProvider.securityWarnings({ secrets, options: { algorithms: ['HMAC_SHA256_HEX', 'HMAC_SHA512_HEX'] } })).toEqual([]);
  });

  it('checks the webhook secret', () => {
    expect(() => sumsubProvider.checkSecrets({ webhookSecret: 's' }, {})).not.toThrow();
    expect(() => sumsubProvider.checkSecrets({ webhookSecret: '' }, {})).toThrow(ConnectionConfigError);
    expect(() => sumsubProvider.checkSecrets({}, {})).toThrow(ConnectionConfigError);
  });
});

describe('sumsub simulator', () => {
  it.each(SUMSUB_EVENT_TYPES.map((t) => [t]))('round-trips %s', (type) => {
    const creds = credentials(SECRET, { requiredHeaders: { authorization: 'Bearer t' } });
    const first = sumsubProvider.simulator.build(type, creds);
    const second = sumsubProvider.simulator.build(type, creds);
    expect(first.headers).toMatchObject({ 'content-type': 'application/json', 'x-payload-digest-alg': 'HMAC_SHA256_HEX', authorization: 'Bearer t' });
    const webhook = inbound(first.body, first.headers);
    expect(recognizes(sumsubProvider, webhook)).toBe(true);
    const decoded = authenticateWith(sumsubProvider, webhook, creds);
    expect(decoded.providerEventType).toBe(type);
    expect(decoded.providerEventId).not.toBe(authenticateWith(sumsubProvider, inbound(second.body, second.headers), creds).providerEventId);
    const normalized = sumsubProvider.normalize(decoded);
    expect(normalized.type.startsWith('sumsub.')).toBe(false);
    expect(normalized.subject).toEqual({ applicantId: expect.any(String), externalUserId: expect.any(String), verificationId: expect.any(String) });
    // Sumsub's own reference check: hex HMAC-SHA256 of the raw body.
    expect(first.headers['x-payload-digest']).toBe(sign(first.body, 'sha256'));
  });

  it('carries fake personal data in a RED review, which never reaches the event', () => {
    for (const reviewRejectType of ['FINAL', 'RETRY']) {
      const built = sumsubProvider.simulator.build('applicantReviewed', credentials(), { payload: { reviewResult: { reviewAnswer: 'RED', reviewRejectType, rejectLabels: ['FORGERY'] } } });
      expect(built.body).toMatch(/Jane Doe/);
      const normalized = sumsubProvider.normalize(authenticateWith(sumsubProvider, inbound(built.body, built.headers), credentials()));
      expect(normalized).toMatchObject({ status: reviewRejectType === 'FINAL' ? 'rejected' : 'incomplete', details: { rejectLabels: ['FORGERY'] } });
      expect(JSON.stringify(normalized)).not.toMatch(/Jane|1990|P1234567|example\.com/);
    }
  });

  it('signs with the algorithm the connection accepts: SHA-256 when it can, else the first accepted', () => {
    const cases: Array<[string[], Hash]> = [
      [['HMAC_SHA512_HEX', 'HMAC_SHA256_HEX'], 'sha256'],
      [['HMAC_SHA512_HEX'], 'sha512'],
      [['HMAC_SHA1_HEX'], 'sha1'],
    ];
    for (const [algorithms, hash] of cases) {
      const creds = credentials(SECRET, { algorithms });
      const built = sumsubProvider.simulator.build('applicantReviewed', creds);
      expect(built.headers).toMatchObject({ 'x-payload-digest-alg': ALG_NAME[hash], 'x-payload-digest': sign(built.body, hash) });
      expect(authenticateWith(sumsubProvider, inbound(built.body, built.headers), creds).providerEventType).toBe('applicantReviewed');
    }
  });

  it('covers every type of vendors.md and honours now/payload', () => {
    expect(SUMSUB_EVENT_TYPES).toEqual(expect.arrayContaining(['applicantReviewed', 'applicantWorkflowCompleted', 'applicantActionOnHold', 'videoIdentCompositionCompleted', 'applicantPrechecked']));
    expect(sumsubProvider.simulator.sampleEventType).toBe('applicantReviewed');
    const now = new Date('2024-01-02T03:04:05.678Z');
    const { body } = sumsubProvider.simulator.build('applicantPending', credentials(), { now, payload: { applicantId: 'fixed', clientId: undefined } });
    const parsed = JSON.parse(body) as Record<string, unknown>;
    expect(parsed).toMatchObject({ createdAtMs: '2024-01-02 03:04:05.678', applicantId: 'fixed', type: 'applicantPending', correlationId: expect.stringMatching(/^req-[0-9a-f-]{36}$/) });
    expect('clientId' in parsed).toBe(false);
    expect(normalize(parsed).occurredAt).toBe(now.toISOString());
  });

  it('generates a fresh random secret', () => {
    const one = sumsubProvider.simulator.generateSecrets();
    expect(Object.keys(one)).toEqual(['webhookSecret']);
    expect(one.webhookSecret.length).toBeGreaterThanOrEqual(32);
    expect(sumsubProvider.simulator.generateSecrets().webhookSecret).not.toBe(one.webhookSecret);
  });
});
