import { ALERT_OPTION_NAMES, DEFAULT_ALERT_OPTIONS } from '../alert-options';
import { createHmac, randomBytes } from 'node:crypto';
import { authenticateWith, inboundWebhook, recognizes, refusalOf, TEST_EVENT_ID_DIGEST } from '@kyc/testing';
import { ConnectionConfigError, type ConnectionCredentials, type InboundWebhook } from '../provider.interface';
import { personaProvider } from './index';
import { PERSONA_EVENT_TYPES } from './persona.mapping';

const SECRET = 'wbhsec_test_persona';
const OLD_SECRET = 'wbhsec_test_persona_before_rotation';
const RECEIVED = new Date('2024-05-01T12:00:00.000Z');
const T = RECEIVED.getTime() / 1000;

const credentials = (secret = SECRET, options: Record<string, unknown> = {}): ConnectionCredentials => ({
  secrets: { webhookSecret: secret },
  options,
});

/** Persona's documented signature, computed here independently of the adapter. */
const sign = (body: string, secret = SECRET, t = T): string => createHmac('sha256', secret).update(`${t}.${body}`, 'utf8').digest('hex');
const signatureSet = (body: string, secret = SECRET, t = T): string => `t=${t},v1=${sign(body, secret, t)}`;
const inbound = (body: string, headers: Record<string, string | undefined>, receivedAt = RECEIVED): InboundWebhook => inboundWebhook(body, headers, receivedAt);
const signed = (body: string, secret = SECRET, t = T, receivedAt = RECEIVED): InboundWebhook => inbound(body, { 'persona-signature': signatureSet(body, secret, t) }, receivedAt);

/** The reason authenticate refused with, failing the test on anything but a WebhookRejection. */
function refusal(webhook: InboundWebhook, creds = credentials()): ReturnType<typeof refusalOf> {
  return refusalOf(personaProvider, webhook, creds);
}
const reasonOf = (webhook: InboundWebhook, creds = credentials()) => {
  const { reason, status } = refusal(webhook, creds);
  return { reason, status };
};

type Resource = Record<string, unknown>;
const related = (type: string, id: string) => ({ data: { type, id } });
const inquiry = (attributes: Record<string, unknown> = {}, relationships: Record<string, unknown> = {}): Resource => ({
  type: 'inquiry',
  id: 'inq_1',
  attributes: { status: 'approved', 'reference-id': 'user-1', ...attributes },
  relationships: { account: related('account', 'act_1'), 'inquiry-template': related('inquiry-template', 'itmpl_1'), ...relationships },
});
const event = (name: string, resource: Resource = inquiry(), attributes: Record<string, unknown> = {}) => ({
  data: { type: 'event', id: 'evt_1', attributes: { name, payload: { data: resource }, 'created-at': '2024-05-01T11:59:58.000Z', ...attributes } },
});
const normalize = (body: ReturnType<typeof event>) => personaProvider.normalize({ providerEventId: body.data.id, providerEventType: body.data.attributes.name, payload: body });

/** Values the simulator's fake person carries; none may reach a normalized event. */
const FAKE_PERSONAL_DATA = /Jane|Quinn|Doe|1990-01-01|Main Street|Springfield|D1234567|example\.com|5555550100/;

