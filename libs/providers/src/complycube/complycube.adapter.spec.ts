import { DEFAULT_ALERT_OPTIONS } from '../alert-options';
import { randomBytes, randomInt } from 'node:crypto';
import { EventVerifier } from '@complycube/api';
import { authenticateWith, hexSignatureVariants, inboundWebhook, recognizes, refusalOf } from '@kyc/testing';
import { hmacSha256, WebhookRejection } from '@kyc/core';
import { ConnectionConfigError, type ConnectionCredentials, type InboundWebhook } from '../provider.interface';
import { complycubeProvider } from './index';
import { COMPLYCUBE_EVENT_TYPES } from './complycube.mapping';

const SECRET = 'whsec_test_complycube';
const credentials = (secret = SECRET, options: Record<string, unknown> = {}): ConnectionCredentials => ({
  secrets: { webhookSecret: secret },
  options,
});

const inbound = (body: string, headers: Record<string, string | undefined>): InboundWebhook => inboundWebhook(body, headers);

const sign = (body: string, secret = SECRET): string => hmacSha256(secret, body).toString('hex');
const signed = (body: string, secret = SECRET): InboundWebhook => inbound(body, { 'complycube-signature': sign(body, secret) });

/** The reason authenticate refused with, failing the test on anything but a WebhookRejection. */
function refusal(webhook: InboundWebhook, creds = credentials()): { reason: string; status: number } {
  const { reason, status } = refusalOf(complycubeProvider, webhook, creds);
  return { reason, status };
}

const event = (type: string, payload: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
  id: 'evt1',
  type,
  resourceType: type.startsWith('workflow.session.') ? 'workflowSession' : type.split('.')[0],
  payload,
  createdAt: '2024-05-01T10:00:00.000Z',
  ...extra,
});
const normalize = (body: Record<string, unknown>) => complycubeProvider.normalize({ providerEventId: String(body.id), providerEventType: String(body.type), payload: body });

