import { ALERT_OPTION_NAMES, DEFAULT_ALERT_OPTIONS } from '../alert-options';
import { createHmac, randomBytes, randomInt } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Stripe from 'stripe';
import { WebhookRejection } from '@kyc/core';
import { authenticateWith, inboundWebhook, recognizes, refusalOf, TEST_EVENT_ID_DIGEST } from '@kyc/testing';
import { ConnectionConfigError, type ConnectionCredentials, type InboundWebhook } from '../provider.interface';
import { stripeProvider } from './index';
import { STRIPE_EVENT_TYPES } from './stripe.mapping';

/** The official SDK, the oracle: it never calls the API here, the key is a placeholder. */
const stripe = new Stripe('sk_test_placeholder');

const SECRET = 'whsec_test_stripe_identity';
/** Whole seconds, so the SDK (which floors receipt time) and the adapter see the same age. */
const NOW = new Date('2024-05-01T10:00:00.000Z');
const NOW_SECONDS = NOW.getTime() / 1000;

const credentials = (secret = SECRET, options: Record<string, unknown> = {}): ConnectionCredentials => ({ secrets: { webhookSecret: secret }, options });
const inbound = (body: string, headers: Record<string, string | undefined>, receivedAt = NOW): InboundWebhook => inboundWebhook(body, headers, receivedAt);

/** Computed here from the documented format, independently of the family's code. */
const v1 = (body: string, timestamp: number, secret = SECRET): string => createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
const header = (body: string, timestamp = NOW_SECONDS, secret = SECRET): string => `t=${timestamp},v1=${v1(body, timestamp, secret)}`;
const signed = (body: string, options: { timestamp?: number; secret?: string; receivedAt?: Date } = {}): InboundWebhook =>
  inbound(body, { 'stripe-signature': header(body, options.timestamp ?? NOW_SECONDS, options.secret ?? SECRET) }, options.receivedAt ?? NOW);

/** The reason authenticate refused with, failing the test on anything but a WebhookRejection. */
function refusal(webhook: InboundWebhook, creds = credentials()): ReturnType<typeof refusalOf> {
  return refusalOf(stripeProvider, webhook, creds);
}
const refusedAs = (webhook: InboundWebhook, creds = credentials()) => {
  const { reason, status } = refusal(webhook, creds);
  return { reason, status };
};

const session = (extra: Record<string, unknown> = {}) => ({
  id: 'vs_1',
  object: 'identity.verification_session',
  client_reference_id: 'user-42',
  created: 1714557000,
  last_error: null,
  livemode: false,
  metadata: {},
  redaction: null,
  status: 'verified',
  type: 'document',
  ...extra,
});
const event = (type: string, object: Record<string, unknown> = session(), extra: Record<string, unknown> = {}) => ({
  id: 'evt_1',
  object: 'event',
  api_version: '2024-06-20',
  created: 1714557600,
  data: { object },
  livemode: false,
  pending_webhooks: 1,
  request: { id: null, idempotency_key: null },
  type,
  ...extra,
});
const normalize = (body: Record<string, unknown>) => stripeProvider.normalize({ providerEventId: String(body.id), providerEventType: String(body.type), payload: body });

const FAKE_PERSON = {
  first_name: 'Jenny',
  last_name: 'Rosen',
  dob: { day: 14, month: 3, year: 1987 },
  address: { line1: '510 Townsend St', city: 'San Francisco', postal_code: '94103', country: 'US' },
  id_number: '000-00-4321',
  id_number_type: 'us_ssn',
  email: 'jenny.rosen@example.com',
  phone: '+14155550123',
};
/** Values of FAKE_PERSON (and the simulator's) that must never leave the payload; `"dob"` as a key, since random ids may hold any digits. */
const PERSONAL = /Jenny|Rosen|Townsend|San Francisco|000-00-4321|jenny|\+1415|"dob"/;