describe('persona signature', () => {
  it('accepts a correctly signed event and decodes it', () => {
    const body = JSON.stringify(event('inquiry.approved'));
    expect(authenticateWith(personaProvider, signed(body), credentials())).toEqual({
      providerEventId: 'evt_1',
      providerEventType: 'inquiry.approved',
      payload: JSON.parse(body),
    });
    // Hex in any case; entries of other names (a future `v2`) are ignored.
    const upper = inbound(body, { 'persona-signature': `t=${T},v1=${sign(body).toUpperCase()}` });
    expect(authenticateWith(personaProvider, upper, credentials()).providerEventId).toBe('evt_1');
    const withV2 = inbound(body, { 'persona-signature': `t=${T},v2=${'0'.repeat(64)},v1=${sign(body)}` });
    expect(authenticateWith(personaProvider, withV2, credentials()).providerEventId).toBe('evt_1');
  });

  it('verifies the raw bytes: non-ASCII text and key order are signed as sent', () => {
    const body = `{"data":{"id":"evt_é","type":"event","attributes":{"payload":{"data":{"type":"inquiry","id":"inq_✓"}},"name":"inquiry.created"}}}`;
    expect(authenticateWith(personaProvider, signed(body), credentials()).providerEventId).toBe('evt_é');
    // The same JSON re-serialized is other bytes: refused.
    const reserialized = JSON.stringify(JSON.parse(body), null, 1);
    expect(reasonOf(inbound(reserialized, { 'persona-signature': signatureSet(body) }))).toEqual({ reason: 'invalid_signature', status: 401 });
  });

  it('refuses a tampered body, a wrong secret, another timestamp and a missing header with 401', () => {
    const body = JSON.stringify(event('inquiry.approved'));
    expect(reasonOf(inbound(body.replace('approved', 'declined'), { 'persona-signature': signatureSet(body) }))).toEqual({ reason: 'invalid_signature', status: 401 });
    expect(reasonOf(signed(body, 'wbhsec_other'))).toEqual({ reason: 'invalid_signature', status: 401 });
    // `t` is signed: a replay cannot refresh it.
    expect(reasonOf(inbound(body, { 'persona-signature': `t=${T + 1},v1=${sign(body)}` }))).toEqual({ reason: 'invalid_signature', status: 401 });
    expect(reasonOf(inbound(body, {}))).toEqual({ reason: 'missing_signature', status: 401 });
    expect(reasonOf(inbound(body, { 'persona-signature': '   ' }))).toEqual({ reason: 'missing_signature', status: 401 });
  });

  it.each([
    ['garbage', 'not a signature'],
    ['no t', 'v1=GOOD'],
    ['no v1', `t=${T}`],
    ['a non-numeric t', 't=now,v1=GOOD'],
    ['a bare digest', 'GOOD'],
    ['a prefixed digest', `t=${T},v1=sha256=GOOD`],
    ['an empty v1', `t=${T},v1=`],
    ['a short v1', `t=${T},v1=abcd`],
    ['an odd-length v1', `t=${T},v1=${'a'.repeat(63)}`],
    ['a too long v1', `t=${T},v1=${'a'.repeat(66)}`],
    ['a non-hex v1', `t=${T},v1=${'z'.repeat(64)}`],
    ['valid plus trailing garbage', `t=${T},v1=GOOD!`],
    ['a base64 v1', `t=${T},v1=BASE64`],
  ])('refuses %s with 401 and no other error', (_name, raw) => {
    const body = JSON.stringify(event('inquiry.approved'));
    const value = raw.replace('GOOD', sign(body)).replace('BASE64', Buffer.from(sign(body), 'hex').toString('base64'));
    expect(refusal(inbound(body, { 'persona-signature': value })).status).toBe(401);
  });

  it('refuses a credential set without a secret as 401, never a throw of another kind', () => {
    const body = JSON.stringify(event('inquiry.approved'));
    expect(refusal(signed(body), { secrets: {}, options: {} }).status).toBe(401);
    expect(refusal(signed(body, ''), credentials('')).status).toBe(401);
  });

  describe("Persona's secret rotation: two space-separated sets, either may match", () => {
    const body = JSON.stringify(event('inquiry.declined'));
    const rotating = `${signatureSet(body, OLD_SECRET)} ${signatureSet(body, SECRET)}`;

    it('verifies under the old secret and under the new one, in either order', () => {
      for (const value of [rotating, `${signatureSet(body, SECRET)} ${signatureSet(body, OLD_SECRET)}`]) {
        for (const secret of [OLD_SECRET, SECRET]) {
          expect(authenticateWith(personaProvider, inbound(body, { 'persona-signature': value }), credentials(secret)).providerEventType).toBe('inquiry.declined');
        }
      }
    });

    it('refuses both sets under a third secret, and a set that is not the body’s', () => {
      expect(reasonOf(inbound(body, { 'persona-signature': rotating }), credentials('wbhsec_third'))).toEqual({ reason: 'invalid_signature', status: 401 });
      const other = JSON.stringify(event('inquiry.approved'));
      expect(reasonOf(inbound(body, { 'persona-signature': `${signatureSet(other, OLD_SECRET)} ${signatureSet(other, SECRET)}` }))).toEqual({ reason: 'invalid_signature', status: 401 });
    });

    it('a malformed set next to a valid one does not hide it', () => {
      expect(authenticateWith(personaProvider, inbound(body, { 'persona-signature': `t=x,v1=zz ${signatureSet(body)}` }), credentials()).providerEventId).toBe('evt_1');
    });

    it('applies the timestamp window to the matching set', () => {
      const old = T - 301;
      const stale = `${signatureSet(body, OLD_SECRET, old)} ${signatureSet(body, SECRET, old)}`;
      expect(reasonOf(inbound(body, { 'persona-signature': stale }), credentials(OLD_SECRET))).toEqual({ reason: 'stale_timestamp', status: 401 });
    });
  });

  describe('timestamp window (default 300 s, both directions)', () => {
    const body = JSON.stringify(event('inquiry.approved'));

    it.each([
      ['300 s old', -300, true],
      ['301 s old', -301, false],
      ['an hour old', -3600, false],
      ['300 s ahead', 300, true],
      ['301 s ahead', 301, false],
      ['a day ahead', 86_400, false],
    ])('a signature %s: accepted %s', (_name, offset, accepted) => {
      const webhook = signed(body, SECRET, T + offset);
      if (accepted) expect(authenticateWith(personaProvider, webhook, credentials()).providerEventId).toBe('evt_1');
      else expect(reasonOf(webhook)).toEqual({ reason: 'stale_timestamp', status: 401 });
    });

    it('tolerance 0 turns the window off', () => {
      for (const offset of [-10 * 86_400, -301, 301, 10 * 86_400]) {
        expect(authenticateWith(personaProvider, signed(body, SECRET, T + offset), credentials(SECRET, { timestampToleranceSeconds: 0 })).providerEventId).toBe('evt_1');
      }
    });

    it('a narrower window is honoured', () => {
      const narrow = credentials(SECRET, { timestampToleranceSeconds: 60 });
      expect(authenticateWith(personaProvider, signed(body, SECRET, T - 60), narrow).providerEventId).toBe('evt_1');
      expect(reasonOf(signed(body, SECRET, T - 61), narrow)).toEqual({ reason: 'stale_timestamp', status: 401 });
    });

    it('only a matching signature can be stale: an old one under a wrong secret is invalid', () => {
      expect(reasonOf(signed(body, 'wbhsec_other', T - 3600))).toEqual({ reason: 'invalid_signature', status: 401 });
    });

    it('the simulator signs at `now`: an hour-old simulated request is stale when received now', () => {
      const request = personaProvider.simulator.build('inquiry.approved', credentials(), { now: new Date(RECEIVED.getTime() - 3_600_000) });
      expect(reasonOf(inbound(request.body, request.headers))).toEqual({ reason: 'stale_timestamp', status: 401 });
    });
  });

  it.each([
    ['not JSON', 'not json'],
    ['an array', '[]'],
    ['null', 'null'],
    ['a string', '"inquiry.approved"'],
    ['an empty object', '{}'],
    ['data that is an array', JSON.stringify({ data: [] })],
    ['a resource instead of an event', JSON.stringify({ data: inquiry() })],
    ['no id', JSON.stringify({ data: { type: 'event', attributes: event('inquiry.approved').data.attributes } })],
    ['a numeric id', JSON.stringify({ data: { ...event('inquiry.approved').data, id: 1 } })],
    ['an empty id', JSON.stringify({ data: { ...event('inquiry.approved').data, id: '' } })],
    ['no attributes', JSON.stringify({ data: { type: 'event', id: 'evt_1' } })],
    ['no name', JSON.stringify(event('inquiry.approved', inquiry(), { name: undefined }))],
    ['an empty name', JSON.stringify(event('', inquiry()))],
    ['a numeric name', JSON.stringify(event('inquiry.approved', inquiry(), { name: 7 }))],
    ['no payload', JSON.stringify(event('inquiry.approved', inquiry(), { payload: undefined }))],
    ['a payload that is a string', JSON.stringify(event('inquiry.approved', inquiry(), { payload: 'x' }))],
    ['a payload without data', JSON.stringify(event('inquiry.approved', inquiry(), { payload: {} }))],
    ['payload data that is an array', JSON.stringify(event('inquiry.approved', inquiry(), { payload: { data: [] } }))],
  ])('answers 400 to a correctly signed body that is %s', (_name, body) => {
    expect(reasonOf(signed(body))).toEqual({ reason: 'malformed', status: 400 });
  });

  it('refusal messages never contain the secret or payload values', () => {
    const body = JSON.stringify(event('inquiry.approved', inquiry({ 'name-first': 'Jane' }), { payload: 'Jane Doe evt_secret' }));
    const webhooks = [
      signed(body),
      signed(body, SECRET, T - 3600),
      signed(body, 'wbhsec_other'),
      inbound(body, { 'persona-signature': 'Jane' }),
      inbound(body, { 'persona-signature': `t=${T},v1=${SECRET}` }),
    ];
    for (const webhook of webhooks) expect(refusal(webhook).message).not.toMatch(/Jane|wbhsec|evt_|inq_|inquiry\.approved/);
  });
});