describe('complycube signature', () => {
  it('verifies the official test vector', () => {
    const body = '{"id":"value"}';
    const expected = 'bc00414fa4d54277a3ed01e5ee258d9800a918a7791c7cda16d38b82f38f2150';
    expect(sign(body, 'a_webhook_signature')).toBe(expected);
    expect(() => authenticateWith(complycubeProvider, inbound(body, { 'complycube-signature': expected }), credentials('a_webhook_signature'))).toThrow(
      expect.objectContaining({ reason: 'malformed' }),
    ); // authentic, but no `type`: 400, not 401
    const full = '{"id":"value","type":"check.pending"}';
    expect(authenticateWith(complycubeProvider, signed(full, 'a_webhook_signature'), credentials('a_webhook_signature'))).toEqual({
      providerEventId: 'value',
      providerEventType: 'check.pending',
      payload: { id: 'value', type: 'check.pending' },
    });
  });

  it('agrees with the official SDK (EventVerifier) on random bodies and signatures', () => {
    const sdkAccepts = (secret: string, body: string, signature: string): boolean => {
      try {
        new EventVerifier(secret).constructEvent(body, signature);
        return true;
      } catch {
        return false; // includes the SDK's RangeError on other lengths
      }
    };
    const oursAccepts = (secret: string, body: string, signature: string): boolean => {
      try {
        authenticateWith(complycubeProvider, inbound(body, { 'complycube-signature': signature }), credentials(secret));
        return true;
      } catch (error) {
        expect(error).toBeInstanceOf(WebhookRejection);
        return false;
      }
    };
    let accepted = 0;
    for (let i = 0; i < 200; i++) {
      const secret = randomBytes(randomInt(1, 40)).toString('base64');
      // Non-ASCII text checks that both hash the raw UTF-8 bytes.
      const body = JSON.stringify({ id: randomBytes(12).toString('hex'), type: 'check.updated', note: `é✓ ${randomBytes(8).toString('base64')}` });
      const variants = hexSignatureVariants(sign, body, secret);
      const signature = variants[i % variants.length];
      const ours = oursAccepts(secret, body, signature);
      expect({ i, ours }).toEqual({ i, ours: sdkAccepts(secret, body, signature) });
      if (ours) accepted++;
    }
    expect(accepted).toBe(50); // the two valid variants of every 8
  });

  it('refuses a tampered body, a wrong secret and a missing header with 401', () => {
    const body = JSON.stringify(event('check.pending', { id: 'chk1' }));
    expect(refusal(inbound(`${body} `, { 'complycube-signature': sign(body) }))).toEqual({ reason: 'invalid_signature', status: 401 });
    expect(refusal(signed(body, 'other-secret'))).toEqual({ reason: 'invalid_signature', status: 401 });
    expect(refusal(inbound(body, {}))).toEqual({ reason: 'missing_signature', status: 401 });
  });

  it.each([
    ['empty', ''],
    ['short', 'abcd'],
    ['odd length', 'a'.repeat(63)],
    ['non-hex', 'z'.repeat(64)],
    ['too long', 'a'.repeat(66)],
    ['valid plus trailing garbage (the SDK accepts it)', 'GOOD!'],
    ['prefixed', 'sha256=GOOD'],
  ])('refuses a %s signature with 401 and no RangeError', (_name, raw) => {
    const body = JSON.stringify(event('check.pending'));
    const signature = raw.replace('GOOD', sign(body));
    const { status } = refusal(inbound(body, { 'complycube-signature': signature }));
    expect(status).toBe(401);
  });

  it('refuses a credential set without a secret as 401, never a throw of another kind', () => {
    const body = JSON.stringify(event('check.pending'));
    expect(refusal(signed(body), { secrets: {}, options: {} }).status).toBe(401);
  });

  it.each([
    ['an array', '[]'],
    ['a string', '"check.pending"'],
    ['null', 'null'],
    ['no id', JSON.stringify({ type: 'check.pending' })],
    ['a numeric id', JSON.stringify({ id: 1, type: 'check.pending' })],
    ['an empty id', JSON.stringify({ id: '', type: 'check.pending' })],
    ['no type', JSON.stringify({ id: 'evt1' })],
  ])('answers 400 to a correctly signed body that is %s', (_name, body) => {
    expect(refusal(signed(body))).toEqual({ reason: 'malformed', status: 400 });
  });

  it('details never contain the secret or payload values', () => {
    const body = JSON.stringify({ id: 'evt1', name: 'Jane Doe' });
    for (const webhook of [signed(body), inbound(body, { 'complycube-signature': 'x' }), signed(body, 'other')]) {
      try {
        authenticateWith(complycubeProvider, webhook, credentials());
      } catch (error) {
        expect((error as Error).message).not.toMatch(/Jane|whsec|evt1/);
      }
    }
  });
});

describe('complycube adapter surface', () => {
  it('recognizes requests by the ComplyCube-Signature header', () => {
    expect(recognizes(complycubeProvider, inbound('{}', { 'complycube-signature': 'x' }))).toBe(true);
    expect(recognizes(complycubeProvider, inbound('{}', { 'x-verifik-signature': 'x' }))).toBe(false);
  });

  it('parses options: requiredHeaders only, default {}', () => {
    expect(complycubeProvider.parseOptions({})).toEqual({ ...DEFAULT_ALERT_OPTIONS, requiredHeaders: {} });
    const parsed = complycubeProvider.parseOptions({ requiredHeaders: { authorization: 'Bearer t' } });
    expect(parsed).toEqual({ ...DEFAULT_ALERT_OPTIONS, requiredHeaders: { authorization: 'Bearer t' } });
    expect(complycubeProvider.parseOptions(parsed)).toEqual(parsed);
    expect(() => complycubeProvider.parseOptions({ timestampToleranceSeconds: 1 })).toThrow(ConnectionConfigError);
    expect(() => complycubeProvider.parseOptions({ requiredHeaders: ['a'] })).toThrow(ConnectionConfigError);
    expect(() => complycubeProvider.parseOptions({ requiredHeaders: { a: 1 } })).toThrow(ConnectionConfigError);
    expect(() => complycubeProvider.parseOptions({ requiredHeaders: { 'bad name': 'v' } })).toThrow(ConnectionConfigError);
  });

  it('checks the webhook secret', () => {
    expect(() => complycubeProvider.checkSecrets({ webhookSecret: 's' }, {})).not.toThrow();
    expect(() => complycubeProvider.checkSecrets({ webhookSecret: '' }, {})).toThrow(ConnectionConfigError);
    expect(() => complycubeProvider.checkSecrets({}, {})).toThrow(ConnectionConfigError);
  });
});

