import { DEFAULT_ALERT_OPTIONS } from '../alert-options';
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { canonicalJson, eventIdDigest, sha256Hex, WebhookRejection } from '@kyc/core';
import { authenticateWith, recognizes, TEST_EVENT_ID_DIGEST } from '@kyc/testing';
import { ConnectionConfigError, type ConnectionCredentials, type InboundWebhook } from '../provider.interface';
import { allpassProvider } from './allpass.adapter';
import { pkcs7PadLength } from './allpass.crypto';
import { ALLPASS_EVENT_TYPES } from './allpass.mapping';

// Fixed vectors, built here with node:crypto only (independent of the adapter's crypto module).
const KEY = Buffer.from('00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff', 'hex');
const KEY_HEX = KEY.toString('hex');
const KEY_B64 = KEY.toString('base64');
const OTHER_KEY_HEX = 'ff'.repeat(32);
const CBC_IV = Buffer.from('0f0e0d0c0b0a09080706050403020100', 'hex');
const GCM_IV = Buffer.from('a1a2a3a4a5a6a7a8a9aaabac', 'hex');
const NOW = new Date('2024-05-01T12:00:00.000Z');
const PAYLOAD = {
  type: 'applicantApproved',
  id: '3f1c2a9e-8d4b-4a51-9c6e-2b7d5f0e1a23',
  externalUserId: 'user-42',
  appKey: '9b2f6c1e-1111-4c2d-8e3f-5a6b7c8d9e0f',
  warnings: ['lowImageQuality'],
};

function cbc(payload: unknown, key = KEY, iv = CBC_IV): Buffer {
  return cbcText(JSON.stringify(payload), key, iv);
}

/** Encrypts the text as it is (not JSON-encoded): for plaintexts that are not JSON. */
function cbcText(text: string, key = KEY, iv = CBC_IV): Buffer {
  const c = createCipheriv('aes-256-cbc', key, iv);
  return Buffer.concat([iv, c.update(text), c.final()]);
}

function gcm(payload: unknown, key = KEY, iv = GCM_IV): { data: Buffer; tag: Buffer } {
  const c = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([iv, c.update(JSON.stringify(payload)), c.final()]);
  return { data, tag: c.getAuthTag() };
}

function envelope(data: string, time: string = NOW.toISOString()): Record<string, unknown> {
  return { status: true, statusCode: 200, data, time };
}

function webhook(body: unknown, headers: Record<string, string> = {}, receivedAt = NOW): InboundWebhook {
  const raw = JSON.stringify(body);
  return { rawBody: Buffer.from(raw), headers, json: JSON.parse(raw), receivedAt, eventIdDigest: TEST_EVENT_ID_DIGEST };
}

function creds(secrets: Record<string, string>, options: Record<string, unknown> = {}): ConnectionCredentials {
  return { secrets, options: allpassProvider.parseOptions(options) };
}

const CBC = creds({ cryptoKey: KEY_HEX }, { encryptionMethod: 'aes-256-cbc', allowUnauthenticatedCbc: true });
const GCM = creds({ cryptoKey: KEY_HEX }, { encryptionMethod: 'aes-256-gcm' });

function rejection(fn: () => unknown): WebhookRejection {
  try {
    fn();
  } catch (error) {
    if (error instanceof WebhookRejection) {
      // Details are shown to operators: never key material or payload values.
      for (const secret of [KEY_HEX, KEY_B64, PAYLOAD.id, PAYLOAD.externalUserId]) expect(error.detail).not.toContain(secret);
      return error;
    }
    throw error;
  }
  throw new Error('expected a WebhookRejection');
}

function configError(fn: () => unknown): ConnectionConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConnectionConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConnectionConfigError');
}