describe('persona dedup key', () => {
  it("is Persona's event id: a redelivery (new `t`, same event) gives the same key, another event another", () => {
    const body = JSON.stringify(event('inquiry.approved'));
    const first = authenticateWith(personaProvider, signed(body, SECRET, T - 3), credentials());
    const retry = authenticateWith(personaProvider, signed(body, SECRET, T), credentials());
    expect(retry.providerEventId).toBe(first.providerEventId);
    expect(first.providerEventId).toBe('evt_1');
    const other = JSON.stringify({ data: { ...event('inquiry.approved').data, id: 'evt_2' } });
    expect(authenticateWith(personaProvider, signed(other), credentials()).providerEventId).toBe('evt_2');
  });

  it('is never a digest: every event carries an id, and a body without one is refused rather than digested', () => {
    const body = JSON.stringify(event('inquiry.approved'));
    const decoded = authenticateWith(personaProvider, signed(body), credentials());
    expect(decoded.providerEventId).not.toBe(TEST_EVENT_ID_DIGEST(JSON.parse(body)));
    expect(decoded.providerEventId).not.toMatch(/^hmac:/);
    expect(reasonOf(signed(JSON.stringify({ data: { type: 'event', attributes: event('inquiry.approved').data.attributes } })))).toEqual({ reason: 'malformed', status: 400 });
  });

  it('differs for every simulated event', () => {
    const ids = new Set(
      Array.from({ length: 50 }, () => {
        const request = personaProvider.simulator.build('inquiry.approved', credentials());
        return authenticateWith(personaProvider, inboundWebhook(request.body, request.headers), credentials()).providerEventId;
      }),
    );
    expect(ids.size).toBe(50);
  });
});

