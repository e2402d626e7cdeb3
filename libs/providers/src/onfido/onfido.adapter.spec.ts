import { ALERT_OPTION_NAMES, DEFAULT_ALERT_OPTIONS } from '../alert-options';
import { createHash, createHmac, randomBytes, randomInt, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OnfidoInvalidSignatureError, WebhookEventVerifier } from '@onfido/api';
import { canonicalJson, WebhookRejection } from '@kyc/core';
import { authenticateWith, hexSignatureVariants, inboundWebhook, recognizes, refusalOf, TEST_EVENT_ID_DIGEST } from '@kyc/testing';
import { ConnectionConfigError, type ConnectionCredentials, type InboundWebhook } from '../provider.interface';
import { onfidoProvider } from './index';
import { ONFIDO_EVENT_TYPES, ONFIDO_WORKFLOW_RUN_STATUSES } from './onfido.mapping';

const TOKEN = 'YKOC6mkBxi6yK2zlUIrLMvsJMFEZObP5';
const credentials = (token = TOKEN, options: Record<string, unknown> = {}): ConnectionCredentials => ({ secrets: { webhookSecret: token }, options });

const inbound = (body: string, headers: Record<string, string | undefined>): InboundWebhook => inboundWebhook(body, headers);
/** Signed here with node:crypto directly, as Onfido documents it: never with the adapter's code. */
const sign = (body: string, token = TOKEN): string => createHmac('sha256', token).update(body, 'utf8').digest('hex');
const signed = (body: string, token = TOKEN): InboundWebhook => inbound(body, { 'x-sha2-signature': sign(body, token) });

/** The reason authenticate refused with, failing the test on anything but a WebhookRejection. */
function refusal(webhook: InboundWebhook, creds = credentials()): ReturnType<typeof refusalOf> {
  return refusalOf(onfidoProvider, webhook, creds);
}

type Fields = Record<string, unknown>;
const event = (action: string, object: Fields = {}, resource?: Fields, extra: Fields = {}) => ({
  payload: { resource_type: action.split('.')[0], action, object: { id: 'obj-1', ...object }, ...(resource ? { resource } : {}), ...extra },
});
const normalize = (body: { payload: Fields }) => onfidoProvider.normalize({ providerEventId: 'k', providerEventType: String(body.payload.action), payload: body });
const decode = (body: unknown) => authenticateWith(onfidoProvider, signed(JSON.stringify(body)), credentials());

const VECTOR = {
  token: '_ABC123abc123ABC123abc123ABC123_',
  body: '{"payload":{"resource_type":"check","action":"check.completed","object":{"id":"check-123","status":"complete","completed_at_iso8601":"2020-01-01T00:00:00Z","href":"https://api.onfido.com/v3/checks/check-123"}}}',
  signature: 'a0082d7481f9f0a2907583dbe1f344d6d4c0d9989df2fd804f98479f60cd760e',
};