describe('stripe signature: the official SDK as oracle', () => {
  it('accepts what stripe.webhooks.generateTestHeaderString signs', () => {
    const body = JSON.stringify(event('identity.verification_session.verified'), null, 2);
    const sdkHeader = stripe.webhooks.generateTestHeaderString({ payload: body, secret: SECRET, timestamp: NOW_SECONDS });
    expect(sdkHeader).toBe(header(body));
    const decoded = authenticateWith(stripeProvider, inbound(body, { 'stripe-signature': sdkHeader }), credentials());
    expect(decoded).toEqual({ providerEventId: 'evt_1', providerEventType: 'identity.verification_session.verified', payload: JSON.parse(body) });
  });

  const sdkAccepts = (body: string, signature: string, secret: string, tolerance: number, receivedAt: Date): boolean => {
    try {
      stripe.webhooks.constructEvent(body, signature, secret, tolerance, undefined, receivedAt.getTime());
      return true;
    } catch {
      return false;
    }
  };
  const oursAccepts = (body: string, signature: string, secret: string, tolerance: number, receivedAt: Date): boolean => {
    try {
      authenticateWith(stripeProvider, inbound(body, { 'stripe-signature': signature }, receivedAt), credentials(secret, { timestampToleranceSeconds: tolerance }));
      return true;
    } catch (error) {
      expect(error).toBeInstanceOf(WebhookRejection);
      return false;
    }
  };

  it('agrees with stripe.webhooks.constructEvent on random bodies, secrets, tampering, rotation and old timestamps', () => {
    const counts = { accepted: 0, refused: 0 };
    for (let i = 0; i < 240; i++) {
      const secret = `whsec_${randomBytes(randomInt(8, 40)).toString('base64url')}`;
      const other = `whsec_${randomBytes(24).toString('base64url')}`;
      // Non-ASCII text checks that both hash the raw UTF-8 bytes.
      const body = JSON.stringify(
        event('identity.verification_session.processing', session({ id: `vs_${randomBytes(12).toString('hex')}`, client_reference_id: `é✓ ${randomBytes(6).toString('base64')}` }), {
          id: `evt_${randomBytes(12).toString('hex')}`,
        }),
      );
      const receivedAt = new Date((NOW_SECONDS + randomInt(0, 1_000_000)) * 1000);
      const now = receivedAt.getTime() / 1000;
      // Each variant meets each tolerance: the variant is i % 12, the tolerance changes every 12.
      const tolerance = [300, 60, 0][Math.floor(i / 12) % 3];
      const good = v1(body, now, secret);
      const variants: Array<[string, string]> = [
        ['valid', `t=${now},v1=${good}`],
        ['rotation, the right one second', `t=${now},v1=${v1(body, now, other)},v1=${good}`],
        ['rotation, the right one first', `t=${now},v1=${good},v1=${v1(body, now, other)}`],
        ['valid with a v0', `t=${now},v1=${good},v0=${randomBytes(32).toString('hex')}`],
        ['just inside an old window', `t=${now - 59},v1=${v1(body, now - 59, secret)}`],
        ['old', `t=${now - randomInt(301, 100_000)},v1=PLACEHOLDER`],
        ['wrong secret', `t=${now},v1=${v1(body, now, other)}`],
        ['tampered body', `t=${now},v1=${v1(`${body} `, now, secret)}`],
        ['another timestamp than signed', `t=${now - 1},v1=${good}`],
        ['truncated', `t=${now},v1=${good.slice(0, randomInt(0, 64))}`],
        ['random', `t=${now},v1=${randomBytes(32).toString('hex')}`],
        ['no v1', `t=${now}`],
      ];
      const [name, template] = variants[i % variants.length];
      const timestamp = Number(/t=(\d+)/.exec(template)?.[1]);
      const signature = template.replace('PLACEHOLDER', v1(body, timestamp, secret));
      const ours = oursAccepts(body, signature, secret, tolerance, receivedAt);
      expect({ i, name, tolerance, ours }).toEqual({ i, name, tolerance, ours: sdkAccepts(body, signature, secret, tolerance, receivedAt) });
      counts[ours ? 'accepted' : 'refused']++;
    }
    // Both sides of the comparison are exercised: 5 valid variants of 12, plus old ones under tolerance 0.
    expect(counts.accepted).toBeGreaterThan(90);
    expect(counts.refused).toBeGreaterThan(90);
  });

  it('differs from the SDK on purpose: a timestamp too far in the future is refused (the SDK checks only age)', () => {
    const body = JSON.stringify(event('identity.verification_session.verified'));
    for (const ahead of [301, 3_600, 86_400 * 365]) {
      const signature = header(body, NOW_SECONDS + ahead);
      expect({ ahead, sdk: sdkAccepts(body, signature, SECRET, 300, NOW) }).toEqual({ ahead, sdk: true });
      expect({ ahead, ours: oursAccepts(body, signature, SECRET, 300, NOW) }).toEqual({ ahead, ours: false });
      // With the window off both accept.
      expect({ ahead, ours: oursAccepts(body, signature, SECRET, 0, NOW) }).toEqual({ ahead, ours: true });
    }
    // Within the window, a clock running ahead at Stripe is tolerated by both.
    expect(oursAccepts(body, header(body, NOW_SECONDS + 300), SECRET, 300, NOW)).toBe(true);
    expect(sdkAccepts(body, header(body, NOW_SECONDS + 300), SECRET, 300, NOW)).toBe(true);
  });

  it('differs from the SDK where the SDK is looser or stricter than the documented format', () => {
    const body = JSON.stringify(event('identity.verification_session.verified'));
    // Upper-case hex is the same digest: the adapter reads hex in any case, the SDK compares text.
    const upper = `t=${NOW_SECONDS},v1=${v1(body, NOW_SECONDS).toUpperCase()}`;
    expect({ sdk: sdkAccepts(body, upper, SECRET, 300, NOW), ours: oursAccepts(body, upper, SECRET, 300, NOW) }).toEqual({ sdk: false, ours: true });
    // `t` must be digits only: the SDK's parseInt reads `t=<t>abc` as <t>.
    const trailing = `t=${NOW_SECONDS}abc,v1=${v1(body, NOW_SECONDS)}`;
    expect({ sdk: sdkAccepts(body, trailing, SECRET, 300, NOW), ours: oursAccepts(body, trailing, SECRET, 300, NOW) }).toEqual({ sdk: true, ours: false });
  });

  it('every golden fixture that verifies is signed as the SDK checks it', () => {
    const folder = join(__dirname, 'fixtures');
    const files = readdirSync(folder).filter((file) => file.endsWith('.json'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const fixture = JSON.parse(readFileSync(join(folder, file), 'utf8')) as {
        connection: { secrets: { webhookSecret: string } };
        request: { receivedAt: string; headers: Record<string, string>; body: string };
        expected: { rejection?: unknown };
      };
      const { body, headers, receivedAt } = fixture.request;
      const sdk = sdkAccepts(body, headers['stripe-signature'], fixture.connection.secrets.webhookSecret, 300, new Date(receivedAt));
      expect({ file, sdk }).toEqual({ file, sdk: fixture.expected.rejection === undefined });
    }
  });
});

describe('stripe signature: refusals', () => {
  const body = JSON.stringify(event('identity.verification_session.verified'));

  it('refuses a tampered body and a wrong secret with 401 invalid_signature', () => {
    expect(refusedAs(inbound(`${body} `, { 'stripe-signature': header(body) }))).toEqual({ reason: 'invalid_signature', status: 401 });
    expect(refusedAs(inbound(body.replace('user-42', 'user-43'), { 'stripe-signature': header(body) }))).toEqual({ reason: 'invalid_signature', status: 401 });
    expect(refusedAs(signed(body, { secret: 'whsec_other' }))).toEqual({ reason: 'invalid_signature', status: 401 });
    // The secret is used as text, not base64-decoded after its prefix (that is Standard Webhooks, not Stripe).
    const decodedKey = Buffer.from(SECRET.slice('whsec_'.length), 'base64');
    const standardWebhooks = `t=${NOW_SECONDS},v1=${createHmac('sha256', decodedKey).update(`${NOW_SECONDS}.${body}`).digest('hex')}`;
    expect(refusedAs(inbound(body, { 'stripe-signature': standardWebhooks }))).toEqual({ reason: 'invalid_signature', status: 401 });
  });

  it('refuses a missing or blank header with 401 missing_signature', () => {
    expect(refusedAs(inbound(body, {}))).toEqual({ reason: 'missing_signature', status: 401 });
    expect(refusedAs(inbound(body, { 'stripe-signature': '' }))).toEqual({ reason: 'missing_signature', status: 401 });
    expect(refusedAs(inbound(body, { 'stripe-signature': '   ' }))).toEqual({ reason: 'missing_signature', status: 401 });
  });

  it.each([
    ['garbage', 'not a signature'],
    ['no t', 'v1=GOOD'],
    ['no v1', `t=${NOW_SECONDS}`],
    ['only a v0', `t=${NOW_SECONDS},v0=GOOD`],
    ['a short v1', `t=${NOW_SECONDS},v1=abcd`],
    ['an odd-length v1', `t=${NOW_SECONDS},v1=${'a'.repeat(63)}`],
    ['a non-hex v1', `t=${NOW_SECONDS},v1=${'z'.repeat(64)}`],
    ['a too long v1', `t=${NOW_SECONDS},v1=${'a'.repeat(66)}`],
    ['a valid v1 plus trailing garbage', `t=${NOW_SECONDS},v1=GOODxyz`],
    ['a base64 v1', `t=${NOW_SECONDS},v1=BASE64`],
    ['a non-numeric t', 't=yesterday,v1=GOOD'],
    ['a negative t', `t=-${NOW_SECONDS},v1=GOOD`],
    ['a 13-digit t', 't=1714557600000,v1=GOOD'],
    ['a sha256= prefix', `t=${NOW_SECONDS},v1=sha256=GOOD`],
    ['the v1 before a space', `t=${NOW_SECONDS}, v1=GOOD`],
    ['a very long header', `t=${NOW_SECONDS},${'v1=x,'.repeat(10_000)}`],
  ])('refuses %s with 401, never a throw of another kind', (_name, raw) => {
    const good = v1(body, NOW_SECONDS);
    const value = raw.replace('GOOD', good).replace('BASE64', Buffer.from(good, 'hex').toString('base64'));
    expect(refusal(inbound(body, { 'stripe-signature': value })).status).toBe(401);
  });

  it('refuses credentials without a secret as 401, never a throw of another kind', () => {
    expect(refusedAs(signed(body), { secrets: {}, options: {} }).status).toBe(401);
    expect(refusedAs(signed(body), credentials('')).status).toBe(401);
  });

  it.each([
    ['not JSON', 'not json'],
    ['an array', '[]'],
    ['a string', '"identity.verification_session.verified"'],
    ['null', 'null'],
    ['without id', JSON.stringify({ ...event('identity.verification_session.verified'), id: undefined })],
    ['with a numeric id', JSON.stringify(event('identity.verification_session.verified', session(), { id: 1 }))],
    ['with an empty id', JSON.stringify(event('identity.verification_session.verified', session(), { id: '' }))],
    ['without type', JSON.stringify({ ...event('identity.verification_session.verified'), type: undefined })],
    ['with an empty type', JSON.stringify(event(''))],
    ['without data', JSON.stringify(event('identity.verification_session.verified', session(), { data: undefined }))],
    ['with data not an object', JSON.stringify(event('identity.verification_session.verified', session(), { data: 'x' }))],
    ['without data.object', JSON.stringify(event('identity.verification_session.verified', session(), { data: {} }))],
    ['with data.object an array', JSON.stringify(event('identity.verification_session.verified', session(), { data: { object: [] } }))],
    ['a thin (v2) event notification', JSON.stringify({ id: 'evt_1', object: 'v2.core.event', type: 'v1.billing.meter.error_report_triggered', related_object: { id: 'mtr_1' } })],
  ])('answers 400 malformed to a correctly signed body %s', (_name, raw) => {
    expect(refusedAs(signed(raw))).toEqual({ reason: 'malformed', status: 400 });
  });

  it('refusal messages carry neither the secret nor payload values', () => {
    const personal = JSON.stringify(event('identity.verification_session.verified', session({ verified_outputs: FAKE_PERSON }), { data: { object: [FAKE_PERSON] } }));
    const webhooks = [
      signed(personal),
      signed(personal, { secret: 'whsec_other' }),
      signed(personal, { timestamp: NOW_SECONDS - 3_600 }),
      inbound(personal, { 'stripe-signature': 'x' }),
      inbound(personal, {}),
      signed('{"id":"evt_secret_id","name":"Jenny Rosen"}'),
    ];
    for (const webhook of webhooks) {
      const { message } = refusal(webhook);
      expect(message).not.toMatch(PERSONAL);
      expect(message).not.toMatch(/whsec|evt_secret_id|user-42/);
    }
  });
});

describe('stripe timestamp window', () => {
  const body = JSON.stringify(event('identity.verification_session.verified'));

  it('accepts a timestamp up to 300 s old or ahead by default, and refuses beyond with 401 stale_timestamp', () => {
    for (const offset of [-300, -1, 0, 1, 300])
      expect({ offset, accepted: authenticateWith(stripeProvider, signed(body, { timestamp: NOW_SECONDS + offset }), credentials()).providerEventId }).toEqual({ offset, accepted: 'evt_1' });
    for (const offset of [-301, -86_400, 301, 86_400]) expect({ offset, ...refusedAs(signed(body, { timestamp: NOW_SECONDS + offset })) }).toEqual({ offset, reason: 'stale_timestamp', status: 401 });
  });

  it('follows timestampToleranceSeconds, and 0 turns the window off', () => {
    expect(refusedAs(signed(body, { timestamp: NOW_SECONDS - 61 }), credentials(SECRET, { timestampToleranceSeconds: 60 }))).toEqual({ reason: 'stale_timestamp', status: 401 });
    expect(authenticateWith(stripeProvider, signed(body, { timestamp: NOW_SECONDS - 60 }), credentials(SECRET, { timestampToleranceSeconds: 60 })).providerEventId).toBe('evt_1');
    const off = credentials(SECRET, { timestampToleranceSeconds: 0 });
    for (const offset of [-86_400 * 365, 86_400 * 365]) expect(authenticateWith(stripeProvider, signed(body, { timestamp: NOW_SECONDS + offset }), off).providerEventId).toBe('evt_1');
  });

  it('checks the signature before the window: a stale forgery is invalid_signature, not stale_timestamp', () => {
    expect(refusedAs(signed(body, { timestamp: NOW_SECONDS - 3_600, secret: 'whsec_other' }))).toEqual({ reason: 'invalid_signature', status: 401 });
  });

  it('checks the window on the signed timestamp: moving t breaks the signature', () => {
    const stale = header(body, NOW_SECONDS - 3_600);
    const moved = stale.replace(`t=${NOW_SECONDS - 3_600}`, `t=${NOW_SECONDS}`);
    expect(refusedAs(inbound(body, { 'stripe-signature': moved }))).toEqual({ reason: 'invalid_signature', status: 401 });
  });
});

describe('stripe secret rotation', () => {
  const body = JSON.stringify(event('identity.verification_session.verified'));
  const OLD = 'whsec_old_endpoint_secret';
  const NEW = 'whsec_new_endpoint_secret';
  const rolling = `t=${NOW_SECONDS},v1=${v1(body, NOW_SECONDS, NEW)},v1=${v1(body, NOW_SECONDS, OLD)}`;

  it('while Stripe signs with both secrets, a connection holding either accepts, one holding neither refuses', () => {
    for (const secret of [OLD, NEW]) expect(authenticateWith(stripeProvider, inbound(body, { 'stripe-signature': rolling }), credentials(secret)).providerEventId).toBe('evt_1');
    expect(refusedAs(inbound(body, { 'stripe-signature': rolling }), credentials('whsec_third'))).toEqual({ reason: 'invalid_signature', status: 401 });
  });

  it('agrees with the SDK on the rolling header', () => {
    for (const secret of [OLD, NEW]) expect(stripe.webhooks.constructEvent(body, rolling, secret, 300, undefined, NOW.getTime())).toMatchObject({ id: 'evt_1' });
  });
});

describe('stripe dedup key', () => {
  it('is the event id, the same for a redelivery (new t, new signature) and different for another event', () => {
    const body = JSON.stringify(event('identity.verification_session.verified'));
    const first = authenticateWith(stripeProvider, signed(body), credentials()).providerEventId;
    const redelivered = authenticateWith(stripeProvider, signed(body, { timestamp: NOW_SECONDS + 120, receivedAt: new Date(NOW.getTime() + 120_000) }), credentials()).providerEventId;
    expect(first).toBe('evt_1');
    expect(redelivered).toBe(first);
    const other = JSON.stringify(event('identity.verification_session.verified', session(), { id: 'evt_2' }));
    expect(authenticateWith(stripeProvider, signed(other), credentials()).providerEventId).toBe('evt_2');
  });

  it('never falls back to a digest: Stripe events always carry an id (an event without one is refused)', () => {
    const body = JSON.stringify({ ...event('identity.verification_session.verified'), id: undefined });
    expect(refusedAs(signed(body))).toEqual({ reason: 'malformed', status: 400 });
    expect(authenticateWith(stripeProvider, signed(JSON.stringify(event('identity.verification_session.verified'))), credentials()).providerEventId).not.toBe(
      TEST_EVENT_ID_DIGEST(event('identity.verification_session.verified')),
    );
  });
});

describe('stripe adapter surface', () => {
  it('recognizes requests by the Stripe-Signature header', () => {
    expect(recognizes(stripeProvider, inbound('{}', { 'stripe-signature': 'x' }))).toBe(true);
    expect(recognizes(stripeProvider, inbound('{}', { 'complycube-signature': 'x' }))).toBe(false);
    expect(stripeProvider.signatureHeaders).toEqual(['stripe-signature']);
    expect(stripeProvider.environment.secrets).toEqual({ webhookSecret: 'STRIPE_WEBHOOK_SECRET' });
    expect(stripeProvider.displayName).toBe('Stripe Identity');
  });

  it('parses options: requiredHeaders (default {}) and timestampToleranceSeconds (default 300, 0 = off)', () => {
    expect(stripeProvider.optionNames).toEqual(['requiredHeaders', 'timestampToleranceSeconds', ...ALERT_OPTION_NAMES]);
    expect(stripeProvider.parseOptions({})).toEqual({ ...DEFAULT_ALERT_OPTIONS, requiredHeaders: {}, timestampToleranceSeconds: 300 });
    const parsed = stripeProvider.parseOptions({ requiredHeaders: { authorization: 'Bearer t' }, timestampToleranceSeconds: 0 });
    expect(parsed).toEqual({ ...DEFAULT_ALERT_OPTIONS, requiredHeaders: { authorization: 'Bearer t' }, timestampToleranceSeconds: 0 });
    expect(stripeProvider.parseOptions(parsed)).toEqual(parsed);
    expect(stripeProvider.parseOptions({ timestampToleranceSeconds: null })).toEqual({ ...DEFAULT_ALERT_OPTIONS, requiredHeaders: {}, timestampToleranceSeconds: 300 });
    expect(stripeProvider.parseOptions({ timestampToleranceSeconds: 86_400 }).timestampToleranceSeconds).toBe(86_400);
    for (const bad of [-1, 1.5, '300', 86_401, true, Number.NaN]) expect(() => stripeProvider.parseOptions({ timestampToleranceSeconds: bad })).toThrow(ConnectionConfigError);
    expect(() => stripeProvider.parseOptions({ tolerance: 300 })).toThrow(ConnectionConfigError);
    expect(() => stripeProvider.parseOptions({ signatureKey: 'utf8' })).toThrow(ConnectionConfigError);
    expect(() => stripeProvider.parseOptions({ requiredHeaders: ['a'] })).toThrow(ConnectionConfigError);
    expect(() => stripeProvider.parseOptions({ requiredHeaders: { 'bad name': 'v' } })).toThrow(ConnectionConfigError);
  });

  it('checks the webhook secret: whsec_ and no blanks, never echoing it', () => {
    expect(() => stripeProvider.checkSecrets({ webhookSecret: 'whsec_abc123' }, {})).not.toThrow();
    expect(() => stripeProvider.checkSecrets(stripeProvider.simulator.generateSecrets(), {})).not.toThrow();
    for (const bad of ['', 'whsec_', 'sk_test_51Hxyz', 'whsec_abc\n', ' whsec_abc', 'whsec_a b']) {
      let thrown: unknown;
      try {
        stripeProvider.checkSecrets({ webhookSecret: bad }, {});
      } catch (error) {
        thrown = error;
      }
      expect({ bad, thrown }).toEqual({ bad, thrown: expect.any(ConnectionConfigError) });
      if (bad.length > 6) expect((thrown as Error).message).not.toContain(bad.trim());
    }
    expect(() => stripeProvider.checkSecrets({}, {})).toThrow(ConnectionConfigError);
  });

  it('warns when the timestamp window is off', () => {
    expect(stripeProvider.securityWarnings(credentials())).toEqual([]);
    expect(stripeProvider.securityWarnings(credentials(SECRET, { timestampToleranceSeconds: 0 }))).toEqual([expect.stringContaining('timestampToleranceSeconds')]);
  });
});

describe('stripe mapping', () => {
  it.each([
    ['identity.verification_session.created', 'verification.created', 'created'],
    ['identity.verification_session.processing', 'verification.processing', 'processing'],
    ['identity.verification_session.requires_input', 'verification.incomplete', 'incomplete'],
    ['identity.verification_session.verified', 'verification.approved', 'approved'],
    ['identity.verification_session.canceled', 'verification.cancelled', 'cancelled'],
    ['identity.verification_session.redacted', 'verification_session.redacted', null],
  ])('%s -> %s / %s', (vendorType, type, status) => {
    expect(normalize(event(vendorType))).toMatchObject({ type, status, occurredAt: '2024-05-01T10:00:00.000Z' });
  });

  it('lists every documented session type', () => {
    expect([...STRIPE_EVENT_TYPES].sort()).toEqual(['created', 'processing', 'requires_input', 'verified', 'canceled', 'redacted'].map((action) => `identity.verification_session.${action}`).sort());
  });

  it('the type decides, not data.object.status', () => {
    expect(normalize(event('identity.verification_session.verified', session({ status: 'requires_input' })))).toMatchObject({
      type: 'verification.approved',
      status: 'approved',
      details: { status: 'requires_input' },
    });
  });

  it.each(['charge.succeeded', 'identity.verification_session.something_new', 'identity.verification_report.created', 'customer.created', 'constructor', '__proto__'])(
    'maps another Stripe type %s to stripe.<type> with status null',
    (vendorType) => {
      expect(normalize(event(vendorType, { id: 'ch_1', object: 'charge', status: 'succeeded' }))).toMatchObject({
        type: `stripe.${vendorType}`,
        status: null,
        subject: {},
        details: { livemode: false },
      });
    },
  );

  it('keeps the verification session fields as details, and only them', () => {
    const requiresInput = normalize(
      event(
        'identity.verification_session.requires_input',
        session({ status: 'requires_input', type: 'id_number', last_error: { code: 'id_number_mismatch', reason: 'The information provided for Jenny Rosen could not be verified.' } }),
        { livemode: true },
      ),
    );
    expect(requiresInput.details).toEqual({ livemode: true, status: 'requires_input', lastErrorCode: 'id_number_mismatch', sessionType: 'id_number' });
    const redacted = normalize(event('identity.verification_session.redacted', session({ redaction: { status: 'redacted' } })));
    expect(redacted.details).toEqual({ livemode: false, status: 'verified', sessionType: 'document', redactionStatus: 'redacted' });
    // Values of other kinds are not copied.
    const odd = normalize(event('identity.verification_session.processing', session({ status: 7, type: { x: 1 }, last_error: 'x', redaction: [] }), { livemode: 'no' }));
    expect(odd.details).toEqual({});
  });

  it('never copies verified_outputs, provided_details, last_error.reason, metadata or URLs', () => {
    const body = event(
      'identity.verification_session.verified',
      session({
        verified_outputs: FAKE_PERSON,
        provided_details: { email: 'jenny.rosen@example.com', phone: '+14155550123' },
        last_error: { code: null, reason: 'Jenny Rosen' },
        metadata: { user_id: 'u-1', note: 'Jenny Rosen 1987' },
        url: 'https://verify.stripe.com/start/Jenny',
        client_secret: 'vs_1_secret_Jenny',
      }),
    );
    const normalized = normalize(body);
    expect(JSON.stringify(normalized)).not.toMatch(PERSONAL);
    expect(normalized.details).toEqual({ livemode: false, status: 'verified', sessionType: 'document' });
  });

  it('fills the subject from a verification session: its id, client_reference_id else metadata.user_id', () => {
    expect(normalize(event('identity.verification_session.verified')).subject).toEqual({ verificationId: 'vs_1', externalUserId: 'user-42' });
    expect(normalize(event('identity.verification_session.verified', session({ client_reference_id: null, metadata: { user_id: 'member-7' } }))).subject).toEqual({
      verificationId: 'vs_1',
      externalUserId: 'member-7',
    });
    expect(normalize(event('identity.verification_session.verified', session({ client_reference_id: '', metadata: { user_id: 'member-7' } }))).subject.externalUserId).toBe('member-7');
    expect(normalize(event('identity.verification_session.verified', session({ client_reference_id: 'ref', metadata: { user_id: 'member-7' } }))).subject.externalUserId).toBe('ref');
    expect(normalize(event('identity.verification_session.verified', session({ client_reference_id: null, metadata: { user_id: 5 } }))).subject).toEqual({ verificationId: 'vs_1' });
    expect(normalize(event('identity.verification_session.verified', session({ client_reference_id: undefined, metadata: null }))).subject).toEqual({ verificationId: 'vs_1' });
  });

  it('names no subject for an object that is not a verification session', () => {
    const checkout = { id: 'cs_1', object: 'checkout.session', client_reference_id: 'user-42', metadata: { user_id: 'u' }, status: 'complete' };
    expect(normalize(event('checkout.session.completed', checkout))).toEqual({
      type: 'stripe.checkout.session.completed',
      status: null,
      subject: {},
      details: { livemode: false },
      occurredAt: '2024-05-01T10:00:00.000Z',
    });
    // A session event whose object says otherwise keeps its type but names nobody.
    expect(normalize(event('identity.verification_session.verified', session({ object: 'identity.verification_report' })))).toMatchObject({ type: 'verification.approved', subject: {} });
  });

  it('takes occurredAt from created (unix seconds), and leaves it to the gateway when absent or not a time', () => {
    expect(normalize(event('identity.verification_session.verified', session(), { created: 1695680600 })).occurredAt).toBe('2023-09-25T22:23:20.000Z');
    expect(normalize(event('identity.verification_session.verified', session(), { created: 0 })).occurredAt).toBe('1970-01-01T00:00:00.000Z');
    for (const created of [undefined, '1695680600', -1, 1e20, Number.NaN, null]) {
      expect({ created, occurredAt: normalize(event('identity.verification_session.verified', session(), { created })).occurredAt }).toEqual({ created, occurredAt: undefined });
    }
  });

  it('tolerates data that is not an object at normalize time', () => {
    expect(normalize(event('identity.verification_session.verified', session(), { data: 'x' }))).toMatchObject({ type: 'verification.approved', subject: {}, details: { livemode: false } });
  });
});

describe('stripe simulator', () => {
  it.each(STRIPE_EVENT_TYPES.map((type) => [type]))('round-trips %s, and the SDK accepts it', (type) => {
    const creds = credentials(SECRET, { requiredHeaders: { authorization: 'Bearer t' } });
    const first = stripeProvider.simulator.build(type, creds);
    const second = stripeProvider.simulator.build(type, creds);
    expect(first.headers).toMatchObject({ 'content-type': expect.stringContaining('application/json'), authorization: 'Bearer t' });
    const webhook = inboundWebhook(first.body, first.headers);
    expect(recognizes(stripeProvider, webhook)).toBe(true);
    const decoded = authenticateWith(stripeProvider, webhook, creds);
    expect(decoded.providerEventType).toBe(type);
    expect(decoded.providerEventId).not.toBe(authenticateWith(stripeProvider, inboundWebhook(second.body, second.headers), creds).providerEventId);
    const normalized = stripeProvider.normalize(decoded);
    expect(normalized.type.startsWith('stripe.')).toBe(false);
    expect(normalized.subject.verificationId).toMatch(/^vs_/);
    expect(JSON.stringify(normalized)).not.toMatch(PERSONAL);
    expect(stripe.webhooks.constructEvent(first.body, first.headers['stripe-signature'], SECRET)).toMatchObject({ id: decoded.providerEventId, type });
  });

  it('puts fake verified_outputs on a verified session, which never reach the event', () => {
    const { body, headers } = stripeProvider.simulator.build('identity.verification_session.verified', credentials());
    expect(body).toMatch(PERSONAL);
    expect(JSON.stringify(stripeProvider.normalize(authenticateWith(stripeProvider, inboundWebhook(body, headers), credentials())))).not.toMatch(PERSONAL);
  });

  it('honours now and payload (merged over data.object; undefined removes a field), and builds any type', () => {
    const now = new Date('2024-01-02T03:04:05.000Z');
    const built = stripeProvider.simulator.build('identity.verification_session.requires_input', credentials(), { now, payload: { client_reference_id: 'fixed', last_error: undefined } });
    const parsed = JSON.parse(built.body) as { created: number; data: { object: Record<string, unknown> } };
    expect(parsed.created).toBe(now.getTime() / 1000);
    expect(built.headers['stripe-signature']).toMatch(new RegExp(`^t=${now.getTime() / 1000},v1=[0-9a-f]{64}$`));
    expect(parsed.data.object.client_reference_id).toBe('fixed');
    expect('last_error' in parsed.data.object).toBe(false);
    const other = stripeProvider.simulator.build('charge.succeeded', credentials());
    expect(stripeProvider.normalize(authenticateWith(stripeProvider, inboundWebhook(other.body, other.headers), credentials()))).toMatchObject({
      type: 'stripe.charge.succeeded',
      status: null,
      subject: {},
    });
  });

  it('generates endpoint secrets in Stripe format, fresh each time', () => {
    const one = stripeProvider.simulator.generateSecrets();
    expect(one.webhookSecret).toMatch(/^whsec_[A-Za-z0-9]{32}$/);
    expect(stripeProvider.simulator.generateSecrets().webhookSecret).not.toBe(one.webhookSecret);
    expect(stripeProvider.simulator.sampleEventType).toBe('identity.verification_session.verified');
  });
});