describe('persona adapter surface', () => {
  it('recognizes requests by the Persona-Signature header and redacts it from logs', () => {
    expect(recognizes(personaProvider, inbound('{}', { 'persona-signature': 'x' }))).toBe(true);
    expect(recognizes(personaProvider, inbound('{}', { 'complycube-signature': 'x' }))).toBe(false);
    expect(personaProvider.signatureHeaders).toEqual(['persona-signature']);
  });

  it('names itself and its environment variable', () => {
    expect({ name: personaProvider.name, displayName: personaProvider.displayName }).toEqual({ name: 'persona', displayName: 'Persona' });
    expect(personaProvider.secretFields).toEqual({ required: ['webhookSecret'], optional: [] });
    expect(personaProvider.environment).toEqual({ secrets: { webhookSecret: 'PERSONA_WEBHOOK_SECRET' }, options: {} });
    expect(personaProvider.optionNames).toEqual(['requiredHeaders', 'timestampToleranceSeconds', ...ALERT_OPTION_NAMES]);
  });

  it('parses options: defaults, idempotence, bounds, unknown keys refused', () => {
    expect(personaProvider.parseOptions({})).toEqual({ ...DEFAULT_ALERT_OPTIONS, requiredHeaders: {}, timestampToleranceSeconds: 300 });
    const parsed = personaProvider.parseOptions({ requiredHeaders: { authorization: 'Bearer t' }, timestampToleranceSeconds: 0 });
    expect(parsed).toEqual({ ...DEFAULT_ALERT_OPTIONS, requiredHeaders: { authorization: 'Bearer t' }, timestampToleranceSeconds: 0 });
    expect(personaProvider.parseOptions(parsed)).toEqual(parsed);
    expect(personaProvider.parseOptions({ timestampToleranceSeconds: 86_400 }).timestampToleranceSeconds).toBe(86_400);
    expect(personaProvider.parseOptions({ timestampToleranceSeconds: null }).timestampToleranceSeconds).toBe(300);
    for (const bad of [-1, 1.5, '300', 86_401, true, {}]) {
      expect(() => personaProvider.parseOptions({ timestampToleranceSeconds: bad })).toThrow(ConnectionConfigError);
    }
    expect(() => personaProvider.parseOptions({ signatureKey: 'utf8' })).toThrow(ConnectionConfigError);
    expect(() => personaProvider.parseOptions({ timestampTolerance: 300 })).toThrow(ConnectionConfigError);
    expect(() => personaProvider.parseOptions({ requiredHeaders: ['a'] })).toThrow(ConnectionConfigError);
    expect(() => personaProvider.parseOptions({ requiredHeaders: { 'bad name': 'v' } })).toThrow(ConnectionConfigError);
    expect(() => personaProvider.prepare(credentials(SECRET, { timestampToleranceSeconds: -5 }))).toThrow(ConnectionConfigError);
  });

  it('checks the webhook secret', () => {
    expect(() => personaProvider.checkSecrets({ webhookSecret: 'wbhsec_abc' }, {})).not.toThrow();
    expect(() => personaProvider.checkSecrets({ webhookSecret: '' }, {})).toThrow(ConnectionConfigError);
    expect(() => personaProvider.checkSecrets({}, {})).toThrow(ConnectionConfigError);
    expect(personaProvider.securityWarnings(credentials())).toEqual([]);
  });
});