describe('allpass authenticate', () => {
  it('accepts CBC with a hex key and hex data', () => {
    const decoded = authenticateWith(allpassProvider, webhook(envelope(cbc(PAYLOAD).toString('hex'))), CBC);
    expect(decoded.providerEventType).toBe('applicantApproved');
    expect(decoded.payload).toEqual(PAYLOAD);
    expect(decoded.providerEventId).toMatch(/^hmac:[A-Za-z0-9_-]{43}$/);
  });

  it('accepts CBC with a base64 key and base64 data', () => {
    const c = creds({ cryptoKey: KEY_B64 }, { encryptionMethod: 'aes-256-cbc' });
    expect(KEY_B64).toHaveLength(44);
    const decoded = authenticateWith(allpassProvider, webhook(envelope(cbc(PAYLOAD).toString('base64'))), c);
    expect(decoded.payload).toEqual(PAYLOAD);
  });

  it('accepts a 32-character raw UTF-8 key', () => {
    const raw = 'abcdefghijklmnopqrstuvwxyz012345';
    const c = creds({ cryptoKey: raw }, { encryptionMethod: 'aes-256-cbc' });
    const data = cbc(PAYLOAD, Buffer.from(raw, 'utf8')).toString('hex');
    expect(authenticateWith(allpassProvider, webhook(envelope(data)), c).payload).toEqual(PAYLOAD);
  });

  it.each([
    ['hex', (t: Buffer) => t.toString('hex')],
    ['base64', (t: Buffer) => t.toString('base64')],
  ])('accepts GCM with the tag in the header (%s)', (_name, encode) => {
    const { data, tag } = gcm(PAYLOAD);
    const decoded = authenticateWith(allpassProvider, webhook(envelope(data.toString('hex')), { 'x-allpass-signature': encode(tag) }), GCM);
    expect(decoded.payload).toEqual(PAYLOAD);
  });

  it('accepts GCM with the tag at the end of data (no header)', () => {
    const { data, tag } = gcm(PAYLOAD);
    const body = envelope(Buffer.concat([data, tag]).toString('base64'));
    expect(authenticateWith(allpassProvider, webhook(body), GCM).payload).toEqual(PAYLOAD);
    const dataSource = creds({ cryptoKey: KEY_HEX }, { gcmTagSource: 'data' });
    const ignored = { 'x-allpass-signature': '00'.repeat(16) };
    expect(authenticateWith(allpassProvider, webhook(body, ignored), dataSource).payload).toEqual(PAYLOAD);
  });

  it('accepts GCM with a 16-byte IV when configured', () => {
    const iv = randomBytes(16);
    const { data, tag } = gcm(PAYLOAD, KEY, iv);
    const c = creds({ cryptoKey: KEY_HEX }, { gcmIvBytes: 16 });
    const headers = { 'x-allpass-signature': tag.toString('hex') };
    expect(authenticateWith(allpassProvider, webhook(envelope(data.toString('hex')), headers), c).payload).toEqual(PAYLOAD);
    // The default 12-byte IV reading fails authentication.
    expect(rejection(() => authenticateWith(allpassProvider, webhook(envelope(data.toString('hex')), headers), GCM)).reason).toBe('invalid_signature');
  });

  it('refuses tampered GCM data, a wrong key and a wrong tag with 401', () => {
    const { data, tag } = gcm(PAYLOAD);
    const headers = { 'x-allpass-signature': tag.toString('hex') };
    const tampered = Buffer.from(data);
    tampered[20] ^= 0x01;
    const cases: Array<[Record<string, unknown>, Record<string, string>, ConnectionCredentials]> = [
      [envelope(tampered.toString('hex')), headers, GCM],
      [envelope(data.toString('hex')), headers, creds({ cryptoKey: OTHER_KEY_HEX })],
      [envelope(data.toString('hex')), { 'x-allpass-signature': randomBytes(16).toString('hex') }, GCM],
      [envelope(data.toString('hex')), { 'x-allpass-signature': 'not-a-tag' }, GCM],
    ];
    for (const [body, h, c] of cases) {
      const r = rejection(() => authenticateWith(allpassProvider, webhook(body, h), c));
      expect([r.reason, r.status]).toEqual(['invalid_signature', 401]);
    }
  });

  it('refuses GCM without the header when gcmTagSource is header', () => {
    const { data } = gcm(PAYLOAD);
    const c = creds({ cryptoKey: KEY_HEX }, { gcmTagSource: 'header' });
    const r = rejection(() => authenticateWith(allpassProvider, webhook(envelope(data.toString('hex'))), c));
    expect([r.reason, r.status]).toEqual(['missing_signature', 401]);
  });

  it('refuses tampered CBC ciphertext and a wrong CBC key with 400', () => {
    const data = cbc(PAYLOAD);
    for (const index of [16, 20, data.length - 1]) {
      const tampered = Buffer.from(data);
      tampered[index] ^= 0x01;
      const r = rejection(() => authenticateWith(allpassProvider, webhook(envelope(tampered.toString('hex'))), CBC));
      expect([r.reason, r.status]).toEqual(['malformed', 400]);
    }
    const wrongKey = creds({ cryptoKey: OTHER_KEY_HEX }, { encryptionMethod: 'aes-256-cbc' });
    const r = rejection(() => authenticateWith(allpassProvider, webhook(envelope(data.toString('hex'))), wrongKey));
    expect([r.reason, r.status]).toEqual(['malformed', 400]);
  });

  it('shows why CBC needs an HMAC key: an IV bit flip passes without one, not with one', () => {
    const data = cbc(PAYLOAD);
    const flipped = Buffer.from(data);
    flipped[9] ^= 'a'.charCodeAt(0) ^ 'b'.charCodeAt(0); // {"type":"applicant... -> "bpplicant...
    const body = envelope(flipped.toString('hex'));
    expect(authenticateWith(allpassProvider, webhook(body), CBC).providerEventType).toBe('bpplicantApproved');

    const hmacKey = 'hmac-secret-value';
    const withHmac = creds({ cryptoKey: KEY_HEX, hmacKey }, { encryptionMethod: 'aes-256-cbc' });
    const originalSig = createHmac('sha256', hmacKey).update(data.toString('hex')).digest('hex');
    const r = rejection(() => authenticateWith(allpassProvider, webhook(body, { 'x-allpass-signature': originalSig }), withHmac));
    expect(r.reason).toBe('invalid_signature');
  });

  it('checks the CBC HMAC when an HMAC key is configured', () => {
    const hmacKey = 'hmac-secret-value';
    const c = creds({ cryptoKey: KEY_HEX, hmacKey }, { encryptionMethod: 'aes-256-cbc' });
    const data = cbc(PAYLOAD).toString('hex');
    const sig = createHmac('sha256', hmacKey).update(data).digest('hex');
    expect(authenticateWith(allpassProvider, webhook(envelope(data), { 'x-allpass-signature': sig }), c).payload).toEqual(PAYLOAD);
    expect(authenticateWith(allpassProvider, webhook(envelope(data), { 'x-allpass-signature': sig.toUpperCase() }), c).payload).toEqual(PAYLOAD);

    const missing = rejection(() => authenticateWith(allpassProvider, webhook(envelope(data)), c));
    expect([missing.reason, missing.status]).toEqual(['missing_signature', 401]);
    for (const wrong of ['0'.repeat(64), sig.slice(0, 10), createHmac('sha256', 'other').update(data).digest('hex')]) {
      const r = rejection(() => authenticateWith(allpassProvider, webhook(envelope(data), { 'x-allpass-signature': wrong }), c));
      expect([r.reason, r.status]).toEqual(['invalid_signature', 401]);
    }
  });

  it('with a window set, refuses envelope times outside it both ways', () => {
    const data = cbc(PAYLOAD).toString('hex');
    const windowed = creds({ cryptoKey: KEY_HEX }, { encryptionMethod: 'aes-256-cbc', allowUnauthenticatedCbc: true, timestampToleranceSeconds: 300 });
    for (const offset of [-301, 301]) {
      const time = new Date(NOW.getTime() + offset * 1000).toISOString();
      const r = rejection(() => authenticateWith(allpassProvider, webhook(envelope(data, time)), windowed));
      expect([r.reason, r.status]).toEqual(['stale_timestamp', 401]);
    }
    for (const offset of [-300, 299]) {
      const time = new Date(NOW.getTime() + offset * 1000).toISOString();
      expect(authenticateWith(allpassProvider, webhook(envelope(data, time)), windowed).payload).toEqual(PAYLOAD);
    }
    const noTime = { status: true, statusCode: 200, data };
    expect(rejection(() => authenticateWith(allpassProvider, webhook(noTime), windowed)).reason).toBe('malformed');
    expect(rejection(() => authenticateWith(allpassProvider, webhook(envelope(data, 'yesterday')), windowed)).reason).toBe('malformed');
  });

  it("has no window by default: the vendor's retry hours later, with its first `time`, is accepted as the same event", () => {
    const sent = envelope(cbc(PAYLOAD).toString('hex'));
    const first = authenticateWith(allpassProvider, webhook(sent), CBC);
    const retry = authenticateWith(allpassProvider, webhook(sent, {}, new Date(NOW.getTime() + 5 * 3_600_000)), CBC);
    expect(retry.providerEventId).toBe(first.providerEventId);
  });

  it('takes occurredAt from the envelope time, and receivedAt is left to the gateway when it is not a date', () => {
    const time = '2024-05-01T11:59:30.123Z';
    const decoded = authenticateWith(allpassProvider, webhook(envelope(cbc(PAYLOAD).toString('hex'), time)), CBC);
    expect(allpassProvider.normalize(decoded).occurredAt).toBe(time);
    const undated = authenticateWith(allpassProvider, webhook(envelope(cbc(PAYLOAD).toString('hex'), 'yesterday')), CBC);
    expect(allpassProvider.normalize(undated).occurredAt).toBeUndefined();
  });

  it('keys dedup on the envelope time and the payload by default: a retry is a duplicate, the same transition later is a new event', () => {
    const data = cbc(PAYLOAD).toString('hex');
    const at = (time: string, body = data) => authenticateWith(allpassProvider, webhook(envelope(body, time)), CBC).providerEventId;
    // A retry keeps the first `time` (and may come with another IV): the same event.
    expect(at('2024-05-01T10:00:00.000Z')).toBe(at('2024-05-01T10:00:00.000Z', cbc(PAYLOAD, KEY, randomBytes(16)).toString('hex')));
    // The same payload at another time: a new event (also what a replay with a changed `time` gets; MAPPING.md).
    expect(at('2024-05-01T10:00:00.000Z')).not.toBe(at('2024-05-01T11:00:00.000Z'));
    // A missing `time` is a key too, never a refusal.
    expect(authenticateWith(allpassProvider, webhook({ status: true, statusCode: 200, data }), CBC).providerEventId).toMatch(/^hmac:/);
    // Where the payload carries its own event id, that is the key, whatever the time.
    const withId = cbc({ ...PAYLOAD, eventId: 'evt-77' }).toString('hex');
    expect(at('2024-05-01T10:00:00.000Z', withId)).toBe('evt-77');
    expect(at('2024-05-01T11:00:00.000Z', withId)).toBe('evt-77');
  });

  it('with dedupKey payload, keys dedup on the payload alone: a replay with a shifted time is a duplicate', () => {
    const payloadOnly = creds({ cryptoKey: KEY_HEX }, { encryptionMethod: 'aes-256-cbc', allowUnauthenticatedCbc: true, dedupKey: 'payload' });
    const data = cbc(PAYLOAD).toString('hex');
    const at = (time: string) => authenticateWith(allpassProvider, webhook(envelope(data, time)), payloadOnly).providerEventId;
    expect(at('2024-05-01T10:00:00.000Z')).toBe(at('2024-05-01T11:00:00.000Z'));
    expect(at('2024-05-01T10:00:00.000Z')).toBe(webhook(envelope(data)).eventIdDigest(PAYLOAD));
    const withId = cbc({ ...PAYLOAD, eventId: 'evt-77' }).toString('hex');
    expect(authenticateWith(allpassProvider, webhook(envelope(withId)), payloadOnly).providerEventId).toBe('evt-77');
  });

  it('refuses bodies that are not an envelope or whose data cannot be decoded with 400', () => {
    const bodies: unknown[] = [
      { id: 'x', type: 'check.completed' },
      [envelope('00')],
      envelope(''),
      { ...envelope('00'), data: 42 },
      envelope('zz!!'),
      envelope('abc'), // odd number of hex digits
      envelope('00'.repeat(8)), // shorter than an IV
    ];
    for (const body of bodies) {
      const r = rejection(() => authenticateWith(allpassProvider, webhook(body), CBC));
      expect([r.reason, r.status]).toEqual(['malformed', 400]);
    }
  });

  it('accepts a payload naming no event type as allpass.unknown, status null (never refused into loss)', () => {
    for (const plaintext of [{ id: 'x' }, { type: 7, id: 'x' }, { type: '', id: 'x' }]) {
      const decoded = authenticateWith(allpassProvider, webhook(envelope(cbc(plaintext).toString('hex'))), CBC);
      expect(decoded.providerEventType).toBe('unknown');
      expect(allpassProvider.normalize(decoded)).toMatchObject({ type: 'allpass.unknown', status: null, subject: { applicantId: 'x' } });
    }
  });

  it("recognises the vendor's upper snake case spellings (APPLICANT_APPROVED) and keeps the type verbatim", () => {
    for (const vendorType of ['APPLICANT_APPROVED', 'applicant_approved', 'ApplicantApproved']) {
      const decoded = authenticateWith(allpassProvider, webhook(envelope(cbc({ ...PAYLOAD, type: vendorType }).toString('hex'))), CBC);
      expect(decoded.providerEventType).toBe(vendorType);
      expect(allpassProvider.normalize(decoded)).toMatchObject({ type: 'verification.approved', status: 'approved' });
    }
    const flagged = authenticateWith(allpassProvider, webhook(envelope(cbc({ ...PAYLOAD, type: 'APPLICANT_DUPLICATE_DOCUMENT' }).toString('hex'))), CBC);
    expect(allpassProvider.normalize(flagged)).toMatchObject({ type: 'verification.flagged', status: null, details: { reason: 'duplicate_document' } });
  });

  it("reads the type from the connection's typeField, and only from it", () => {
    const named = creds({ cryptoKey: KEY_HEX }, { encryptionMethod: 'aes-256-cbc', allowUnauthenticatedCbc: true, typeField: 'webhookType' });
    const data = cbc({ ...PAYLOAD, type: 'applicantCreated', webhookType: 'applicantRejected' }).toString('hex');
    expect(allpassProvider.normalize(authenticateWith(allpassProvider, webhook(envelope(data)), named)).type).toBe('verification.rejected');
    expect(allpassProvider.normalize(authenticateWith(allpassProvider, webhook(envelope(cbc(PAYLOAD).toString('hex'))), named)).type).toBe('allpass.unknown');
    expect(() => allpassProvider.parseOptions({ typeField: 'a b' })).toThrow(ConnectionConfigError);
  });

  it('refuses plaintext that is not a JSON object with 400', () => {
    for (const plaintext of ['[1,2]', '"text"', '{"type":', 'null']) {
      const data = cbcText(plaintext).toString('hex');
      const r = rejection(() => authenticateWith(allpassProvider, webhook(envelope(data)), CBC));
      expect([r.reason, r.status]).toEqual(['malformed', 400]);
    }
  });

  it('accepts event and eventType as the type field', () => {
    for (const field of ['event', 'eventType']) {
      const { id, externalUserId } = PAYLOAD;
      const data = cbc({ [field]: 'applicantRejected', id, externalUserId }).toString('hex');
      const decoded = authenticateWith(allpassProvider, webhook(envelope(data)), CBC);
      expect(decoded.providerEventType).toBe('applicantRejected');
      expect(allpassProvider.normalize(decoded).type).toBe('verification.rejected');
    }
  });

  it('derives a dedup key stable across key order and distinct across payloads', () => {
    const reordered = Object.fromEntries(Object.entries(PAYLOAD).reverse());
    const a = authenticateWith(allpassProvider, webhook(envelope(cbc(PAYLOAD).toString('hex'))), CBC);
    const b = authenticateWith(allpassProvider, webhook(envelope(cbc(reordered, KEY, randomBytes(16)).toString('hex'))), CBC);
    const c = authenticateWith(allpassProvider, webhook(envelope(cbc({ ...PAYLOAD, type: 'applicantRejected' }).toString('hex'))), CBC);
    expect(a.providerEventId).toBe(b.providerEventId);
    expect(c.providerEventId).not.toBe(a.providerEventId);
  });

  it('keys the dedup key: not a plain hash of the personal data, different under another SECRETS_KEY', () => {
    const body = envelope(cbc(PAYLOAD).toString('hex'));
    const id = authenticateWith(allpassProvider, webhook(body), CBC).providerEventId;
    const plain = sha256Hex(canonicalJson(PAYLOAD));
    expect(id).not.toContain(plain);
    expect(id).not.toContain(Buffer.from(plain, 'hex').toString('base64url'));
    const otherKey = { ...webhook(body), eventIdDigest: eventIdDigest(randomBytes(32)) };
    expect(authenticateWith(allpassProvider, otherKey, CBC).providerEventId).not.toBe(id);
  });

  it('refuses bad CBC padding exactly as bad UTF-8, bad JSON or a non-object (no padding oracle)', () => {
    const block = cbc(PAYLOAD).subarray(16, 32);
    const refusals = new Map<string, { reason: string; status: number; detail: string }>();
    // Vary the last IV byte over all values: one or two give a valid padding, the others do not.
    for (let guess = 0; guess < 256; guess++) {
      const iv = Buffer.from(CBC_IV);
      iv[15] ^= guess;
      const data = Buffer.concat([iv, block]);
      const padded = createDecipheriv('aes-256-cbc', KEY, iv).setAutoPadding(false).update(block);
      const kind = pkcs7PadLength(padded) === 0 ? 'bad padding' : 'good padding';
      const r = rejection(() => authenticateWith(allpassProvider, webhook(envelope(data.toString('hex'))), CBC));
      refusals.set(kind, { reason: r.reason, status: r.status, detail: r.detail });
    }
    for (const [kind, plaintext] of [
      ['not an object', '[1,2]'],
      ['not JSON', '{"type":'],
    ] as const) {
      const r = rejection(() => authenticateWith(allpassProvider, webhook(envelope(cbcText(plaintext).toString('hex'))), CBC));
      refusals.set(kind, { reason: r.reason, status: r.status, detail: r.detail });
    }
    expect([...refusals.keys()].sort()).toEqual(['bad padding', 'good padding', 'not JSON', 'not an object']);
    expect(new Set([...refusals.values()].map((r) => `${r.status} ${r.reason}`))).toEqual(new Set(['400 malformed']));
    // The exact reason still reaches the refusal record.
    expect(refusals.get('bad padding')!.detail).toContain('padding');
    expect(refusals.get('good padding')!.detail).not.toContain('padding');
  });
});

