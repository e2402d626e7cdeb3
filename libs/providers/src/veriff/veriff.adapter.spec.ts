import { ALERT_OPTION_NAMES, DEFAULT_ALERT_OPTIONS } from '../alert-options';
import { createHash, createHmac, randomBytes, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { eventIdDigest, WebhookRejection } from '@kyc/core';
import { authenticateWith, inboundWebhook, recognizes, refusalOf, TEST_EVENT_ID_DIGEST } from '@kyc/testing';
import { ConnectionConfigError, type ConnectionCredentials, type InboundWebhook } from '../provider.interface';
import { veriffProvider } from './index';
import { VERIFF_EVENT_TYPES } from './veriff.mapping';

const SECRET = '0b5e7c2a-4f1d-4e3b-9a6c-8d2f1e0a7b59';
const API_KEY = '8e4f7cd8-7a19-4d7d-971f-a076407ee03c';
const OTHER_API_KEY = '11111111-2222-4333-8444-555555555555';

const credentials = (secret = SECRET, options: Record<string, unknown> = {}): ConnectionCredentials => ({ secrets: { webhookSecret: secret }, options });
const inbound = (body: string, headers: Record<string, string | undefined>): InboundWebhook => inboundWebhook(body, headers);
/** The documented scheme, written here with node:crypto: hex HMAC-SHA256 of the raw body under the shared secret. */
const sign = (body: string, secret = SECRET): string => createHmac('sha256', secret).update(body, 'utf8').digest('hex');
const signed = (body: string, headers: Record<string, string> = {}, secret = SECRET): InboundWebhook => inbound(body, { 'x-hmac-signature': sign(body, secret), ...headers });

/** The reason authenticate refused with (and its message), failing the test on anything but a WebhookRejection. */
function refusal(webhook: InboundWebhook, creds = credentials()): ReturnType<typeof refusalOf> {
  return refusalOf(veriffProvider, webhook, creds);
}
const refused = (webhook: InboundWebhook, creds = credentials()) => {
  const { reason, status } = refusal(webhook, creds);
  return { reason, status };
};

/** Personal data as Veriff sends it in a decision: none of it may reach the event, a log or an error. */
const PERSON = { firstName: 'SARAH', lastName: 'MORGAN', dateOfBirth: '1967-03-30', idNumber: '38508260269', addresses: [{ fullAddress: '1234 Snowy Ridge Road' }] };
const DOCUMENT = { type: 'DRIVERS_LICENSE', number: 'MORGA753116SM9IJ', country: 'GB', validUntil: '2022-04-20' };
const TECHNICAL_DATA = { ip: '186.153.67.122' };
const PERSONAL = /SARAH|MORGAN|1967-03-30|38508260269|Snowy|MORGA753116SM9IJ|186\.153\.67\.122/;

const eventWebhook = (extra: Record<string, unknown> = {}) => ({
  id: 'f04bdb47-d3be-4b28-b028-a652feb060b5',
  attemptId: 'e30122d1-740b-4764-853f-470374a7abf4',
  feature: 'selfid',
  code: 7002,
  action: 'submitted',
  vendorData: 'QWE123',
  ...extra,
});
const decisionWebhook = (verification: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
  status: 'success',
  verification: {
    id: '12df6045-3846-3e45-946a-14fa6136d78b',
    attemptId: '00bca969-b53a-4fad-b065-874d41a7b2b8',
    code: 9001,
    status: 'approved',
    reason: null,
    reasonCode: null,
    vendorData: '12345678',
    decisionTime: '2019-11-06T07:18:36.916Z',
    acceptanceTime: '2019-11-06T07:15:27.000Z',
    person: PERSON,
    document: DOCUMENT,
    ...verification,
  },
  technicalData: TECHNICAL_DATA,
  ...extra,
});