describe('persona mapping', () => {
  it.each([
    ['inquiry.created', 'verification.created', 'created'],
    ['inquiry.started', 'verification.started', 'started'],
    ['inquiry.completed', 'verification.completed', 'completed'],
    ['inquiry.failed', 'verification.rejected', 'rejected'],
    ['inquiry.marked-for-review', 'verification.review', 'review'],
    ['inquiry.approved', 'verification.approved', 'approved'],
    ['inquiry.declined', 'verification.rejected', 'rejected'],
    ['inquiry.expired', 'verification.expired', 'expired'],
    ['inquiry.transitioned', 'verification.updated', null],
  ])('%s -> %s / %s', (vendorType, type, status) => {
    expect(normalize(event(vendorType))).toMatchObject({ type, status, occurredAt: '2024-05-01T11:59:58.000Z', subject: { verificationId: 'inq_1' } });
  });

  it('the type decides, never the payload status', () => {
    expect(normalize(event('inquiry.approved', inquiry({ status: 'declined' })))).toMatchObject({ type: 'verification.approved', status: 'approved', details: { status: 'declined' } });
    expect(normalize(event('inquiry.completed', inquiry({ status: 'approved' })))).toMatchObject({ type: 'verification.completed', status: 'completed' });
    expect(normalize(event('inquiry.redacted', inquiry({ status: 'approved' })))).toMatchObject({ type: 'inquiry.redacted', status: null });
  });

  it.each([
    ['inquiry.redacted', 'inquiry.redacted'],
    ['inquiry.updated-tags', 'inquiry.updated-tags'],
    ['inquiry.reusable-persona-created', 'inquiry.reusable-persona-created'],
    ['inquiry-session.started', 'inquiry-session.started'],
    ['inquiry-session.canceled', 'inquiry-session.canceled'],
    ['account.created', 'account.created'],
    ['account.tag-added', 'account.tag-added'],
    ['account.some-new-action', 'account.some-new-action'],
    ['case.created', 'case.created'],
    ['case.status-updated', 'case.status-updated'],
    ['document.created', 'document.created'],
    ['document.errored', 'document.errored'],
    ['selfie.processed', 'selfie.processed'],
    ['transaction.status-updated', 'transaction.status-updated'],
    ['verification.created', 'check.created'],
    ['verification.submitted', 'check.submitted'],
    ['verification.passed', 'check.passed'],
    ['verification.failed', 'check.failed'],
    ['verification.requires-retry', 'check.requires-retry'],
    ['verification.canceled', 'check.canceled'],
    ['report/watchlist.matched', 'report.matched'],
    ['report/watchlist.ready', 'report.ready'],
    ['report/politically-exposed-person.errored', 'report.errored'],
    ['report/some-new-kind.ready', 'report.ready'],
  ])('resource event %s -> %s, status null', (vendorType, type) => {
    expect(normalize(event(vendorType, { type: 'x', id: 'x_1' }))).toMatchObject({ type, status: null });
  });

  it.each([
    'workflow-run.created',
    'graph-query.completed',
    'report.ready',
    'inquiry',
    'inquiry.',
    '.approved',
    'report/.ready',
    'verification.passed.again',
    'Inquiry.approved',
    'constructor',
    'toString.x',
    '__proto__.x',
  ])('maps unknown type %s to persona.<type> with status null', (vendorType) => {
    expect(normalize(event(vendorType, { type: 'x', id: 'x_1' }))).toMatchObject({ type: `persona.${vendorType}`, status: null });
  });

  it('fills the subject and details of an inquiry', () => {
    const normalized = normalize(event('inquiry.approved'));
    expect(normalized.subject).toEqual({ applicantId: 'act_1', verificationId: 'inq_1', externalUserId: 'user-1' });
    expect(normalized.details).toEqual({ name: 'inquiry.approved', status: 'approved', resourceType: 'inquiry', templateId: 'itmpl_1' });
    // The older `template` relationship (blu_...) where there is no inquiry template; `account-id` where no relationship.
    const older = normalize(
      event('inquiry.approved', inquiry({ 'reference-id': null, 'account-id': 'act_2' }, { account: { data: null }, 'inquiry-template': undefined, template: related('template', 'blu_1') })),
    );
    expect(older.subject).toEqual({ applicantId: 'act_2', verificationId: 'inq_1' });
    expect(older.details.templateId).toBe('blu_1');
    expect(normalize(event('inquiry.created', { type: 'inquiry', id: 'inq_3' })).subject).toEqual({ verificationId: 'inq_3' });
    // A resource without its JSON:API type is what the event name says.
    expect(normalize(event('inquiry.created', { id: 'inq_4' })).subject).toEqual({ verificationId: 'inq_4' });
  });

  it('carries the step transition of inquiry.transitioned', () => {
    const steps = { 'previous-step-name': 'verification_government_id', 'next-step-name': 'verification_selfie' };
    expect(normalize(event('inquiry.transitioned', inquiry({ status: 'pending', ...steps }))).details).toEqual({
      name: 'inquiry.transitioned',
      status: 'pending',
      resourceType: 'inquiry',
      templateId: 'itmpl_1',
      transition: { from: 'verification_government_id', to: 'verification_selfie' },
    });
    expect(normalize(event('inquiry.transitioned', inquiry({ 'previous-step-name': null, 'next-step-name': 'start' }))).details.transition).toEqual({ to: 'start' });
    expect(normalize(event('inquiry.transitioned', inquiry())).details.transition).toEqual({});
    // Other inquiry events do not carry it.
    expect(normalize(event('inquiry.completed', inquiry(steps))).details.transition).toBeUndefined();
  });

  it('fills the subject of an account, a check, a report and other resources', () => {
    const account = normalize(event('account.created', { type: 'account', id: 'act_9', attributes: { 'reference-id': 'user-9', 'name-first': 'Jane' } }));
    expect(account.subject).toEqual({ applicantId: 'act_9', externalUserId: 'user-9' });
    expect(account.details).toEqual({ name: 'account.created', resourceType: 'account' });

    const check = normalize(event('verification.failed', { type: 'verification/selfie', id: 'ver_1', attributes: { status: 'failed' }, relationships: { inquiry: related('inquiry', 'inq_1') } }));
    expect(check.subject).toEqual({ verificationId: 'inq_1', checkId: 'ver_1' });
    expect(check.details).toEqual({ name: 'verification.failed', status: 'failed', resourceType: 'verification/selfie' });

    const report = normalize(
      event('report/watchlist.matched', {
        type: 'report/watchlist',
        id: 'rep_1',
        attributes: { status: 'ready' },
        relationships: { inquiry: related('inquiry', 'inq_1'), account: related('account', 'act_1') },
      }),
    );
    expect(report.subject).toEqual({ applicantId: 'act_1', verificationId: 'inq_1' });
    expect(report.details).toEqual({ name: 'report/watchlist.matched', status: 'ready', resourceType: 'report/watchlist', resourceId: 'rep_1' });

    // A transaction's reference id is not the user's: it stays out of the subject.
    const transaction = normalize(event('transaction.labeled', { type: 'transaction', id: 'txn_1', attributes: { status: 'approved', 'reference-id': 'order-1' } }));
    expect(transaction.subject).toEqual({});
    expect(transaction.details).toEqual({ name: 'transaction.labeled', status: 'approved', resourceType: 'transaction', resourceId: 'txn_1' });
  });

  it.each([
    ['camelCase', { referenceId: 'user-1', previousStepName: 'a', nextStepName: 'b' }, { account: related('account', 'act_1'), inquiryTemplate: related('inquiry-template', 'itmpl_1') }, 'createdAt'],
    [
      'snake_case',
      { reference_id: 'user-1', previous_step_name: 'a', next_step_name: 'b' },
      { account: related('account', 'act_1'), inquiry_template: related('inquiry-template', 'itmpl_1') },
      'created_at',
    ],
  ])('reads a webhook configured with %s keys', (_name, attributes, relationships, createdAt) => {
    const resource = { type: 'inquiry', id: 'inq_1', attributes: { status: 'pending', ...attributes }, relationships };
    const body = { data: { type: 'event', id: 'evt_1', attributes: { name: 'inquiry.transitioned', payload: { data: resource }, [createdAt]: '2024-05-01T11:59:58.000Z' } } };
    expect(personaProvider.normalize({ providerEventId: 'evt_1', providerEventType: 'inquiry.transitioned', payload: body })).toEqual({
      type: 'verification.updated',
      status: null,
      subject: { applicantId: 'act_1', verificationId: 'inq_1', externalUserId: 'user-1' },
      details: { name: 'inquiry.transitioned', status: 'pending', resourceType: 'inquiry', templateId: 'itmpl_1', transition: { from: 'a', to: 'b' } },
      occurredAt: '2024-05-01T11:59:58.000Z',
    });
  });

  it('takes occurredAt from the event created-at, else leaves it to the gateway', () => {
    expect(normalize(event('inquiry.approved', inquiry(), { 'created-at': '2024-05-01T13:59:58+02:00' })).occurredAt).toBe('2024-05-01T11:59:58.000Z');
    // The resource's own created-at is not the event's time.
    expect(normalize(event('inquiry.approved', inquiry({ 'created-at': '2024-01-01T00:00:00.000Z' }), { 'created-at': undefined })).occurredAt).toBeUndefined();
    expect(normalize(event('inquiry.approved', inquiry(), { 'created-at': 'yesterday' })).occurredAt).toBeUndefined();
    expect(normalize(event('inquiry.approved', inquiry(), { 'created-at': 1714564798 })).occurredAt).toBeUndefined();
  });

  it('copies no personal data: names, birth dates, addresses, document numbers, emails, phones, fields', () => {
    const personal = {
      'name-first': 'Jane',
      'name-middle': 'Quinn',
      'name-last': 'Doe',
      birthdate: '1990-01-01',
      'address-street-1': '1 Main Street',
      'address-city': 'Springfield',
      'identification-number': 'D1234567',
      'social-security-number': '123-45-6789',
      'email-address': 'jane.doe@example.com',
      'phone-number': '+15555550100',
      creator: 'reviewer@example.com',
      note: 'Jane looked nervous',
      fields: { 'name-first': { type: 'string', value: 'Jane' } },
    };
    for (const type of ['inquiry.approved', 'inquiry.transitioned', 'account.created', 'verification.passed', 'document.processed']) {
      const normalized = normalize(event(type, inquiry(personal)));
      expect({ type, leaked: JSON.stringify(normalized) }).toEqual({ type, leaked: expect.not.stringMatching(/Jane|Quinn|Doe|1990|Main|Springfield|D1234567|6789|example\.com|5555550100|nervous/) });
    }
  });

  it('tolerates a resource that is not an object', () => {
    expect(normalize(event('inquiry.approved', 'x' as unknown as Resource))).toEqual({
      type: 'verification.approved',
      status: 'approved',
      subject: {},
      details: { name: 'inquiry.approved' },
      occurredAt: '2024-05-01T11:59:58.000Z',
    });
  });
});