describe('pkcs7PadLength', () => {
  it('agrees with OpenSSL on random and on crafted blocks', () => {
    const key = randomBytes(32);
    const iv = randomBytes(16);
    const blocks: Buffer[] = [];
    for (let i = 0; i < 2000; i++) blocks.push(randomBytes(32));
    for (let pad = 0; pad <= 17; pad++) {
      for (const filler of [pad, pad ^ 1]) blocks.push(Buffer.concat([randomBytes(32 - Math.min(pad, 16)), Buffer.alloc(Math.min(pad, 16), filler)]));
    }
    for (const plaintext of blocks) {
      // Encrypt the block raw, then let OpenSSL judge its padding on the way back.
      const raw = createCipheriv('aes-256-cbc', key, iv).setAutoPadding(false).update(plaintext);
      let expected: number;
      try {
        const decipher = createDecipheriv('aes-256-cbc', key, iv);
        expected = plaintext.length - Buffer.concat([decipher.update(raw), decipher.final()]).length;
      } catch {
        expected = 0;
      }
      expect({ plaintext: plaintext.toString('hex'), pad: pkcs7PadLength(plaintext) }).toEqual({ plaintext: plaintext.toString('hex'), pad: expected });
    }
  });
});

describe('allpass normalize', () => {
  const expected: Record<string, [string, string | null, Record<string, unknown>]> = {
    applicantCreated: ['verification.created', 'created', {}],
    applicantIncomplete: ['verification.incomplete', 'incomplete', {}],
    applicantInProgress: ['verification.processing', 'processing', {}],
    applicantInReview: ['verification.review', 'review', {}],
    applicantOnHold: ['verification.on_hold', 'on_hold', {}],
    applicantApproved: ['verification.approved', 'approved', {}],
    applicantRejected: ['verification.rejected', 'rejected', {}],
    applicantCompleted: ['verification.completed', 'completed', {}],
    applicantStepPassed: ['verification.step_completed', null, { stepName: 'selfie' }],
    applicantDuplicateDocument: ['verification.flagged', null, { reason: 'duplicate_document' }],
    applicantDuplicateEmail: ['verification.flagged', null, { reason: 'duplicate_email' }],
    applicantDuplicatePhone: ['verification.flagged', null, { reason: 'duplicate_phone' }],
    expiredDocument: ['verification.flagged', null, { reason: 'expired_document' }],
    additionalDocumentStepError: ['verification.flagged', null, { reason: 'additional_document_step_error' }],
  };

  it('covers every vendor type the simulator knows', () => {
    expect([...ALLPASS_EVENT_TYPES].sort()).toEqual(Object.keys(expected).sort());
  });

  it.each(Object.entries(expected))('maps %s', (vendorType, [type, status, extra]) => {
    const payload = { ...PAYLOAD, type: vendorType, ...(vendorType === 'applicantStepPassed' ? { stepName: 'selfie' } : {}) };
    const event = allpassProvider.normalize({ providerEventId: 'sha256:x', providerEventType: vendorType, payload });
    expect(event).toEqual({
      type,
      status,
      subject: { applicantId: PAYLOAD.id, externalUserId: PAYLOAD.externalUserId },
      details: { warnings: PAYLOAD.warnings, appKey: PAYLOAD.appKey, ...extra },
    });
    expect(event.occurredAt).toBeUndefined();
  });

  it.each(['verificationStarted', 'constructor', 'toString'])('maps the unknown type %s to allpass.<type>', (vendorType) => {
    const event = allpassProvider.normalize({ providerEventId: 'sha256:x', providerEventType: vendorType, payload: { type: vendorType } });
    expect(event).toEqual({ type: `allpass.${vendorType}`, status: null, subject: {}, details: {} });
  });
});