/** Through authenticate and normalize, as the ingress runs them. */
function through(body: unknown, creds = credentials()) {
  const raw = JSON.stringify(body);
  const decoded = authenticateWith(veriffProvider, signed(raw), creds);
  return { decoded, event: veriffProvider.normalize(decoded) };
}
const normalize = (body: unknown) => through(body).event;

describe('veriff signature (X-HMAC-SIGNATURE)', () => {
  const body = JSON.stringify(decisionWebhook());

  it('accepts the documented signature, in either case, and decodes the decision', () => {
    for (const signature of [sign(body), sign(body).toUpperCase()]) {
      const decoded = authenticateWith(veriffProvider, inbound(body, { 'x-hmac-signature': signature }), credentials());
      expect(decoded).toEqual({ providerEventId: expect.stringMatching(/^hmac:/), providerEventType: 'decision.approved', payload: JSON.parse(body) });
    }
  });

  it('agrees with a reference verifier written from the docs on random bodies, secrets and signatures', () => {
    // Veriff publishes no SDK verifier; this is the check of its js-integration-demo, over the raw bytes.
    const referenceAccepts = (secret: string, raw: string, signature: string): boolean => {
      const expected = createHmac('sha256', secret).update(Buffer.from(raw, 'utf8')).digest();
      const received = /^[0-9a-f]*$/i.test(signature) && signature.length % 2 === 0 ? Buffer.from(signature, 'hex') : Buffer.alloc(0);
      return expected.length === received.length && timingSafeEqual(expected, received);
    };
    const oursAccepts = (secret: string, raw: string, signature: string): boolean => {
      try {
        authenticateWith(veriffProvider, inbound(raw, { 'x-hmac-signature': signature }), credentials(secret));
        return true;
      } catch (error) {
        expect(error).toBeInstanceOf(WebhookRejection);
        return false;
      }
    };
    let accepted = 0;
    for (let i = 0; i < 200; i++) {
      const secret = i % 2 === 0 ? randomUUID() : randomBytes(randomInt(1, 40)).toString('base64');
      // Non-ASCII text checks that both hash the raw UTF-8 bytes.
      const raw = JSON.stringify(eventWebhook({ id: randomUUID(), vendorData: `é✓ ${randomBytes(8).toString('base64')}` }));
      const good = sign(raw, secret);
      const variants = [
        good,
        good.toUpperCase(),
        good.slice(0, -1) + (good.endsWith('0') ? '1' : '0'),
        good.slice(0, randomInt(0, 64)),
        randomBytes(32).toString('hex'),
        sign(raw, `${secret}x`),
        sign(`${raw} `, secret),
        createHash('sha256').update(raw).update(secret).digest('hex'), // the legacy X-SIGNATURE digest
      ];
      const signature = variants[i % variants.length];
      const ours = oursAccepts(secret, raw, signature);
      expect({ i, ours }).toEqual({ i, ours: referenceAccepts(secret, raw, signature) });
      if (ours) accepted++;
    }
    expect(accepted).toBe(50); // the two valid variants of every 8
  });

  it('refuses a tampered body, a wrong secret and a missing header with 401', () => {
    expect(refused(inbound(body.replace('approved', 'declined'), { 'x-hmac-signature': sign(body) }))).toEqual({ reason: 'invalid_signature', status: 401 });
    expect(refused(signed(body, {}, 'another-shared-secret'))).toEqual({ reason: 'invalid_signature', status: 401 });
    expect(refused(inbound(body, {}))).toEqual({ reason: 'missing_signature', status: 401 });
  });

  it('does not support the legacy X-SIGNATURE: a request with only it is 401 missing_signature', () => {
    const legacy = createHash('sha256').update(body).update(SECRET).digest('hex');
    expect(refused(inbound(body, { 'x-signature': legacy }))).toEqual({ reason: 'missing_signature', status: 401 });
    // Nor is the legacy digest accepted in the new header.
    expect(refused(inbound(body, { 'x-hmac-signature': legacy }))).toEqual({ reason: 'invalid_signature', status: 401 });
  });

  it.each([
    ['empty', ''],
    ['short', 'abcd'],
    ['odd length', 'a'.repeat(63)],
    ['non-hex', 'z'.repeat(64)],
    ['too long', 'a'.repeat(66)],
    ['valid plus trailing garbage', 'GOOD!'],
    ['prefixed', 'sha256=GOOD'],
    ['base64 of the right digest', 'BASE64'],
  ])('refuses a %s signature with 401 and no other kind of error', (_name, raw) => {
    const signature = raw.replace('GOOD', sign(body)).replace('BASE64', Buffer.from(sign(body), 'hex').toString('base64'));
    const { status, reason } = refusal(inbound(body, { 'x-hmac-signature': signature }));
    expect(status).toBe(401);
    expect(reason).toBe(raw === '' ? 'missing_signature' : 'invalid_signature');
  });

  it('refuses a credential set without a secret as 401, never a throw of another kind', () => {
    expect(refused(signed(body), { secrets: {}, options: {} }).status).toBe(401);
    expect(refused(signed(body), credentials('')).status).toBe(401);
  });

  it('has no timestamp and no rotation of its own: an old decision is accepted, replays are the dedup key’s', () => {
    const old = inboundWebhook(body, { 'x-hmac-signature': sign(body) }, new Date('2030-01-01T00:00:00Z'));
    expect(authenticateWith(veriffProvider, old, credentials()).providerEventType).toBe('decision.approved');
  });
});