describe('complycube mapping', () => {
  it.each([
    ['workflow.session.started', 'verification.started', 'started'],
    ['workflow.session.processing', 'verification.processing', 'processing'],
    ['workflow.session.completed', 'verification.completed', 'completed'],
    ['workflow.session.updated', 'verification.updated', null],
    ['workflow.session.cancelled', 'verification.cancelled', 'cancelled'],
    ['check.pending', 'check.pending', null],
    ['check.completed', 'check.completed', null],
    ['check.complete', 'check.completed', null],
    ['check.failed', 'check.failed', null],
    ['check.updated', 'check.updated', null],
    ['check.monitoring.attention', 'check.monitoring_attention', null],
    ['client.created', 'client.created', null],
    ['client.updated', 'client.updated', null],
    ['client.deleted', 'client.deleted', null],
    ['document.created', 'document.created', null],
    ['document.updated', 'document.updated', null],
    ['document.deleted', 'document.deleted', null],
    ['document.updated.image_uploaded', 'document.updated_image_uploaded', null],
    ['document.updated.image_deleted', 'document.updated_image_deleted', null],
    ['address.created', 'address.created', null],
    ['address.updated', 'address.updated', null],
    ['address.deleted', 'address.deleted', null],
    ['livePhoto.created', 'livePhoto.created', null],
    ['livePhoto.deleted', 'livePhoto.deleted', null],
  ])('%s -> %s / %s', (vendorType, type, status) => {
    const normalized = normalize(event(vendorType, { id: 'res1' }));
    expect(normalized).toMatchObject({ type, status, occurredAt: '2024-05-01T10:00:00.000Z' });
  });

  it.each([
    ['clear', 'verification.approved', 'approved'],
    ['attention', 'verification.review', 'review'],
    ['rejected', 'verification.rejected', 'rejected'],
  ])('a workflow session with outcome %s, completed or updated, is the decision %s', (outcome, type, status) => {
    for (const vendorType of ['workflow.session.completed', 'workflow.session.updated']) {
      expect(normalize(event(vendorType, { outcome }))).toMatchObject({ type, status, details: { outcome } });
    }
  });

  it.each([['something_new'], [undefined]])('a workflow session without a known outcome (%s) only ended or changed', (outcome) => {
    expect(normalize(event('workflow.session.completed', { outcome }))).toMatchObject({ type: 'verification.completed', status: 'completed' });
    expect(normalize(event('workflow.session.updated', { outcome }))).toMatchObject({ type: 'verification.updated', status: null });
  });

  it.each(['clear', 'attention', 'rejected', 'match_confirmed'])('check.completed.%s and check.complete.%s carry the outcome', (outcome) => {
    for (const spelling of ['completed', 'complete']) {
      const normalized = normalize(event(`check.${spelling}.${outcome}`, { id: 'chk1', outcome: 'ignored' }));
      expect(normalized).toMatchObject({ type: 'check.completed', status: null, details: { outcome } });
    }
  });

  it('takes a plain check.completed outcome from the payload', () => {
    expect(normalize(event('check.completed', { outcome: 'attention' })).details.outcome).toBe('attention');
  });

  it.each(['check.somethingNew', 'workflow.session.paused', 'report.created', 'client', 'document..x', 'constructor'])('maps unknown type %s to complycube.<type> with status null', (vendorType) => {
    expect(normalize(event(vendorType))).toMatchObject({ type: `complycube.${vendorType}`, status: null });
  });

  it('fills the subject by resource', () => {
    const check = normalize(event('check.completed.clear', { id: 'chk1', clientId: 'cli1', workflowSessionId: 'wf1', type: 'document_check', status: 'complete' }));
    expect(check.subject).toEqual({ checkId: 'chk1', applicantId: 'cli1', verificationId: 'wf1' });
    expect(check.details).toEqual({ outcome: 'clear', resourceType: 'check', status: 'complete', checkType: 'document_check' });

    const session = normalize(event('workflow.session.completed', { id: 'wf1', clientId: 'cli1', workflowTemplateId: 'tpl1', status: 'completed', outcome: 'clear' }));
    expect(session.subject).toEqual({ applicantId: 'cli1', verificationId: 'wf1' });
    expect(session.details).toEqual({ outcome: 'clear', resourceType: 'workflowSession', status: 'completed', workflowTemplateId: 'tpl1' });
    expect(normalize(event('workflow.session.started', { workflowSessionId: 'wf2' })).subject).toEqual({ verificationId: 'wf2' });

    const client = normalize(event('client.created', { id: 'cli1', externalId: 'u-42', email: 'jane@example.com', personDetails: { firstName: 'Jane' } }));
    expect(client.subject).toEqual({ applicantId: 'cli1', externalUserId: 'u-42' });
    expect(JSON.stringify(client.details)).not.toMatch(/Jane|jane/);

    const document = normalize(event('document.updated.image_uploaded', { id: 'doc1', clientId: 'cli1', type: 'passport' }));
    expect(document.subject).toEqual({ applicantId: 'cli1' });
    expect(document.details).toEqual({ resourceType: 'document', documentType: 'passport', resourceId: 'doc1' });
  });

  it('leaves occurredAt to the gateway when createdAt is missing or invalid', () => {
    expect(normalize(event('check.pending', {}, { createdAt: 'yesterday' })).occurredAt).toBeUndefined();
    expect(normalize(event('check.pending', {}, { createdAt: undefined })).occurredAt).toBeUndefined();
  });

  it('tolerates a payload that is not an object', () => {
    expect(normalize(event('check.pending', undefined, { payload: 'x' }))).toMatchObject({ type: 'check.pending', subject: {}, details: { resourceType: 'check' } });
  });
});