describe('allpass simulator', () => {
  const variants: Array<[string, ConnectionCredentials]> = [
    ['cbc', CBC],
    ['cbc + hmac + base64', creds({ cryptoKey: KEY_B64, hmacKey: 'h' }, { encryptionMethod: 'aes-256-cbc', dataEncoding: 'base64' })],
    ['gcm', creds({ cryptoKey: KEY_HEX }, { requiredHeaders: { authorization: 'Bearer s3cret' } })],
    ['gcm, tag in data, 16-byte iv', creds({ cryptoKey: KEY_HEX }, { gcmTagSource: 'data', gcmIvBytes: 16 })],
  ];

  it.each(variants)('round-trips every type (%s)', (_name, c) => {
    const ids = new Set<string>();
    for (const vendorType of allpassProvider.simulator.eventTypes) {
      const req = allpassProvider.simulator.build(vendorType, c, { now: NOW });
      const hook = { ...webhook(JSON.parse(req.body), req.headers), rawBody: Buffer.from(req.body) };
      expect(recognizes(allpassProvider, hook)).toBe(true);
      const decoded = authenticateWith(allpassProvider, hook, c);
      expect(decoded.providerEventType).toBe(vendorType);
      ids.add(decoded.providerEventId);
      for (const [name, value] of Object.entries(c.options.requiredHeaders as Record<string, string>)) expect(req.headers[name]).toBe(value);
      if (vendorType === 'applicantStepPassed') expect(allpassProvider.normalize(decoded).details.stepName).toBeDefined();
    }
    expect(ids.size).toBe(ALLPASS_EVENT_TYPES.length);
  });

  it('makes every call unique and merges the given payload', () => {
    const a = allpassProvider.simulator.build('applicantApproved', GCM, { now: NOW, payload: { id: 'fixed' } });
    const b = allpassProvider.simulator.build('applicantApproved', GCM, { now: NOW, payload: { id: 'fixed' } });
    const [da, db] = [a, b].map((r) => authenticateWith(allpassProvider, webhook(JSON.parse(r.body), r.headers), GCM));
    expect(da.payload.id).toBe('fixed');
    expect(da.providerEventId).not.toBe(db.providerEventId);
    expect(a.headers['x-allpass-signature']).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('allpass recognizes', () => {
  it('knows its envelope and nothing else', () => {
    expect(recognizes(allpassProvider, webhook(envelope('00')))).toBe(true);
    const complycube = { id: 'evt_1', type: 'check.completed', resourceType: 'check', payload: {}, createdAt: NOW.toISOString() };
    expect(recognizes(allpassProvider, webhook(complycube, { 'complycube-signature': 'ab' }))).toBe(false);
    expect(recognizes(allpassProvider, webhook(complycube))).toBe(false);
    expect(recognizes(allpassProvider, webhook(envelope('00'), { 'complycube-signature': 'ab' }))).toBe(false);
    expect(recognizes(allpassProvider, webhook(envelope('00'), { 'x-verifik-signature': 'sha256=ab' }))).toBe(false);
    expect(recognizes(allpassProvider, webhook({ data: '00', time: NOW.toISOString() }))).toBe(false);
  });
});

describe('allpass options and secrets', () => {
  it('applies defaults and is idempotent', () => {
    const parsed = allpassProvider.parseOptions({});
    expect(parsed).toEqual({
      ...DEFAULT_ALERT_OPTIONS,
      encryptionMethod: 'aes-256-gcm',
      keyEncoding: 'auto',
      dataEncoding: 'auto',
      gcmIvBytes: 12,
      gcmTagSource: 'auto',
      timestampToleranceSeconds: 0,
      typeField: null,
      requiredHeaders: {},
      allowUnauthenticatedCbc: false,
      dedupKey: 'time+payload',
    });
    expect(allpassProvider.parseOptions(parsed)).toEqual(parsed);
    expect(allpassProvider.parseOptions({ dedupKey: 'payload' }).dedupKey).toBe('payload');
  });

  it.each([
    ['encryptionMethod', 'aes-128-cbc'],
    ['keyEncoding', 'latin1'],
    ['dataEncoding', 'utf8'],
    ['gcmIvBytes', 8],
    ['gcmTagSource', 'footer'],
    ['timestampToleranceSeconds', -1],
    ['timestampToleranceSeconds', '300'],
    ['timestampToleranceSeconds', 1.5],
    ['requiredHeaders', 'authorization: x'],
    ['requiredHeaders', { 'bad header': 'x' }],
    ['encryptionMthod', 'aes-256-cbc'],
    ['allowUnauthenticatedCbc', 'true'],
    ['dedupKey', 'time'],
    ['dedupKey', 'payload+time'],
  ])('rejects %s = %p naming the field', (field, value) => {
    expect(configError(() => allpassProvider.parseOptions({ [field]: value })).field).toBe(field);
  });

  it('rejects a non-string required header value without echoing it', () => {
    const error = configError(() => allpassProvider.parseOptions({ requiredHeaders: { authorization: 12345 } }));
    expect(error.field).toBe('requiredHeaders.authorization');
    expect(error.message).not.toContain('12345');
  });

  it('accepts 32-byte keys in every encoding and rejects 31-byte ones without echoing them', () => {
    for (const key of [KEY_HEX, KEY_B64, 'abcdefghijklmnopqrstuvwxyz012345']) {
      expect(() => allpassProvider.checkSecrets({ cryptoKey: key }, {})).not.toThrow();
    }
    const short = randomBytes(31);
    const cases: Array<[string, Record<string, unknown>]> = [
      [short.toString('hex'), {}],
      [short.toString('hex'), { keyEncoding: 'hex' }],
      [short.toString('base64'), { keyEncoding: 'base64' }],
      ['a'.repeat(31), { keyEncoding: 'utf8' }],
      ['', {}],
    ];
    for (const [key, options] of cases) {
      const error = configError(() => allpassProvider.checkSecrets({ cryptoKey: key }, allpassProvider.parseOptions(options)));
      expect(error.field).toBe('cryptoKey');
      if (key) expect(error.message).not.toContain(key);
    }
    expect(configError(() => allpassProvider.checkSecrets({ cryptoKey: KEY_HEX, hmacKey: '' }, {})).field).toBe('hmacKey');
  });

  it('refuses CBC with nothing authenticating it unless allowUnauthenticatedCbc says so, and warns then', () => {
    const cbcOnly = allpassProvider.parseOptions({ encryptionMethod: 'aes-256-cbc' });
    const error = configError(() => allpassProvider.checkSecrets({ cryptoKey: KEY_HEX }, cbcOnly));
    expect(error.field).toBe('hmacKey');
    expect(error.message).toContain('allowUnauthenticatedCbc');

    const allowed = allpassProvider.parseOptions({ encryptionMethod: 'aes-256-cbc', allowUnauthenticatedCbc: true });
    const headers = allpassProvider.parseOptions({ encryptionMethod: 'aes-256-cbc', requiredHeaders: { authorization: 'Bearer t' } });
    const accepted: Array<[Record<string, string>, Record<string, unknown>, number]> = [
      [{ cryptoKey: KEY_HEX, hmacKey: 'h' }, cbcOnly, 0],
      [{ cryptoKey: KEY_HEX }, headers, 0],
      [{ cryptoKey: KEY_HEX }, allowed, 1],
      [{ cryptoKey: KEY_HEX }, allpassProvider.parseOptions({}), 0],
    ];
    for (const [secrets, options, warnings] of accepted) {
      expect(() => allpassProvider.checkSecrets(secrets, options)).not.toThrow();
      expect(allpassProvider.securityWarnings({ secrets, options })).toHaveLength(warnings);
    }
  });
});