describe('veriff X-AUTH-CLIENT (option apiKey)', () => {
  const body = JSON.stringify(eventWebhook());
  const withKey = credentials(SECRET, { apiKey: API_KEY });

  it('accepts the connection’s API key', () => {
    expect(authenticateWith(veriffProvider, signed(body, { 'x-auth-client': API_KEY }), withKey).providerEventType).toBe('submitted');
  });

  it('refuses another API key, or none, with 401 when the connection has one', () => {
    expect(refused(signed(body, { 'x-auth-client': OTHER_API_KEY }), withKey)).toEqual({ reason: 'invalid_signature', status: 401 });
    expect(refused(signed(body, { 'x-auth-client': API_KEY.toUpperCase() }), withKey)).toEqual({ reason: 'invalid_signature', status: 401 });
    expect(refused(signed(body), withKey)).toEqual({ reason: 'missing_signature', status: 401 });
    expect(refused(signed(body, { 'x-auth-client': '' }), withKey)).toEqual({ reason: 'missing_signature', status: 401 });
  });

  it('checks the API key before the body: a wrong key with a malformed body is 401, not 400', () => {
    expect(refused(signed('[]', { 'x-auth-client': OTHER_API_KEY }), withKey)).toEqual({ reason: 'invalid_signature', status: 401 });
    expect(refused(signed('[]', { 'x-auth-client': API_KEY }), withKey)).toEqual({ reason: 'malformed', status: 400 });
  });

  it('never lets the API key stand in for the signature', () => {
    expect(refused(inbound(body, { 'x-auth-client': API_KEY }), withKey)).toEqual({ reason: 'missing_signature', status: 401 });
    expect(refused(signed(body, { 'x-auth-client': API_KEY }, 'another-shared-secret'), withKey)).toEqual({ reason: 'invalid_signature', status: 401 });
  });

  it('ignores the header where the connection has no apiKey', () => {
    const variants: Record<string, string>[] = [{}, { 'x-auth-client': OTHER_API_KEY }, { 'x-auth-client': '' }];
    for (const headers of variants) {
      expect(authenticateWith(veriffProvider, signed(body, headers), credentials()).providerEventType).toBe('submitted');
    }
  });

  it('picks the connection on the single URL: of two sharing a secret, only the one with the matching key verifies', () => {
    const connections = { alpha: veriffProvider.prepare(withKey), beta: veriffProvider.prepare(credentials(SECRET, { apiKey: OTHER_API_KEY })) };
    const verifying = (webhook: InboundWebhook) =>
      Object.entries(connections).flatMap(([name, connection]) => {
        try {
          connection.authenticate(webhook);
          return [name];
        } catch (error) {
          expect(error).toBeInstanceOf(WebhookRejection);
          return [];
        }
      });
    expect(verifying(signed(body, { 'x-auth-client': API_KEY }))).toEqual(['alpha']);
    expect(verifying(signed(body, { 'x-auth-client': OTHER_API_KEY }))).toEqual(['beta']);
    expect(verifying(signed(body))).toEqual([]);
  });
});