describe('complycube simulator', () => {
  it.each(COMPLYCUBE_EVENT_TYPES.map((t) => [t]))('round-trips %s', (type) => {
    const creds = credentials(SECRET, { requiredHeaders: { authorization: 'Bearer t' } });
    const first = complycubeProvider.simulator.build(type, creds);
    const second = complycubeProvider.simulator.build(type, creds);
    expect(first.headers).toMatchObject({ 'content-type': 'application/json', authorization: 'Bearer t' });
    const webhook = inbound(first.body, first.headers);
    expect(recognizes(complycubeProvider, webhook)).toBe(true);
    const decoded = authenticateWith(complycubeProvider, webhook, creds);
    expect(decoded.providerEventType).toBe(type);
    expect(decoded.providerEventId).not.toBe(authenticateWith(complycubeProvider, inbound(second.body, second.headers), creds).providerEventId);
    const normalized = complycubeProvider.normalize(decoded);
    expect(normalized.type.startsWith('complycube.')).toBe(false);
    expect(JSON.stringify(normalized)).not.toMatch(/jane|example\.com/i);
    // The official SDK accepts what the simulator signs.
    expect(new EventVerifier(SECRET).constructEvent(first.body, first.headers['complycube-signature'])).toMatchObject({ type });
  });

  it('covers every type of vendors.md and honours now/payload', () => {
    expect(COMPLYCUBE_EVENT_TYPES).toEqual(expect.arrayContaining(['check.completed.match_confirmed', 'check.complete.clear', 'document.updated.image_deleted']));
    const now = new Date('2024-01-02T03:04:05.000Z');
    const { body } = complycubeProvider.simulator.build('check.pending', credentials(), { now, payload: { clientId: 'fixed' } });
    const parsed = JSON.parse(body) as { createdAt: string; payload: { clientId: string } };
    expect(parsed.createdAt).toBe(now.toISOString());
    expect(parsed.payload.clientId).toBe('fixed');
  });
});
