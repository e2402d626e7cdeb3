import { createDecipheriv, randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { AppConfig } from '@kyc/config';
import { hmacSha256 } from '@kyc/core';
import { ConnectionEntity, ConnectionStore, EventEntity, EventStore, InboundRefusalEntity } from '@kyc/persistence';
import { findProvider, PROVIDERS } from '@kyc/providers';
import { EVENTS_QUEUE, redisOptions } from '@kyc/queue';
import { allpassEncryptCbc, aSeedVendorSet, createTestDatabase, DATABASE_KINDS, testConfig, TestDatabase, waitFor } from '@kyc/testing';
import { ConnectionCache, PUBLIC_INGRESS_MESSAGES } from '@kyc/gateway';
import { post } from './support/http';
import { startTestApp, TestApp } from './support/test-app';

const allpass = findProvider('allpass')!;

/** One public answer per status, whatever failed (the reason is in the refusal record and the log). */
const PUBLIC_ANSWERS = {
  400: { statusCode: 400, error: 'Bad Request', message: PUBLIC_INGRESS_MESSAGES[400] },
  401: { statusCode: 401, error: 'Unauthorized', message: PUBLIC_INGRESS_MESSAGES[401] },
  404: { statusCode: 404, error: 'Not Found', message: PUBLIC_INGRESS_MESSAGES[404] },
  415: { statusCode: 415, error: 'Unsupported Media Type', message: PUBLIC_INGRESS_MESSAGES[415] },
};
const complycube = findProvider('complycube')!;
const verifik = findProvider('verifik')!;

const SECRETS = {
  complycube: { webhookSecret: 'cc_test_secret' },
  verifik: { webhookSecret: 'whsec_verifik_test' },
  allpass: { cryptoKey: randomBytes(32).toString('hex') },
};
const CBC_CONNECTION = { cryptoKey: randomBytes(32).toString('base64') };
const SECOND_ALLPASS = { cryptoKey: randomBytes(32).toString('hex') };
/** An Allpass connection whose operator set a timestamp window (off by default). */
const WINDOWED_ALLPASS = { cryptoKey: randomBytes(32).toString('hex') };
const windowed = { secrets: WINDOWED_ALLPASS, options: findProvider('allpass')!.parseOptions({ timestampToleranceSeconds: 300 }) };
/** The other registered vendors' `default` connections. */
const others = aSeedVendorSet();
const credentials = (provider: string) =>
  provider in SECRETS
    ? { secrets: SECRETS[provider as keyof typeof SECRETS], options: findProvider(provider)!.parseOptions(provider === 'allpass' ? { encryptionMethod: 'aes-256-gcm' } : {}) }
    : others.credentials(provider);

/** IV and one block that decrypt to an invalid PKCS#7 padding under `key`. */
function badlyPadded(key: Buffer): Buffer {
  for (;;) {
    const data = randomBytes(32);
    try {
      const decipher = createDecipheriv('aes-256-cbc', key, data.subarray(0, 16));
      Buffer.concat([decipher.update(data.subarray(16)), decipher.final()]);
    } catch {
      return data;
    }
  }
}

describe.each(DATABASE_KINDS)('ingress on %s', (kind) => {
  let database: TestDatabase;
  let config: AppConfig;
  let gateway: TestApp;
  let queue: Queue;
  let events: EventStore;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    config = testConfig({
      DATABASE_URL: database.url,
      MAX_BODY_BYTES: '8192',
      ...others.environment,
      COMPLYCUBE_WEBHOOK_SECRET: SECRETS.complycube.webhookSecret,
      VERIFIK_WEBHOOK_SECRET: SECRETS.verifik.webhookSecret,
      ALLPASS_CRYPTO_KEY: SECRETS.allpass.cryptoKey,
      ALLPASS_ENCRYPTION_METHOD: 'aes-256-gcm',
    });
    gateway = await startTestApp(config);
    dataSource = gateway.app.get(DataSource);
    events = gateway.app.get(EventStore);
    const connections = gateway.app.get(ConnectionStore);
    await connections.createIfMissing('allpass', 'eu-cbc', CBC_CONNECTION, {
      encryptionMethod: 'aes-256-cbc',
      requiredHeaders: { authorization: 'Bearer s3cret-token' },
    });
    await connections.createIfMissing('allpass', 'second', SECOND_ALLPASS, { encryptionMethod: 'aes-256-gcm' });
    await connections.createIfMissing('allpass', 'windowed', WINDOWED_ALLPASS, { encryptionMethod: 'aes-256-gcm', timestampToleranceSeconds: 300 });
    await connections.createIfMissing('complycube', 'retired', { webhookSecret: 'retired' }, {});
    await dataSource.getRepository(ConnectionEntity).update({ provider: 'complycube', name: 'retired' }, { enabled: false });
    // As the admin API does after a change (instead of waiting for the cache TTL).
    await gateway.app.get(ConnectionCache).reload();
    queue = new Queue(EVENTS_QUEUE, { connection: redisOptions(config.env.REDIS_URL, 'producer'), prefix: config.env.QUEUE_PREFIX });
  });

  afterAll(async () => {
    await queue?.obliterate({ force: true }).catch(() => undefined);
    await queue?.close();
    await gateway?.close();
    await database?.drop();
  });

  const webhooks = () => `${gateway.url}/webhooks`;

  it.each([
    ['allpass', 'applicantApproved', 'verification.approved', 'approved'],
    ['complycube', 'check.completed.clear', 'check.completed', null],
    ['verifik', 'verification.completed', 'verification.approved', 'approved'],
  ] as const)('accepts a %s %s on its provider route, stores it and queues it', async (provider, vendorType, type, status) => {
    const request = findProvider(provider)!.simulator.build(vendorType, credentials(provider));
    const answer = await post(`${webhooks()}/${provider}`, request);

    expect(answer).toEqual({ status: 200, body: { received: true, eventId: expect.any(String), duplicate: false } });
    const eventId = answer.body.eventId as string;
    const stored = await events.findById(eventId);
    expect(stored).toMatchObject({ specVersion: '1', id: eventId, provider, connection: 'default', type, status, providerEventType: vendorType });
    expect(await events.findPayload(eventId)).toEqual(expect.any(Object));
    // Queued right after the acknowledgement (fire and forget), so it may land a moment later.
    await waitFor(async () => (await queue.getJob(eventId)) !== undefined, 2_000, `no dispatch job for ${eventId}`);
    const job = await queue.getJob(eventId);
    expect(job?.name).toBe('dispatch');
    expect(job?.data).toEqual({ eventIds: [eventId] });
  });

  it('recognises every vendor type of every provider on the single URL', async () => {
    for (const provider of PROVIDERS) {
      const creds = credentials(provider.name);
      for (const vendorType of provider.simulator.eventTypes) {
        const answer = await post(webhooks(), provider.simulator.build(vendorType, creds));
        expect({ vendorType, status: answer.status }).toEqual({ vendorType, status: 200 });
        const stored = await events.findById(answer.body.eventId as string);
        expect(stored?.provider).toBe(provider.name);
        expect(stored?.providerEventType).toBe(vendorType);
      }
    }
  });

  it('picks, on the single URL, the connection whose secret verifies the request', async () => {
    const request = allpass.simulator.build('applicantCreated', { secrets: SECOND_ALLPASS, options: allpass.parseOptions({}) });
    const answer = await post(webhooks(), request);
    expect(answer.status).toBe(200);
    expect((await events.findById(answer.body.eventId as string))?.connection).toBe('second');
  });

  it('uses a connection added through the admin API at once, on its route and on the single URL', async () => {
    const addConnection = async (name: string, secrets: Record<string, string>) => {
      const response = await fetch(`${gateway.url}/admin/connections`, {
        method: 'POST',
        headers: { authorization: `Bearer ${config.adminApiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ provider: 'verifik', name, secrets }),
      });
      expect(response.status).toBe(201);
    };
    const late = { webhookSecret: `late-${randomBytes(4).toString('hex')}` };
    await addConnection('late', late);
    const creds = { secrets: late, options: verifik.parseOptions({}) };
    const onRoute = await post(`${webhooks()}/verifik/late`, verifik.simulator.build('verification.started', creds));
    expect(onRoute.status).toBe(200);
    const later = { webhookSecret: `later-${randomBytes(4).toString('hex')}` };
    await addConnection('later', later);
    const single = await post(webhooks(), verifik.simulator.build('verification.started', { ...creds, secrets: later }));
    expect(single.status).toBe(200);
    expect((await events.findById(single.body.eventId as string))?.connection).toBe('later');
  });

  it('accepts an Allpass retry made long after the event, with its first envelope time (no window by default), as the same event', async () => {
    const sent = allpass.simulator.build('applicantInReview', credentials('allpass'), { now: new Date(Date.now() - 3 * 3_600_000) });
    const first = await post(`${webhooks()}/allpass`, sent);
    expect(first.status).toBe(200);
    const event = await events.findById(first.body.eventId as string);
    expect(event?.occurredAt).toBe((JSON.parse(sent.body) as { time: string }).time);
    expect((await post(`${webhooks()}/allpass`, sent)).body).toMatchObject({ eventId: first.body.eventId, duplicate: true });
  });

  it('accepts an unknown vendor type as <provider>.<type>', async () => {
    const answer = await post(`${webhooks()}/complycube`, complycube.simulator.build('brand.new.event', credentials('complycube')));
    expect(answer.status).toBe(200);
    expect(await events.findById(answer.body.eventId as string)).toMatchObject({ type: 'complycube.brand.new.event', status: null });
  });

  it('acknowledges a redelivery with the first event id and queues nothing new', async () => {
    const request = verifik.simulator.build('verification.failed', credentials('verifik'));
    const first = await post(`${webhooks()}/verifik`, request);
    const again = await post(webhooks(), request);
    expect(first.body).toMatchObject({ duplicate: false });
    expect(again).toEqual({ status: 200, body: { received: true, eventId: first.body.eventId, duplicate: true } });
    const rows = await dataSource.getRepository(EventEntity).countBy({ provider: 'verifik', providerEventId: (JSON.parse(request.body) as { id: string }).id });
    expect(rows).toBe(1);
  });

  it('keys an over-long vendor event id by its keyed digest, so its redelivery is still a duplicate', async () => {
    const id = `evt_${randomBytes(4).toString('hex')}_${'x'.repeat(300)}`;
    const body = JSON.stringify({ id, type: 'check.pending', resourceType: 'check', payload: { id: 'chk' }, createdAt: new Date().toISOString() });
    const signature = hmacSha256(SECRETS.complycube.webhookSecret, body).toString('hex');
    const request = { headers: { 'content-type': 'application/json', 'complycube-signature': signature }, body };
    const first = await post(`${webhooks()}/complycube`, request);
    const again = await post(`${webhooks()}/complycube`, request);
    expect(again.body).toMatchObject({ eventId: first.body.eventId, duplicate: true });
    const stored = await events.findById(first.body.eventId as string);
    // Not a plain hash of what the vendor sent: a digest keyed with SECRETS_KEY.
    expect(stored?.providerEventId).toMatch(/^hmac:[A-Za-z0-9_-]{43}$/);
  });

  it('stores subject ids and payloads only sealed', async () => {
    const applicantId = `applicant-${randomBytes(6).toString('hex')}`;
    const request = allpass.simulator.build('applicantRejected', credentials('allpass'), { payload: { id: applicantId } });
    const answer = await post(`${webhooks()}/allpass`, request);
    expect((await events.findById(answer.body.eventId as string))?.subject.applicantId).toBe(applicantId);
    const raw = await dataSource.query(`SELECT * FROM events WHERE id = '${answer.body.eventId as string}'`);
    expect(JSON.stringify(raw)).not.toContain(applicantId);
  });

  describe('refusals', () => {
    const cc = (body: string, secret = SECRETS.complycube.webhookSecret) => ({
      headers: { 'content-type': 'application/json', 'complycube-signature': hmacSha256(secret, body).toString('hex') },
      body,
    });
    const ccEvent = () => JSON.stringify({ id: `evt_${randomBytes(6).toString('hex')}`, type: 'check.pending', resourceType: 'check', payload: { id: 'chk' }, createdAt: new Date().toISOString() });

    it.each([
      ['invalid JSON, correctly signed', 'complycube', () => cc('{"id":')],
      ['a body no vendor sends, on the single URL', '', () => ({ headers: { 'content-type': 'application/json' }, body: '{"hello":"world"}' })],
      [
        'an Allpass envelope whose data cannot be decoded',
        'allpass',
        () => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: true, statusCode: 200, data: 'zz!!', time: new Date().toISOString() }) }),
      ],
      ['a signed ComplyCube body that is not an event', 'complycube', () => cc('{"hello":"world"}')],
    ])('answers 400 to %s', async (_, route, request) => {
      const answer = await post(route ? `${webhooks()}/${route}` : webhooks(), request());
      expect(answer).toEqual({ status: 400, body: PUBLIC_ANSWERS[400] });
    });

    it.each([
      ['a wrong ComplyCube signature', 'complycube', () => cc(ccEvent(), 'not-the-secret')],
      ['a missing signature', 'complycube', () => ({ headers: { 'content-type': 'application/json' }, body: ccEvent() })],
      [
        'a tampered Verifik body',
        'verifik',
        () => {
          const request = verifik.simulator.build('verification.completed', credentials('verifik'));
          return { ...request, body: request.body.replace('verification.completed', 'verification.expired') };
        },
      ],
      ['a stale Allpass timestamp (connection with a window)', 'allpass/windowed', () => allpass.simulator.build('applicantApproved', windowed, { now: new Date(Date.now() - 10 * 60_000) })],
      [
        'an Allpass timestamp from the future (connection with a window)',
        'allpass/windowed',
        () => allpass.simulator.build('applicantApproved', windowed, { now: new Date(Date.now() + 10 * 60_000) }),
      ],
      ['a wrong GCM key', 'allpass', () => allpass.simulator.build('applicantApproved', { secrets: { cryptoKey: randomBytes(32).toString('hex') }, options: allpass.parseOptions({}) })],
      [
        'a missing custom auth header',
        'allpass/eu-cbc',
        () => allpass.simulator.build('applicantApproved', { secrets: CBC_CONNECTION, options: allpass.parseOptions({ encryptionMethod: 'aes-256-cbc' }) }),
      ],
      [
        'a wrong custom auth header',
        'allpass/eu-cbc',
        () =>
          allpass.simulator.build('applicantApproved', {
            secrets: CBC_CONNECTION,
            options: allpass.parseOptions({ encryptionMethod: 'aes-256-cbc', requiredHeaders: { authorization: 'Bearer guess' } }),
          }),
      ],
    ])('answers 401 to %s', async (_, route, request) => {
      const answer = await post(`${webhooks()}/${route}`, request());
      expect(answer).toEqual({ status: 401, body: PUBLIC_ANSWERS[401] });
    });

    it('accepts the CBC connection with its custom auth header', async () => {
      const options = allpass.parseOptions({ encryptionMethod: 'aes-256-cbc', requiredHeaders: { authorization: 'Bearer s3cret-token' } });
      const answer = await post(`${webhooks()}/allpass/eu-cbc`, allpass.simulator.build('applicantInReview', { secrets: CBC_CONNECTION, options }));
      expect(answer.status).toBe(200);
    });

    it.each([
      ['an unknown provider', 'acme'],
      ['an unknown connection', 'complycube/nope'],
      ['a disabled connection', 'complycube/retired'],
    ])('answers 404 to %s, saying the same whether the connection is unknown or disabled', async (_, route) => {
      const answer = await post(`${webhooks()}/${route}`, cc(ccEvent(), 'retired'));
      expect(answer).toEqual({ status: 404, body: PUBLIC_ANSWERS[404] });
    });

    it('answers every refusal after authentication alike: CBC padding, UTF-8, JSON, not an object', async () => {
      const key = Buffer.from(CBC_CONNECTION.cryptoKey, 'base64');
      const headers = { 'content-type': 'application/json', authorization: 'Bearer s3cret-token' };
      const plaintexts = { padding: undefined, utf8: Buffer.from([0xc3, 0x28, 0x7b]), json: Buffer.from('{"type":'), object: Buffer.from('["applicantApproved"]') };
      for (const [label, plaintext] of Object.entries(plaintexts)) {
        const data = plaintext ? allpassEncryptCbc(key, plaintext) : badlyPadded(key);
        const body = JSON.stringify({ status: true, statusCode: 200, data: data.toString('hex'), time: new Date().toISOString() });
        expect({ label, ...(await post(`${webhooks()}/allpass/eu-cbc`, { headers, body })) }).toEqual({ label, status: 400, body: PUBLIC_ANSWERS[400] });
      }
    });

    it('answers 413 to a body over MAX_BODY_BYTES, declared or streamed', async () => {
      const big = JSON.stringify({ id: 'big', type: 'check.pending', pad: 'x'.repeat(10_000) });
      expect((await post(`${webhooks()}/complycube`, cc(big))).status).toBe(413);
      const chunked = await fetch(`${webhooks()}/complycube`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'complycube-signature': 'ab' },
        body: new Blob([big]).stream(),
        duplex: 'half',
      });
      expect(chunked.status).toBe(413);
    });

    it('answers 415 to a body that is not JSON', async () => {
      const answer = await post(`${webhooks()}/complycube`, { headers: { 'content-type': 'text/plain' }, body: ccEvent() });
      expect(answer).toEqual({ status: 415, body: PUBLIC_ANSWERS[415] });
    });

    it('never names an encryption method, an encoding or a connection state in a public message', () => {
      for (const message of Object.values(PUBLIC_INGRESS_MESSAGES)) {
        expect(message).not.toMatch(/aes|cbc|gcm|padding|hex|base64|utf|disabled|enabled|hmac|tag/i);
      }
    });

    it('records every refusal with its reason, never its body', async () => {
      const expected = [
        '400 malformed',
        '401 invalid_signature',
        '401 missing_signature',
        '401 stale_timestamp',
        '404 unknown_provider',
        '404 unknown_connection',
        '404 disabled_connection',
        '413 too_large',
        '415 unsupported_media_type',
      ];
      const reasons = async () => new Set((await dataSource.getRepository(InboundRefusalEntity).find()).map((row) => `${row.statusCode} ${row.reason}`));
      // Refusals are recorded after the answer (a refusal log must never delay or fail the answer).
      await waitFor(async () => {
        const seen = await reasons();
        return expected.every((reason) => seen.has(reason));
      }, 5_000).catch(() => undefined);
      expect([...(await reasons())].sort()).toEqual(expect.arrayContaining(expected));
      const rows = await dataSource.getRepository(InboundRefusalEntity).find();
      expect(rows.every((row) => row.sourceIp && row.receivedAt instanceof Date)).toBe(true);
      expect(JSON.stringify(rows)).not.toMatch(/check\.pending|s3cret|cc_test_secret/);
    });
  });

  it('answers 503 when the database is unavailable, so the vendor retries', async () => {
    const request = complycube.simulator.build('client.created', credentials('complycube'));
    await dataSource.destroy();
    const answer = await post(`${webhooks()}/complycube`, request);
    expect(answer).toMatchObject({ status: 503, body: { statusCode: 503 } });
  });
});