describe('veriff body shapes', () => {
  it.each([
    ['not JSON', 'not json'],
    ['an array', '[]'],
    ['a string', '"submitted"'],
    ['null', 'null'],
    ['an empty object', '{}'],
    ['an event without id', JSON.stringify(eventWebhook({ id: undefined }))],
    ['an event with a numeric id', JSON.stringify(eventWebhook({ id: 42 }))],
    ['an event with an empty id', JSON.stringify(eventWebhook({ id: '' }))],
    ['an event without action or code', JSON.stringify(eventWebhook({ action: undefined, code: undefined }))],
    ['an event with an empty action and a fractional code', JSON.stringify(eventWebhook({ action: '', code: 7001.5 }))],
    ['a decision without verification.id', JSON.stringify(decisionWebhook({ id: undefined }))],
    ['a decision without status or code', JSON.stringify(decisionWebhook({ status: undefined, code: undefined }))],
    ['a decision whose verification is an array', JSON.stringify({ status: 'success', verification: [] })],
    ['a watchlist-screening-like body', JSON.stringify({ checkType: 'initial_result', attemptId: 'a', sessionId: 's', matchStatus: 'no_match' })],
  ])('answers 400 to a correctly signed body that is %s', (_name, body) => {
    expect(refused(signed(body))).toEqual({ reason: 'malformed', status: 400 });
  });

  it('accepts an event without attemptId (older payloads), a code sent as digits, and a decision without the top-level status', () => {
    expect(through(eventWebhook({ attemptId: undefined })).event).toMatchObject({ type: 'verification.processing', details: { code: 7002 } });
    expect(through(eventWebhook({ action: undefined, code: '7001' })).decoded.providerEventType).toBe('7001');
    expect(through(decisionWebhook({}, { status: undefined })).event.type).toBe('verification.approved');
  });

  it('never puts payload values or secrets into refusal messages', () => {
    const body = JSON.stringify(decisionWebhook({ id: undefined }));
    const webhooks = [signed(body), inbound(body, { 'x-hmac-signature': 'x' }), signed(body, {}, 'other'), signed(body, { 'x-auth-client': OTHER_API_KEY })];
    for (const webhook of webhooks) {
      const { message } = refusal(webhook, credentials(SECRET, { apiKey: API_KEY }));
      expect(message).not.toMatch(PERSONAL);
      expect(message).not.toContain(SECRET);
      expect(message).not.toContain(API_KEY);
      expect(message).not.toContain(OTHER_API_KEY);
      expect(message).not.toContain('12345678');
    }
  });
});