describe('persona simulator', () => {
  it.each(PERSONA_EVENT_TYPES.map((t) => [t]))('round-trips %s', (type) => {
    const creds = credentials(SECRET, { requiredHeaders: { authorization: 'Bearer t' } });
    const first = personaProvider.simulator.build(type, creds);
    const second = personaProvider.simulator.build(type, creds);
    expect(first.headers).toMatchObject({ 'content-type': 'application/json', authorization: 'Bearer t', 'persona-signature': expect.stringMatching(/^t=\d+,v1=[0-9a-f]{64}$/) });
    const webhook = inboundWebhook(first.body, first.headers);
    expect(recognizes(personaProvider, webhook)).toBe(true);
    const decoded = authenticateWith(personaProvider, webhook, creds);
    expect(decoded.providerEventType).toBe(type);
    expect(decoded.providerEventId).toMatch(/^evt_[A-Za-z0-9]{24}$/);
    expect(decoded.providerEventId).not.toBe(authenticateWith(personaProvider, inboundWebhook(second.body, second.headers), creds).providerEventId);
    const normalized = personaProvider.normalize(decoded);
    expect(normalized.type.startsWith('persona.')).toBe(false);
    expect({ type, leaked: JSON.stringify(normalized) }).toEqual({ type, leaked: expect.not.stringMatching(FAKE_PERSONAL_DATA) });
  });

  it('sends fake personal data where Persona does, so the specs above prove it never leaks', () => {
    for (const type of ['inquiry.approved', 'account.created', 'verification.passed', 'document.processed']) {
      expect({ type, body: personaProvider.simulator.build(type, credentials()).body }).toEqual({ type, body: expect.stringMatching(FAKE_PERSONAL_DATA) });
    }
  });

  it('honours now and payload (merged over the resource; attributes one level deeper; undefined removes)', () => {
    const now = new Date('2024-01-02T03:04:05.000Z');
    const request = personaProvider.simulator.build('inquiry.approved', credentials(), {
      now,
      payload: { id: 'inq_fixed', attributes: { status: 'declined', 'name-first': undefined } },
    });
    const body = JSON.parse(request.body) as { data: { attributes: { 'created-at': string; payload: { data: { id: string; attributes: Record<string, unknown> } } } } };
    expect(body.data.attributes['created-at']).toBe(now.toISOString());
    expect(request.headers['persona-signature']).toMatch(new RegExp(`^t=${now.getTime() / 1000},`));
    const resource = body.data.attributes.payload.data;
    expect(resource.id).toBe('inq_fixed');
    expect(resource.attributes).toMatchObject({ status: 'declined', 'reference-id': expect.any(String) });
    expect(resource.attributes).not.toHaveProperty('name-first');
  });

  it('generates secrets of the wbhsec_ format, fresh each time', () => {
    const first = personaProvider.simulator.generateSecrets();
    expect(first).toEqual({ webhookSecret: expect.stringMatching(/^wbhsec_[A-Za-z0-9_-]{32}$/) });
    expect(personaProvider.simulator.generateSecrets().webhookSecret).not.toBe(first.webhookSecret);
  });

  it('covers every type vendors.md lists and builds random secrets that verify', () => {
    expect(PERSONA_EVENT_TYPES).toEqual(
      expect.arrayContaining(['inquiry.transitioned', 'inquiry.marked-for-review', 'account.created', 'case.created', 'document.created', 'verification.passed', 'report/watchlist.matched']),
    );
    for (let i = 0; i < 20; i++) {
      const secret = `wbhsec_${randomBytes(i + 1).toString('base64')}é`;
      const request = personaProvider.simulator.build('inquiry.approved', credentials(secret));
      expect(authenticateWith(personaProvider, inboundWebhook(request.body, request.headers), credentials(secret)).providerEventType).toBe('inquiry.approved');
    }
  });
});