describe('onfido signature', () => {
  it('verifies the published test vector (onfido-node classic verifier test)', () => {
    expect(sign(VECTOR.body, VECTOR.token)).toBe(VECTOR.signature);
    const decoded = authenticateWith(onfidoProvider, inbound(VECTOR.body, { 'x-sha2-signature': VECTOR.signature }), credentials(VECTOR.token));
    expect(decoded).toEqual({
      providerEventId: TEST_EVENT_ID_DIGEST({ action: 'check.completed', objectId: 'check-123', status: 'complete', at: '2020-01-01T00:00:00Z' }),
      providerEventType: 'check.completed',
      payload: JSON.parse(VECTOR.body),
    });
    expect(onfidoProvider.normalize(decoded)).toEqual({
      type: 'check.completed',
      status: null,
      subject: { checkId: 'check-123' },
      details: { resourceType: 'check', status: 'complete', href: 'https://api.onfido.com/v3/checks/check-123' },
      occurredAt: '2020-01-01T00:00:00.000Z',
    });
    // The same test's wrong signature (first digit changed) is refused.
    expect(refusal(inbound(VECTOR.body, { 'x-sha2-signature': `b${VECTOR.signature.slice(1)}` }), credentials(VECTOR.token)).status).toBe(401);
  });

  it('the official SDK signals a bad signature by throwing (OnfidoInvalidSignatureError, or a RangeError on another length) and returns the whole parsed body', () => {
    const verifier = new WebhookEventVerifier(VECTOR.token);
    expect(verifier.readPayload(VECTOR.body, VECTOR.signature)).toStrictEqual(JSON.parse(VECTOR.body));
    expect(() => verifier.readPayload(VECTOR.body, `b${VECTOR.signature.slice(1)}`)).toThrow(OnfidoInvalidSignatureError);
    // node:crypto's RangeError comes from outside jest's realm: matched by name and message.
    expect(() => verifier.readPayload(VECTOR.body, 'abcd')).toThrow(expect.objectContaining({ name: 'RangeError', message: expect.stringMatching(/same byte length/) }));
  });

  it('agrees with the official SDK (WebhookEventVerifier.readPayload) on random bodies and tokens, and decodes to what it returns', () => {
    const sdk = (token: string, body: string, signature: string): unknown => {
      try {
        return new WebhookEventVerifier(token).readPayload(body, signature);
      } catch {
        return undefined; // OnfidoInvalidSignatureError, or the RangeError of another length
      }
    };
    const ours = (token: string, body: string, signature: string): unknown => {
      try {
        return authenticateWith(onfidoProvider, inbound(body, { 'x-sha2-signature': signature }), credentials(token)).payload;
      } catch (error) {
        expect(error).toBeInstanceOf(WebhookRejection);
        return undefined;
      }
    };
    let accepted = 0;
    for (let i = 0; i < 200; i++) {
      const token = randomBytes(randomInt(1, 40)).toString('base64url');
      // Non-ASCII text checks that both hash the raw UTF-8 bytes.
      const body = JSON.stringify(event(ONFIDO_EVENT_TYPES[i % ONFIDO_EVENT_TYPES.length], { id: randomUUID(), status: 'complete', note: `é✓ ${randomBytes(8).toString('base64')}` }));
      const variants = hexSignatureVariants(sign, body, token);
      const signature = variants[i % variants.length];
      const result = ours(token, body, signature);
      expect({ i, result }).toStrictEqual({ i, result: sdk(token, body, signature) });
      if (result !== undefined) accepted++;
    }
    expect(accepted).toBe(50); // the two valid variants of every 8
  });

  it('refuses what the SDK lets through after a valid digest (trailing characters, a 65th hex digit): Buffer.from(hex) stops at them', () => {
    const body = JSON.stringify(event('check.completed'));
    for (const signature of [`${sign(body)}!`, `${sign(body)}0`, `${sign(body)}zz`]) {
      expect(new WebhookEventVerifier(TOKEN).readPayload(body, signature)).toStrictEqual(JSON.parse(body));
      expect(refusal(inbound(body, { 'x-sha2-signature': signature }))).toMatchObject({ reason: 'invalid_signature', status: 401 });
    }
  });

  it('signs every golden fixture as the official SDK checks it', () => {
    const folder = join(__dirname, 'fixtures');
    const files = readdirSync(folder).filter((file) => file.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(5);
    for (const file of files) {
      const fixture = JSON.parse(readFileSync(join(folder, file), 'utf8')) as { connection: { secrets: { webhookSecret: string } }; request: { headers: Record<string, string>; body: string } };
      const verifier = new WebhookEventVerifier(fixture.connection.secrets.webhookSecret);
      expect({ file, event: verifier.readPayload(fixture.request.body, fixture.request.headers['x-sha2-signature']) }).toStrictEqual({ file, event: JSON.parse(fixture.request.body) });
    }
  });

  it('refuses a tampered body, a wrong token and a missing header with 401', () => {
    const body = JSON.stringify(event('check.started'));
    expect(refusal(inbound(`${body} `, { 'x-sha2-signature': sign(body) }))).toMatchObject({ reason: 'invalid_signature', status: 401 });
    expect(refusal(inbound(body.replace('obj-1', 'obj-2'), { 'x-sha2-signature': sign(body) }))).toMatchObject({ reason: 'invalid_signature', status: 401 });
    expect(refusal(signed(body, 'another-token'))).toMatchObject({ reason: 'invalid_signature', status: 401 });
    expect(refusal(inbound(body, {}))).toMatchObject({ reason: 'missing_signature', status: 401 });
    expect(refusal(inbound(body, { 'x-sha2-signature': '  ' }))).toMatchObject({ reason: 'missing_signature', status: 401 });
  });

  it.each([
    ['short', 'abcd'],
    ['odd length', 'a'.repeat(63)],
    ['non-hex', 'z'.repeat(64)],
    ['too long', 'a'.repeat(66)],
    ['base64 of the digest', 'BASE64'],
    ['prefixed', 'sha256=GOOD'],
    ['the SHA-1 length', 'a'.repeat(40)],
  ])('refuses a %s signature with 401 and no RangeError', (_name, raw) => {
    const body = JSON.stringify(event('check.started'));
    const digest = createHmac('sha256', TOKEN).update(body).digest();
    const signature = raw.replace('GOOD', digest.toString('hex')).replace('BASE64', digest.toString('base64'));
    expect(refusal(inbound(body, { 'x-sha2-signature': signature }))).toMatchObject({ reason: 'invalid_signature', status: 401 });
  });

  it('reads the hex digest in any case', () => {
    const body = JSON.stringify(event('check.started'));
    expect(authenticateWith(onfidoProvider, inbound(body, { 'x-sha2-signature': sign(body).toUpperCase() }), credentials()).providerEventType).toBe('check.started');
  });

  it('refuses a credential set without a token as 401, never a throw of another kind', () => {
    const body = JSON.stringify(event('check.started'));
    expect(refusal(signed(body), { secrets: {}, options: {} }).status).toBe(401);
    expect(refusal(signed(body, ''), credentials('')).status).toBe(401);
  });

  it.each([
    ['not JSON', '{"payload":'],
    ['an array', '[]'],
    ['a string', '"check.completed"'],
    ['null', 'null'],
    ['without payload', JSON.stringify({ resource_type: 'check', action: 'check.completed', object: { id: 'c' } })],
    ['a payload that is not an object', JSON.stringify({ payload: 'check.completed' })],
    ['without object', JSON.stringify({ payload: { resource_type: 'check', action: 'check.completed' } })],
    ['an object that is an array', JSON.stringify({ payload: { action: 'check.completed', object: [] } })],
    ['an object without id', JSON.stringify({ payload: { action: 'check.completed', object: { status: 'complete' } } })],
    ['a numeric object id', JSON.stringify({ payload: { action: 'check.completed', object: { id: 1 } } })],
    ['an empty object id', JSON.stringify({ payload: { action: 'check.completed', object: { id: '' } } })],
  ])('answers 400 to a correctly signed body that is %s', (_name, body) => {
    expect(refusal(signed(body))).toMatchObject({ reason: 'malformed', status: 400 });
  });

  it('accepts an authentic event naming no action as onfido.unknown (never refused into loss)', () => {
    for (const action of [undefined, '', 42]) {
      const decoded = decode({ payload: { resource_type: 'check', action, object: { id: 'chk-1' } } });
      expect(decoded.providerEventType).toBe('unknown');
      expect(onfidoProvider.normalize(decoded)).toMatchObject({ type: 'onfido.unknown', status: null, subject: { checkId: 'chk-1' } });
    }
  });

  it('refusal messages never contain the token or payload values', () => {
    const body = JSON.stringify({ payload: { object: { first_name: 'Jane', id: 'obj-secret-id' } }, extra: 'Doe' });
    const broken = JSON.stringify({ payload: { object: { first_name: 'Jane' } } });
    for (const webhook of [signed(broken), inbound(body, { 'x-sha2-signature': 'x' }), signed(body, 'other'), inbound(body, {})]) {
      expect(refusal(webhook).message).not.toMatch(/Jane|Doe|obj-secret-id|YKOC6/);
    }
  });
});

describe('onfido dedup key (no event id: a keyed digest)', () => {
  const base = event('check.completed', { id: 'chk-1', status: 'complete', completed_at_iso8601: '2024-05-01T10:00:00Z', started_at_iso8601: '2024-05-01T09:59:00Z' });

  it('is the keyed digest of action, object id, status and completion time, never a plain hash', () => {
    const key = decode(base).providerEventId;
    expect(key).toBe(TEST_EVENT_ID_DIGEST({ action: 'check.completed', objectId: 'chk-1', status: 'complete', at: '2024-05-01T10:00:00Z' }));
    expect(key).toMatch(/^hmac:/);
    const plain = [canonicalJson({ action: 'check.completed', objectId: 'chk-1', status: 'complete', at: '2024-05-01T10:00:00Z' }), canonicalJson(base)];
    for (const text of plain) {
      expect(key).not.toContain(createHash('sha256').update(text).digest('hex'));
      expect(key).not.toContain(createHash('sha256').update(text).digest('base64url'));
    }
  });

  it('is the same for the same event delivered twice, whatever its key order, spacing or resource', () => {
    const key = decode(base).providerEventId;
    expect(decode(base).providerEventId).toBe(key);
    const reordered = `{ "payload": { "object": ${JSON.stringify({ ...base.payload.object }, ['status', 'id', 'completed_at_iso8601', 'started_at_iso8601'], 1)}, "action": "check.completed" } }`;
    expect(authenticateWith(onfidoProvider, signed(reordered), credentials()).providerEventId).toBe(key);
    expect(decode({ payload: { ...base.payload, resource: { updated_at: '2024-05-01T10:00:05Z' } } }).providerEventId).toBe(key);
  });

  it('differs when the action, the object, its status or its time differ', () => {
    const key = decode(base).providerEventId;
    const others = [
      { ...base.payload, action: 'check.reopened' },
      { ...base.payload, object: { ...base.payload.object, id: 'chk-2' } },
      { ...base.payload, object: { ...base.payload.object, status: 'withdrawn' } },
      { ...base.payload, object: { ...base.payload.object, completed_at_iso8601: '2024-05-02T10:00:00Z' } },
    ];
    const keys = new Set([key, ...others.map((payload) => decode({ payload }).providerEventId)]);
    expect(keys.size).toBe(5);
  });

  it('takes the start time without a completion time, and null without either', () => {
    const started = event('check.started', { id: 'chk-1', status: 'in_progress', started_at_iso8601: '2024-05-01T09:59:00Z' });
    expect(decode(started).providerEventId).toBe(TEST_EVENT_ID_DIGEST({ action: 'check.started', objectId: 'chk-1', status: 'in_progress', at: '2024-05-01T09:59:00Z' }));
    expect(decode(event('audit_log.created', { id: 'log-1' })).providerEventId).toBe(TEST_EVENT_ID_DIGEST({ action: 'audit_log.created', objectId: 'log-1', status: null, at: null }));
  });
});

describe('onfido adapter surface', () => {
  it('is named onfido / Onfido, with the environment variable ONFIDO_WEBHOOK_SECRET', () => {
    expect({ name: onfidoProvider.name, displayName: onfidoProvider.displayName, secretFields: onfidoProvider.secretFields }).toEqual({
      name: 'onfido',
      displayName: 'Onfido',
      secretFields: { required: ['webhookSecret'], optional: [] },
    });
    expect(onfidoProvider.environment).toEqual({ secrets: { webhookSecret: 'ONFIDO_WEBHOOK_SECRET' }, options: {} });
    expect(onfidoProvider.signatureHeaders).toEqual(['x-sha2-signature']);
  });

  it('recognizes requests by the X-SHA2-Signature header', () => {
    expect(recognizes(onfidoProvider, inbound('{}', { 'x-sha2-signature': 'x' }))).toBe(true);
    expect(recognizes(onfidoProvider, inbound('{}', { 'complycube-signature': 'x' }))).toBe(false);
  });

  it('parses options: requiredHeaders only, default {}; unknown keys and bad values refused', () => {
    expect(onfidoProvider.optionNames).toEqual(['requiredHeaders', ...ALERT_OPTION_NAMES]);
    expect(onfidoProvider.parseOptions({})).toEqual({ ...DEFAULT_ALERT_OPTIONS, requiredHeaders: {} });
    const parsed = onfidoProvider.parseOptions({ requiredHeaders: { authorization: 'Bearer t' } });
    expect(parsed).toEqual({ ...DEFAULT_ALERT_OPTIONS, requiredHeaders: { authorization: 'Bearer t' } });
    expect(onfidoProvider.parseOptions(parsed)).toEqual(parsed);
    expect(() => onfidoProvider.parseOptions({ timestampToleranceSeconds: 300 })).toThrow(ConnectionConfigError);
    expect(() => onfidoProvider.parseOptions({ requiredHeaders: ['a'] })).toThrow(ConnectionConfigError);
    expect(() => onfidoProvider.parseOptions({ requiredHeaders: { a: 1 } })).toThrow(ConnectionConfigError);
    expect(() => onfidoProvider.parseOptions({ requiredHeaders: { 'bad name': 'v' } })).toThrow(ConnectionConfigError);
  });

  it('checks the webhook token', () => {
    expect(() => onfidoProvider.checkSecrets({ webhookSecret: TOKEN }, {})).not.toThrow();
    expect(() => onfidoProvider.checkSecrets({ webhookSecret: '' }, {})).toThrow(ConnectionConfigError);
    expect(() => onfidoProvider.checkSecrets({}, {})).toThrow(ConnectionConfigError);
    expect(onfidoProvider.securityWarnings(credentials())).toEqual([]);
  });
});

describe('onfido mapping', () => {
  it.each([
    ['approved', 'verification.approved', 'approved'],
    ['declined', 'verification.rejected', 'rejected'],
    ['review', 'verification.review', 'review'],
    ['abandoned', 'verification.cancelled', 'cancelled'],
    ['error', 'verification.completed', 'completed'],
    ['processing', 'verification.completed', 'completed'],
    ['awaiting_input', 'verification.completed', 'completed'],
    ['awaiting_client_input', 'verification.completed', 'completed'],
    ['something_new', 'verification.completed', 'completed'],
    ['constructor', 'verification.completed', 'completed'],
  ])('workflow_run.completed with status %s -> %s / %s', (status, type, normalizedStatus) => {
    expect(normalize(event('workflow_run.completed', { status }))).toMatchObject({ type, status: normalizedStatus, details: { status } });
  });

  it('walks every workflow-run status of the official spec', () => {
    expect(ONFIDO_WORKFLOW_RUN_STATUSES).toEqual(['processing', 'awaiting_input', 'awaiting_client_input', 'approved', 'declined', 'review', 'abandoned', 'error']);
    expect(normalize(event('workflow_run.completed'))).toMatchObject({ type: 'verification.completed', status: 'completed', details: {} });
  });

  it.each([
    ['check.started', 'verification.processing', 'processing'],
    ['check.reopened', 'check.reopened', null],
    ['check.withdrawn', 'check.withdrawn', null],
    ['check.completed', 'check.completed', null],
    ['check.form_completed', 'check.form_completed', null],
    ['report.withdrawn', 'report.withdrawn', null],
    ['report.resumed', 'report.resumed', null],
    ['report.cancelled', 'report.cancelled', null],
    ['report.awaiting_approval', 'report.awaiting_approval', null],
    ['report.completed', 'report.completed', null],
    ['workflow_task.started', 'workflow_task.started', null],
    ['workflow_task.completed', 'workflow_task.completed', null],
    ['watchlist_monitor.matches_updated', 'watchlist_monitor.matches_updated', null],
    ['audit_log.created', 'audit_log.created', null],
    ['workflow_timeline_file.created', 'workflow_timeline_file.created', null],
    ['workflow_run_evidence_folder.created', 'workflow_run_evidence_folder.created', null],
  ])('%s -> %s / %s', (action, type, status) => {
    expect(normalize(event(action, { status: 'approved' }))).toMatchObject({ type, status });
  });

  it('covers every documented action', () => {
    expect(ONFIDO_EVENT_TYPES).toHaveLength(17);
  });

  it('check.completed keeps the result where given, and the status; a result is no decision', () => {
    expect(normalize(event('check.completed', { status: 'complete', result: 'consider' }))).toMatchObject({
      type: 'check.completed',
      status: null,
      details: { status: 'complete', result: 'consider' },
    });
    expect(normalize(event('check.completed', { status: 'complete' })).details).not.toHaveProperty('result');
  });

  it.each(['workflow_run.error', 'check.paused', 'taxonomy_probe_unknown', 'constructor', '__proto__'])('maps the undocumented type %s to onfido.<type>, status null', (action) => {
    expect(normalize(event(action, { status: 'approved' }))).toMatchObject({ type: `onfido.${action}`, status: null });
  });

  it('fills the subject by resource: run -> verificationId, check -> checkId, task -> its run; applicant and customer user from resource', () => {
    const run = normalize(event('workflow_run.completed', { id: 'run-1', status: 'approved' }, { id: 'run-1', applicant_id: 'app-1', customer_user_id: 'crm-1' }));
    expect(run.subject).toEqual({ verificationId: 'run-1', applicantId: 'app-1', externalUserId: 'crm-1' });
    expect(normalize(event('check.completed', { id: 'chk-1' })).subject).toEqual({ checkId: 'chk-1' });
    expect(normalize(event('check.started', { id: 'chk-1' }, { applicant_id: 'app-1' })).subject).toEqual({ checkId: 'chk-1', applicantId: 'app-1' });
    expect(normalize(event('workflow_task.started', { id: 'task-1', workflow_run_id: 'run-1' })).subject).toEqual({ verificationId: 'run-1' });
    expect(normalize(event('workflow_run_evidence_folder.created', { id: 'f-1' }, { workflow_run_id: 'run-2' })).subject).toEqual({ verificationId: 'run-2' });
    // A report's webhook does not name its check: no subject slot fits, its id stays in details.
    const report = normalize(event('report.completed', { id: 'rep-1', status: 'complete' }));
    expect(report.subject).toEqual({});
    expect(report.details).toEqual({ resourceType: 'report', status: 'complete', resourceId: 'rep-1' });
    // resource_type missing: the action's resource decides.
    expect(normalize({ payload: { action: 'check.started', object: { id: 'chk-9' } } }).subject).toEqual({ checkId: 'chk-9' });
    // Non-string ids are not ids.
    expect(normalize(event('workflow_run.completed', { id: 'run-1' }, { applicant_id: 7, customer_user_id: { x: 1 } })).subject).toEqual({ verificationId: 'run-1' });
  });

  it('keeps vendor facts in details, and never task input/output, tags, links or URLs with credentials', () => {
    const body = event(
      'workflow_run.completed',
      { id: 'run-1', status: 'declined', href: 'https://api.onfido.com/v3.6/workflow_runs/run-1', completed_at_iso8601: '2024-05-01T10:00:00Z' },
      {
        id: 'run-1',
        applicant_id: 'app-1',
        workflow_id: 'wf-1',
        workflow_version_id: 4,
        status: 'declined',
        reasons: ['document_expired', 7, ''],
        error: { type: 'timeout', message: 'Jane Doe timed out' },
        tags: ['Jane Doe'],
        link: { url: 'https://eu.onfido.app/l/secret-link' },
        dashboard_url: 'https://dashboard.onfido.com/results/run-1',
        timeline_file_download_url: 'https://example.com/t.pdf?signature=presigned',
        input: { first_name: 'Jane' },
        output: { last_name: 'Doe', date_of_birth: '1990-01-01', document_number: '999999999' },
      },
    );
    const normalized = normalize(body);
    expect(normalized.details).toEqual({
      resourceType: 'workflow_run',
      status: 'declined',
      href: 'https://api.onfido.com/v3.6/workflow_runs/run-1',
      workflowId: 'wf-1',
      workflowVersionId: 4,
      reasons: ['document_expired'],
      errorType: 'timeout',
    });
    expect(JSON.stringify(normalized)).not.toMatch(/Jane|Doe|1990-01-01|999999999|secret-link|presigned|dashboard/);

    const task = normalize(
      event('workflow_task.completed', { id: 'document_check_1', task_def_id: 'document_check', workflow_run_id: 'run-1', status: 'completed' }, { output: { first_name: 'Jane' } }),
    );
    expect(task.details).toEqual({ resourceType: 'workflow_task', status: 'completed', resourceId: 'document_check_1', taskDefId: 'document_check' });
    expect(normalize(event('workflow_task.started', { id: 't' }, { task_def_id: 'profile_data' })).details.taskDefId).toBe('profile_data');
  });

  it('occurredAt is the completion time, else the start time, else left to the gateway', () => {
    const at = (object: Fields) => normalize(event('check.completed', object)).occurredAt;
    expect(at({ completed_at_iso8601: '2024-05-01T10:00:00Z', started_at_iso8601: '2024-05-01T09:00:00Z' })).toBe('2024-05-01T10:00:00.000Z');
    expect(at({ started_at_iso8601: '2024-05-01T09:00:00Z' })).toBe('2024-05-01T09:00:00.000Z');
    expect(at({ completed_at_iso8601: 'yesterday', started_at_iso8601: '2024-05-01T09:00:00Z' })).toBe('2024-05-01T09:00:00.000Z');
    expect(at({ completed_at_iso8601: 1714557600 })).toBeUndefined();
    expect(at({})).toBeUndefined();
  });

  it('tolerates parts that are not objects', () => {
    expect(normalize({ payload: { action: 'check.started', object: 'x', resource: [] } })).toMatchObject({ type: 'verification.processing', subject: {}, details: {} });
  });
});

describe('onfido simulator', () => {
  it.each(ONFIDO_EVENT_TYPES.map((type) => [type]))('round-trips %s, signed as the official SDK checks', (type) => {
    const creds = credentials(TOKEN, { requiredHeaders: { authorization: 'Bearer t' } });
    const first = onfidoProvider.simulator.build(type, creds);
    const second = onfidoProvider.simulator.build(type, creds);
    expect(first.headers).toMatchObject({ 'content-type': 'application/json', authorization: 'Bearer t' });
    const webhook = inbound(first.body, first.headers);
    expect(recognizes(onfidoProvider, webhook)).toBe(true);
    const decoded = authenticateWith(onfidoProvider, webhook, creds);
    expect(decoded.providerEventType).toBe(type);
    expect(decoded.providerEventId).not.toBe(authenticateWith(onfidoProvider, inbound(second.body, second.headers), creds).providerEventId);
    const normalized = onfidoProvider.normalize(decoded);
    expect(normalized.type.startsWith('onfido.')).toBe(false);
    expect(JSON.stringify(normalized)).not.toMatch(/Jane|Doe|1990-01-01|999999999/);
    expect(new WebhookEventVerifier(TOKEN).readPayload(first.body, first.headers['x-sha2-signature'])).toStrictEqual(JSON.parse(first.body));
  });

  it('sends the personal data Onfido sends (so the tests above prove it is dropped)', () => {
    expect(onfidoProvider.simulator.build('workflow_run.completed', credentials()).body).toMatch(/Jane/);
    expect(onfidoProvider.simulator.build('workflow_task.completed', credentials()).body).toMatch(/999999999/);
  });

  it('honours now and payload (merged over payload.object; undefined removes a field)', () => {
    const now = new Date('2024-01-02T03:04:05.678Z');
    const { body } = onfidoProvider.simulator.build('workflow_run.completed', credentials(), { now, payload: { status: 'declined', href: undefined } });
    const parsed = JSON.parse(body) as { payload: { object: Fields; resource: Fields } };
    expect(parsed.payload.object).toMatchObject({ status: 'declined', completed_at_iso8601: '2024-01-02T03:04:05Z' });
    expect(parsed.payload.object).not.toHaveProperty('href');
    expect(parsed.payload.resource.status).toBe('declined');
    expect(onfidoProvider.normalize(authenticateWith(onfidoProvider, signed(body), credentials()))).toMatchObject({
      type: 'verification.rejected',
      occurredAt: '2024-01-02T03:04:05.000Z',
    });
  });

  it('generates 32-character url-safe tokens and builds unknown types', () => {
    const { webhookSecret } = onfidoProvider.simulator.generateSecrets();
    expect(webhookSecret).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(onfidoProvider.simulator.sampleEventType).toBe('workflow_run.completed');
    const built = onfidoProvider.simulator.build('taxonomy_probe_unknown', credentials(webhookSecret));
    expect(onfidoProvider.normalize(authenticateWith(onfidoProvider, inbound(built.body, built.headers), credentials(webhookSecret))).type).toBe('onfido.taxonomy_probe_unknown');
  });
});