describe('veriff dedup key (no event id: a keyed digest)', () => {
  const idOf = (body: unknown) => through(body).decoded.providerEventId;

  it('is a keyed digest of session, attempt, code and label', () => {
    const id = idOf(decisionWebhook());
    expect(id).toBe(TEST_EVENT_ID_DIGEST({ webhook: 'decision', sessionId: '12df6045-3846-3e45-946a-14fa6136d78b', attemptId: '00bca969-b53a-4fad-b065-874d41a7b2b8', code: 9001, label: 'approved' }));
    expect(id).toMatch(/^hmac:[A-Za-z0-9_-]{43}$/);
    // Keyed: another key gives another id, and no plain hash of the fields matches it.
    const raw = JSON.stringify(decisionWebhook());
    const otherKey = authenticateWith(veriffProvider, { ...signed(raw), eventIdDigest: eventIdDigest(Buffer.alloc(32, 8)) }, credentials()).providerEventId;
    expect(otherKey).not.toBe(id);
    expect(id).not.toContain(createHash('sha256').update(raw).digest('base64url'));
  });

  it('gives a redelivery the same key, whatever the key order or the rest of the body', () => {
    expect(idOf(decisionWebhook())).toBe(idOf(decisionWebhook()));
    const reordered = Object.fromEntries(Object.entries(eventWebhook()).reverse());
    expect(idOf(reordered)).toBe(idOf(eventWebhook()));
    expect(idOf(decisionWebhook({ reason: 'changed', decisionTime: '2019-11-06T08:00:00Z' }, { technicalData: { ip: '10.0.0.1' } }))).toBe(idOf(decisionWebhook()));
  });

  it('gives another session, attempt, code, status or webhook kind another key', () => {
    const base = idOf(decisionWebhook());
    const others = [
      idOf(decisionWebhook({ id: randomUUID() })),
      idOf(decisionWebhook({ attemptId: randomUUID() })),
      idOf(decisionWebhook({ attemptId: undefined })),
      idOf(decisionWebhook({ code: 9102, status: 'declined' })),
      idOf(decisionWebhook({ code: 9104, status: 'expired' })),
      idOf(decisionWebhook({ code: 9104, status: 'abandoned' })),
      idOf(decisionWebhook({ status: undefined })),
      idOf(eventWebhook({ id: '12df6045-3846-3e45-946a-14fa6136d78b', attemptId: '00bca969-b53a-4fad-b065-874d41a7b2b8', code: 9001, action: 'approved' })),
    ];
    expect(new Set([base, ...others]).size).toBe(others.length + 1);
    expect(idOf(eventWebhook({ code: 7001, action: 'started' }))).not.toBe(idOf(eventWebhook()));
  });
});

describe('veriff mapping', () => {
  it.each([
    ['started', 7001, 'verification.started', 'started'],
    ['submitted', 7002, 'verification.processing', 'processing'],
  ])('event %s (%s) -> %s / %s, by action or by code alone', (action, code, type, status) => {
    expect(through(eventWebhook({ action, code }))).toMatchObject({ decoded: { providerEventType: action }, event: { type, status } });
    expect(through(eventWebhook({ action: undefined, code }))).toMatchObject({ decoded: { providerEventType: String(code) }, event: { type, status } });
    expect(through(eventWebhook({ action, code: undefined }))).toMatchObject({ decoded: { providerEventType: action }, event: { type, status } });
  });

  it.each([
    ['approved', 9001, 'verification.approved', 'approved'],
    ['declined', 9102, 'verification.rejected', 'rejected'],
    ['resubmission_requested', 9103, 'verification.incomplete', 'incomplete'],
    ['expired', 9104, 'verification.expired', 'expired'],
    ['abandoned', 9104, 'verification.cancelled', 'cancelled'],
    ['review', 9121, 'verification.review', 'review'],
  ])('decision %s (%s) -> %s / %s', (status, code, type, normalizedStatus) => {
    expect(through(decisionWebhook({ status, code }))).toMatchObject({ decoded: { providerEventType: `decision.${status}` }, event: { type, status: normalizedStatus, details: { code } } });
  });

  it.each([
    [9001, 'verification.approved', 'approved'],
    [9102, 'verification.rejected', 'rejected'],
    [9103, 'verification.incomplete', 'incomplete'],
    [9104, 'verification.expired', 'expired'], // shared by expired and abandoned: alone it says expired
    [9121, 'verification.review', 'review'],
  ])('a decision with code %s and no status -> %s (providerEventType decision.<code>)', (code, type, status) => {
    expect(through(decisionWebhook({ status: undefined, code }))).toMatchObject({ decoded: { providerEventType: `decision.${code}` }, event: { type, status } });
  });

  it('lets the label win over a contradicting code, and the code decide for an unknown label', () => {
    expect(normalize(decisionWebhook({ status: 'approved', code: 9102 }))).toMatchObject({ type: 'verification.approved', status: 'approved' });
    expect(normalize(eventWebhook({ action: 'started', code: 7002 }))).toMatchObject({ type: 'verification.started', status: 'started' });
    expect(normalize(decisionWebhook({ status: 'something_new', code: 9102 }))).toMatchObject({ type: 'verification.rejected', status: 'rejected' });
    expect(normalize(eventWebhook({ action: 'something_new', code: 7001 }))).toMatchObject({ type: 'verification.started', status: 'started' });
  });

  it.each([
    [eventWebhook({ action: 'tier_1_approved', code: 7003 }), 'veriff.tier_1_approved'],
    [eventWebhook({ action: 'constructor', code: undefined }), 'veriff.constructor'],
    [eventWebhook({ action: undefined, code: 7999 }), 'veriff.7999'],
    [eventWebhook({ action: 'approved', code: undefined }), 'veriff.approved'], // a decision word is no decision in an event
    [decisionWebhook({ status: 'submitted', code: undefined }), 'veriff.decision.submitted'],
    [decisionWebhook({ status: 'something_new', code: 9999 }), 'veriff.decision.something_new'],
    [decisionWebhook({ status: undefined, code: 9999 }), 'veriff.decision.9999'],
    [decisionWebhook({ status: '__proto__', code: undefined }), 'veriff.decision.__proto__'],
  ])('maps an unknown type to veriff.<type> with status null (%#)', (body, type) => {
    expect(normalize(body)).toMatchObject({ type, status: null, subject: { verificationId: expect.any(String) } });
  });

  it('fills the subject: the session id as verificationId, vendorData as externalUserId', () => {
    expect(normalize(eventWebhook()).subject).toEqual({ verificationId: 'f04bdb47-d3be-4b28-b028-a652feb060b5', externalUserId: 'QWE123' });
    expect(normalize(decisionWebhook()).subject).toEqual({ verificationId: '12df6045-3846-3e45-946a-14fa6136d78b', externalUserId: '12345678' });
    expect(normalize(decisionWebhook({ vendorData: null })).subject).toEqual({ verificationId: '12df6045-3846-3e45-946a-14fa6136d78b' });
    expect(normalize(decisionWebhook({ vendorData: undefined }, { vendorData: 'top-level' })).subject.externalUserId).toBe('top-level');
    expect(normalize(eventWebhook({ vendorData: { nested: 'x' } })).subject).toEqual({ verificationId: 'f04bdb47-d3be-4b28-b028-a652feb060b5' });
  });

  it('keeps code, reason, reasonCode, feature and attemptId in details, and nothing else', () => {
    expect(normalize(eventWebhook()).details).toEqual({ code: 7002, feature: 'selfid', attemptId: 'e30122d1-740b-4764-853f-470374a7abf4' });
    const declined = normalize(decisionWebhook({ status: 'declined', code: 9102, reason: 'Suspected document tampering', reasonCode: 102, riskLabels: [{ label: 'x' }] }));
    expect(declined.details).toEqual({ code: 9102, reason: 'Suspected document tampering', reasonCode: 102, attemptId: '00bca969-b53a-4fad-b065-874d41a7b2b8' });
    expect(normalize(decisionWebhook({ reasonCode: '539' })).details.reasonCode).toBe('539');
    expect(normalize(decisionWebhook({ reasonCode: 'free text' })).details).not.toHaveProperty('reasonCode');
    expect(normalize(decisionWebhook({ reason: { nested: 'x' } })).details).not.toHaveProperty('reason');
  });

  it('takes occurredAt from decisionTime, else acceptanceTime, else leaves it to the gateway', () => {
    expect(normalize(decisionWebhook()).occurredAt).toBe('2019-11-06T07:18:36.916Z');
    expect(normalize(decisionWebhook({ decisionTime: '2019-11-06T09:18:36.916+02:00' })).occurredAt).toBe('2019-11-06T07:18:36.916Z');
    expect(normalize(decisionWebhook({ decisionTime: null })).occurredAt).toBe('2019-11-06T07:15:27.000Z');
    expect(normalize(decisionWebhook({ decisionTime: 'yesterday' })).occurredAt).toBe('2019-11-06T07:15:27.000Z');
    expect(normalize(decisionWebhook({ decisionTime: undefined, acceptanceTime: undefined })).occurredAt).toBeUndefined();
    expect(normalize(eventWebhook()).occurredAt).toBeUndefined();
    expect(normalize(eventWebhook({ decisionTime: '2019-11-06T07:18:36.916Z' })).occurredAt).toBeUndefined();
  });

  it('never copies person, document, technicalData or other personal data', () => {
    const bodies = [
      decisionWebhook(),
      decisionWebhook({ status: 'something_new', code: 9999 }),
      decisionWebhook({ reason: null, additionalVerifiedData: { estimatedAge: 32 }, person: { ...PERSON, pepSanctionMatch: 'x' } }),
      eventWebhook({ person: PERSON, document: DOCUMENT, technicalData: TECHNICAL_DATA }),
    ];
    for (const body of bodies) {
      const event = normalize(body);
      expect(JSON.stringify(event)).not.toMatch(PERSONAL);
      expect(JSON.stringify(event)).not.toMatch(/person|document|technicalData|estimatedAge/);
    }
  });

  it('does not throw on a payload that is not a Veriff webhook (normalize of a stored body)', () => {
    expect(veriffProvider.normalize({ providerEventId: 'x', providerEventType: 'started', payload: { unrelated: true } })).toEqual({ type: 'veriff.started', status: null, subject: {}, details: {} });
  });
});

describe('veriff adapter surface', () => {
  it('recognizes requests by X-HMAC-SIGNATURE only (not the legacy X-SIGNATURE, nor X-AUTH-CLIENT)', () => {
    expect(recognizes(veriffProvider, inbound('{}', { 'x-hmac-signature': 'x' }))).toBe(true);
    expect(recognizes(veriffProvider, inbound('{}', { 'x-signature': 'x', 'x-auth-client': API_KEY }))).toBe(false);
    expect(veriffProvider.signatureHeaders).toEqual(['x-hmac-signature']);
  });

  it('parses options: apiKey (default null) and requiredHeaders (default {})', () => {
    expect(veriffProvider.parseOptions({})).toEqual({ ...DEFAULT_ALERT_OPTIONS, apiKey: null, requiredHeaders: {} });
    expect(veriffProvider.parseOptions({ apiKey: null })).toEqual({ ...DEFAULT_ALERT_OPTIONS, apiKey: null, requiredHeaders: {} });
    const parsed = veriffProvider.parseOptions({ apiKey: API_KEY, requiredHeaders: { authorization: 'Bearer t' } });
    expect(parsed).toEqual({ ...DEFAULT_ALERT_OPTIONS, apiKey: API_KEY, requiredHeaders: { authorization: 'Bearer t' } });
    expect(veriffProvider.parseOptions(parsed)).toEqual(parsed);
    expect(veriffProvider.optionNames).toEqual(['requiredHeaders', 'apiKey', ...ALERT_OPTION_NAMES]);
  });

  it.each([
    ['an unknown option', { timestampToleranceSeconds: 300 }],
    ['a misspelt apiKey', { apikey: API_KEY }],
    ['an empty apiKey', { apiKey: '' }],
    ['a numeric apiKey', { apiKey: 5 }],
    ['an over-long apiKey', { apiKey: 'k'.repeat(513) }],
    ['requiredHeaders not an object', { requiredHeaders: ['a'] }],
    ['a requiredHeaders value not a string', { requiredHeaders: { a: 1 } }],
  ])('refuses %s', (_name, raw) => {
    expect(() => veriffProvider.parseOptions(raw)).toThrow(ConnectionConfigError);
  });

  it('checks the webhook secret, and names its environment variables', () => {
    expect(() => veriffProvider.checkSecrets({ webhookSecret: SECRET }, {})).not.toThrow();
    expect(() => veriffProvider.checkSecrets({ webhookSecret: '' }, {})).toThrow(ConnectionConfigError);
    expect(() => veriffProvider.checkSecrets({}, {})).toThrow(ConnectionConfigError);
    expect(veriffProvider.environment).toEqual({ secrets: { webhookSecret: 'VERIFF_WEBHOOK_SECRET' }, options: { apiKey: 'VERIFF_API_KEY' } });
    expect(veriffProvider.securityWarnings(credentials())).toEqual([]);
  });
});

describe('veriff simulator', () => {
  it.each(VERIFF_EVENT_TYPES.map((type) => [type]))('round-trips %s', (type) => {
    const creds = credentials(SECRET, { apiKey: API_KEY, requiredHeaders: { authorization: 'Bearer t' } });
    const parsed = { ...creds, options: veriffProvider.parseOptions(creds.options) };
    const first = veriffProvider.simulator.build(type, parsed);
    const second = veriffProvider.simulator.build(type, parsed);
    expect(first.headers).toMatchObject({ 'content-type': 'application/json', 'x-auth-client': API_KEY, authorization: 'Bearer t' });
    // The documented signature, computed here independently.
    expect(first.headers['x-hmac-signature']).toBe(sign(first.body));
    const webhook = inbound(first.body, first.headers);
    expect(recognizes(veriffProvider, webhook)).toBe(true);
    const decoded = authenticateWith(veriffProvider, webhook, parsed);
    expect(decoded.providerEventType).toBe(type);
    expect(decoded.providerEventId).not.toBe(authenticateWith(veriffProvider, inbound(second.body, second.headers), parsed).providerEventId);
    const normalized = veriffProvider.normalize(decoded);
    expect(normalized.type.startsWith('veriff.')).toBe(false);
    expect(normalized.status).not.toBeNull();
    // The simulator's fake personal data is there, and stays out of the event.
    if (type.startsWith('decision.')) expect(first.body).toMatch(/SIMULATED/);
    expect(JSON.stringify(normalized)).not.toMatch(/JANE|SIMULATED|1980-02-29|48002290123|Fake Street|SIMX12345678|203\.0\.113\.77/);
  });

  it('sends some integration’s API key to a connection without apiKey, which ignores it', () => {
    const request = veriffProvider.simulator.build('submitted', credentials());
    expect(request.headers['x-auth-client']).toMatch(/^[0-9a-f-]{36}$/);
    expect(authenticateWith(veriffProvider, inbound(request.body, request.headers), credentials()).providerEventType).toBe('submitted');
  });

  it('generates UUID shared secrets, and honours now and payload (undefined removes a field)', () => {
    expect(veriffProvider.simulator.generateSecrets()).toEqual({ webhookSecret: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/) });
    expect(veriffProvider.simulator.sampleEventType).toBe('decision.approved');
    const now = new Date('2024-01-02T03:04:05.000Z');
    const decision = veriffProvider.simulator.build('decision.declined', credentials(), { now, payload: { vendorData: 'fixed', status: undefined } });
    const parsed = JSON.parse(decision.body) as { verification: Record<string, unknown> };
    expect(parsed.verification).toMatchObject({ decisionTime: now.toISOString(), vendorData: 'fixed', code: 9102, reasonCode: 102 });
    expect(parsed.verification).not.toHaveProperty('status');
    const event = JSON.parse(veriffProvider.simulator.build('started', credentials(), { payload: { action: undefined } }).body) as Record<string, unknown>;
    expect(event).toMatchObject({ code: 7001, feature: 'selfid' });
    expect(event).not.toHaveProperty('action');
    expect(JSON.parse(veriffProvider.simulator.build('decision.9121', credentials()).body)).toMatchObject({ verification: { code: 9121 } });
  });
});
