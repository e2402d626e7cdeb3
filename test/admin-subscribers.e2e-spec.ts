import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AppConfig } from '@kyc/config';
import type { QueueSubscriber } from '@kyc/persistence';
import { AdminClient, type AdminRequest, createTestDatabase, DATABASE_KINDS, testConfig, TestDatabase } from '@kyc/testing';
import { startTestApp, TestApp } from './support/test-app';

type Json = Record<string, unknown>;
/** The subscriber resource as the API answers it, either kind. */
type Subscriber = Omit<QueueSubscriber, 'kind' | 'queue'> & { kind: string; queue?: string; url?: string; secretFingerprint?: string };
type Created = Subscriber & { secret?: string };

const queueSubscriber = (name: string, extra: Json = {}) => ({ name, kind: 'queue', queue: `kyc-${name}`, ...extra });
const httpSubscriber = (name: string, extra: Json = {}) => ({ name, kind: 'http', url: 'https://crm.example.com/kyc', ...extra });

describe.each(DATABASE_KINDS)('admin subscribers API on %s', (kind) => {
  let database: TestDatabase;
  let config: AppConfig;
  let gateway: TestApp;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    config = testConfig({ DATABASE_URL: database.url, ALLOW_PRIVATE_SUBSCRIBER_URLS: 'false' });
    gateway = await startTestApp(config);
  });

  afterAll(async () => {
    await gateway?.close();
    await database?.drop();
  });

  const call = <T = Json>(method: string, path: string, request: AdminRequest = {}, app = gateway) => new AdminClient(app.url, config.adminApiKey).call<T>(method, path, request);

  const create = async (input: Json) => {
    const answer = await call<Created>('POST', '/subscribers', { body: input });
    expect(answer.status).toBe(201);
    return answer.body;
  };

  describe('authentication', () => {
    const id = randomUUID();
    const routes: [string, string][] = [
      ['GET', '/subscribers'],
      ['POST', '/subscribers'],
      ['GET', `/subscribers/${id}`],
      ['PATCH', `/subscribers/${id}`],
      ['DELETE', `/subscribers/${id}`],
    ];
    const wrong: [string, string | null][] = [
      ['no key', null],
      ['a wrong key', 'Bearer not-the-admin-key'],
      ['the key under another scheme', 'Basic KEY'],
    ];

    it.each(routes)('%s %s answers 401 without the key, with a wrong key or scheme', async (method, path) => {
      for (const [label, authorization] of wrong) {
        const body = method === 'POST' || method === 'PATCH' ? httpSubscriber('anonymous') : undefined;
        const answer = await call(method, path, { body, authorization: authorization?.replace('KEY', config.adminApiKey) ?? null });
        expect({ label, ...answer }).toEqual({ label, status: 401, body: { statusCode: 401, error: 'Unauthorized', message: 'missing or invalid admin API key' } });
      }
    });

    it('refuses an anonymous request before reading its body', async () => {
      const answer = await call('POST', '/subscribers', { raw: '{"name":', authorization: null });
      expect(answer.status).toBe(401);
      expect((await call('GET', '/subscribers')).body).toEqual({ data: [], nextCursor: null });
    });

    it('accepts the scheme in any case', async () => {
      expect((await call('GET', '/subscribers', { authorization: `bearer ${config.adminApiKey}` })).status).toBe(200);
    });
  });

  describe('creation', () => {
    it('creates a queue subscriber with the defaults of the contract', async () => {
      const created = await create(queueSubscriber('billing', { filter: { providers: ['allpass', 'complycube'], types: ['verification.*'] } }));
      expect(created).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        name: 'billing',
        kind: 'queue',
        queue: 'kyc-billing',
        timeoutMs: 10_000,
        filter: { providers: ['allpass', 'complycube'], connections: [], types: ['verification.*'], includeStale: false },
        retry: { maxAttempts: 10, backoff: { type: 'exponential', delayMs: 1_000, maxDelayMs: 3_600_000 } },
        enabled: true,
        disabledReason: null,
        disabledAt: null,
        failingSince: null,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      expect((await call('GET', `/subscribers/${created.id}`)).body).toEqual(created);
    });

    it('creates an http subscriber whose secret is shown once and stored sealed', async () => {
      const created = await create(httpSubscriber('crm', { timeoutMs: 5_000, filter: { types: ['verification.approved'] }, retry: { maxAttempts: 8, backoff: { type: 'fixed', delayMs: 30_000 } } }));
      expect(created).toMatchObject({
        kind: 'http',
        url: 'https://crm.example.com/kyc',
        timeoutMs: 5_000,
        filter: { providers: [], types: ['verification.approved'] },
        retry: { maxAttempts: 8, backoff: { type: 'fixed', delayMs: 30_000, maxDelayMs: 3_600_000 } },
        secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/=]{20,}$/),
        secretFingerprint: expect.any(String),
      });
      expect(created).not.toHaveProperty('queue');
      const secret = created.secret!;

      const fetched = await call<Subscriber>('GET', `/subscribers/${created.id}`);
      expect(fetched.body).not.toHaveProperty('secret');
      expect(fetched.body.secretFingerprint).toBe(created.secretFingerprint);
      const list = await call('GET', '/subscribers');
      expect(JSON.stringify(list.body)).not.toContain(secret.slice('whsec_'.length));
      expect(JSON.stringify(list.body)).not.toContain('"secret"');

      const rows: unknown[] = await gateway.app.get(DataSource).query('SELECT * FROM subscribers');
      expect(rows.length).toBeGreaterThan(0);
      expect(JSON.stringify(rows)).not.toContain(secret.slice('whsec_'.length));
    });

    it('answers 409 to a name already taken', async () => {
      await create(queueSubscriber('taken'));
      const answer = await call('POST', '/subscribers', { body: httpSubscriber('taken') });
      expect(answer).toEqual({ status: 409, body: { statusCode: 409, error: 'Conflict', message: expect.stringContaining('taken') } });
    });
  });

  describe('validation', () => {
    it.each([
      ['a missing name', { kind: 'queue', queue: 'q' }, 'name'],
      ['a null name', queueSubscriber('x', { name: null }), 'name'],
      ['a name with spaces', queueSubscriber('x', { name: 'my subscriber' }), 'name'],
      ['a bad kind', { name: 'sms', kind: 'sms' }, 'kind'],
      ['an http subscriber without url', { name: 'no-url', kind: 'http' }, 'url'],
      ['a queue subscriber without queue', { name: 'no-queue', kind: 'queue' }, 'queue'],
      ['a url on a queue subscriber', queueSubscriber('both', { url: 'https://example.com/' }), 'url'],
      ['a queue name with a colon (BullMQ refuses it)', queueSubscriber('colon', { queue: 'kyc:billing' }), 'queue'],
      ['a url that is not one', httpSubscriber('bad-url', { url: 'not a url' }), 'url'],
      ['a url that is not http', httpSubscriber('ftp', { url: 'ftp://example.com/x' }), 'url'],
      ['timeoutMs under 100', httpSubscriber('fast', { timeoutMs: 10 }), 'timeoutMs'],
      ['maxAttempts 0', queueSubscriber('zero', { retry: { maxAttempts: 0 } }), 'retry.maxAttempts'],
      ['a bad type pattern', queueSubscriber('pattern', { filter: { types: ['verification.*.approved'] } }), 'filter.types'],
      ['no type pattern at all', queueSubscriber('pattern', { filter: { types: [] } }), 'filter.types'],
      ['an unknown provider', queueSubscriber('acme', { filter: { providers: ['acme'] } }), 'filter.providers'],
      ['an unknown property', queueSubscriber('color', { color: 'red' }), 'color'],
      ['an unknown nested property', queueSubscriber('jitter', { retry: { backoff: { jitter: true } } }), 'retry.backoff.jitter'],
      ['a retry that is not an object', queueSubscriber('retry', { retry: 3 }), 'retry'],
      ['a nested delay too short', queueSubscriber('delay', { retry: { backoff: { delayMs: 5 } } }), 'retry.backoff.delayMs'],
      ['a bad backoff type', queueSubscriber('linear', { retry: { backoff: { type: 'linear' } } }), 'retry.backoff.type'],
      ['enabled as a string', queueSubscriber('enabled', { enabled: 'yes' }), 'enabled'],
      ['a connection of an unknown provider', queueSubscriber('sandbox', { filter: { connections: ['acme/default'] } }), 'filter.connections'],
      ['a malformed connection entry', queueSubscriber('sandbox', { filter: { connections: ['complycube/eu/app'] } }), 'filter.connections'],
      ['connections that are not a list', queueSubscriber('sandbox', { filter: { connections: 'complycube/default' } }), 'filter.connections'],
      ["the gateway's events queue", queueSubscriber('forger', { queue: 'events' }), 'queue'],
      ["the gateway's deliveries queue", queueSubscriber('forger', { queue: 'deliveries' }), 'queue'],
      ['a url with a user name and password', httpSubscriber('userinfo', { url: 'https://user:pass@crm.example.com/kyc' }), 'url'],
      ['a url with a user name', httpSubscriber('userinfo', { url: 'https://crm.example.com@10.0.0.1/kyc' }), 'url'],
      ['a url with an empty userinfo', httpSubscriber('userinfo', { url: 'https://@crm.example.com/kyc' }), 'url'],
    ])('answers 400 naming the field to %s', async (_, body, field) => {
      const answer = await call<Json & { fields: Record<string, string[]>; message: string[] }>('POST', '/subscribers', { body });
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(Object.keys(answer.body.fields)).toContain(field);
      expect(answer.body.message.some((message) => message.includes(field))).toBe(true);
    });

    it("refuses a reserved queue name on update too, and takes a name that only differs in case (BullMQ's names are case-sensitive)", async () => {
      const created = await create(queueSubscriber('renamed-queue'));
      const refused = await call<{ fields: Record<string, string[]> }>('PATCH', `/subscribers/${created.id}`, { body: { queue: 'events' } });
      expect(refused.status).toBe(400);
      expect(refused.body.fields).toEqual({ queue: [expect.stringContaining('events, deliveries')] });
      expect((await call<Subscriber>('PATCH', `/subscribers/${created.id}`, { body: { queue: 'Events' } })).body.queue).toBe('Events');
    });

    it('names every failing field at once', async () => {
      const answer = await call<{ fields: Json }>('POST', '/subscribers', { body: { kind: 'queue', queue: 'q', retry: { maxAttempts: 99, backoff: { delayMs: 5, maxDelayMs: 1 } } } });
      expect(answer.status).toBe(400);
      expect(Object.keys(answer.body.fields).sort()).toEqual(['name', 'retry.backoff.delayMs', 'retry.backoff.maxDelayMs', 'retry.maxAttempts']);
      expect(answer.body.fields['retry.backoff.delayMs']).toEqual(['retry.backoff.delayMs must not be less than 100']);
    });

    it.each([
      'http://localhost:8080/hook',
      'http://api.localhost/hook',
      'http://127.0.0.1/hook',
      'http://10.1.2.3/hook',
      'http://172.20.0.5/hook',
      'http://192.168.1.10/hook',
      'http://169.254.169.254/latest/meta-data',
      'http://[::1]/hook',
      'http://[fe80::1]/hook',
      'http://[fd00::1]/hook',
      'http://[::ffff:127.0.0.1]/hook',
      'http://[::ffff:0:7f00:1]/hook',
      'http://[64:ff9b:1::a9fe:a9fe]/hook',
      'http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/hook',
      'http://192.88.99.1/hook',
    ])('refuses the private url %s while ALLOW_PRIVATE_SUBSCRIBER_URLS is false', async (url) => {
      const answer = await call<{ fields: Json }>('POST', '/subscribers', { body: httpSubscriber('private', { url }) });
      expect(answer.status).toBe(400);
      expect(Object.keys(answer.body.fields)).toEqual(['url']);
    });

    it('accepts a private url when ALLOW_PRIVATE_SUBSCRIBER_URLS is true', async () => {
      const permissive = testConfig({ DATABASE_URL: database.url, ADMIN_API_KEY: config.adminApiKey, SECRETS_KEY: config.secretsKey.toString('base64') });
      expect(permissive.env.ALLOW_PRIVATE_SUBSCRIBER_URLS).toBe(true);
      const other = await startTestApp(permissive);
      try {
        const answer = await call<Subscriber>('POST', '/subscribers', { body: httpSubscriber('local-dev', { url: 'http://localhost:8080/hook' }) }, other);
        expect(answer.status).toBe(201);
        expect(answer.body.url).toBe('http://localhost:8080/hook');
      } finally {
        await other.close();
      }
    });

    it.each([
      ['invalid JSON', 400, 'application/json', '{"name": "broken",'],
      ['a JSON array', 400, 'application/json', '[]'],
      ['a JSON string', 400, 'application/json', '"billing"'],
      ['a body over 1 MB', 413, 'application/json', JSON.stringify({ name: 'big', pad: 'x'.repeat(1_100_000) })],
      ['a body that is not JSON', 415, 'text/plain', 'name=billing'],
    ])('answers %s with a clean %i', async (_, status, contentType, raw) => {
      const answer = await call('POST', '/subscribers', { raw, contentType });
      expect(answer).toEqual({ status, body: { statusCode: status, error: expect.any(String), message: expect.any(String) } });
      expect(JSON.stringify(answer.body)).not.toContain('broken');
    });
  });

  describe('one subscriber', () => {
    it.each(['GET', 'PATCH', 'DELETE'])('%s answers 404 to an unknown or malformed id', async (method) => {
      for (const id of [randomUUID(), 'not-a-uuid', '1%27%20OR%201%3D1']) {
        const answer = await call(method, `/subscribers/${id}`, method === 'PATCH' ? { body: { enabled: false } } : {});
        expect({ id, ...answer }).toEqual({ id, status: 404, body: { statusCode: 404, error: 'Not Found', message: 'subscriber not found' } });
      }
    });

    it('PATCH changes the filter and enabled and keeps the rest', async () => {
      const created = await create(httpSubscriber('patched', { retry: { maxAttempts: 3 } }));
      const answer = await call<Subscriber>('PATCH', `/subscribers/${created.id}`, {
        body: { enabled: false, filter: { types: ['check.completed'] }, retry: { backoff: { delayMs: 2_000 } } },
      });
      expect(answer.status).toBe(200);
      const { secret: _secret, updatedAt: _before, ...unchanged } = created;
      expect(answer.body).toEqual({
        ...unchanged,
        enabled: false,
        filter: { providers: [], connections: [], types: ['check.completed'], includeStale: false },
        retry: { maxAttempts: 3, backoff: { type: 'exponential', delayMs: 2_000, maxDelayMs: 3_600_000 } },
        updatedAt: expect.any(String),
      });
      expect((await call('GET', `/subscribers/${created.id}`)).body).toEqual(answer.body);
    });

    it('keeps filter.connections (names and provider/name), and PATCH replaces it', async () => {
      const created = await create(queueSubscriber('production-only', { filter: { providers: ['complycube'], connections: ['complycube/default', 'eu-app'] } }));
      expect(created.filter).toEqual({ providers: ['complycube'], connections: ['complycube/default', 'eu-app'], types: ['*'], includeStale: false });
      expect((await call<Subscriber>('GET', `/subscribers/${created.id}`)).body.filter.connections).toEqual(['complycube/default', 'eu-app']);
      const patched = await call<Subscriber>('PATCH', `/subscribers/${created.id}`, { body: { filter: { connections: [] } } });
      expect(patched.body.filter).toEqual({ providers: ['complycube'], connections: [], types: ['*'], includeStale: false });
    });

    it('keeps filter.includeStale (default false), PATCH changes it, and only a boolean is taken', async () => {
      const created = await create(queueSubscriber('late-events', { filter: { includeStale: true } }));
      expect(created.filter.includeStale).toBe(true);
      const patched = await call<Subscriber>('PATCH', `/subscribers/${created.id}`, { body: { filter: { includeStale: false } } });
      expect(patched.body.filter.includeStale).toBe(false);
      const refused = await call<{ fields: Json }>('POST', '/subscribers', { body: queueSubscriber('late-events-2', { filter: { includeStale: 'yes' } }) });
      expect(refused.status).toBe(400);
      expect(Object.keys(refused.body.fields)).toContain('filter.includeStale');
    });

    it("PATCH refuses to change the kind, or to set the other kind's field", async () => {
      const created = await create(queueSubscriber('steady'));
      for (const [body, field] of [
        [{ kind: 'http' }, 'kind'],
        [{ url: 'https://example.com/' }, 'url'],
        [{ retry: { maxAttempts: 51 } }, 'retry.maxAttempts'],
        [{ name: null }, 'name'],
      ] as const) {
        const answer = await call<{ fields: Json }>('PATCH', `/subscribers/${created.id}`, { body });
        expect({ field, status: answer.status }).toEqual({ field, status: 400 });
        expect(Object.keys(answer.body.fields)).toEqual([field]);
      }
      expect((await call('GET', `/subscribers/${created.id}`)).body).toEqual(created);
    });

    it('PATCH refuses a private url while ALLOW_PRIVATE_SUBSCRIBER_URLS is false', async () => {
      const created = await create(httpSubscriber('moving'));
      const answer = await call<{ fields: Json }>('PATCH', `/subscribers/${created.id}`, { body: { url: 'http://10.0.0.1/hook' } });
      expect(answer.status).toBe(400);
      expect(Object.keys(answer.body.fields)).toEqual(['url']);
    });

    it('PATCH answers 409 when renaming to a name already taken', async () => {
      await create(queueSubscriber('first'));
      const second = await create(queueSubscriber('second'));
      const answer = await call('PATCH', `/subscribers/${second.id}`, { body: { name: 'first' } });
      expect(answer).toMatchObject({ status: 409, body: { statusCode: 409, error: 'Conflict' } });
    });

    it('DELETE answers 204, then the subscriber is gone', async () => {
      const created = await create(queueSubscriber('doomed'));
      const answer = await call('DELETE', `/subscribers/${created.id}`);
      expect(answer).toEqual({ status: 204, body: undefined });
      expect((await call('GET', `/subscribers/${created.id}`)).status).toBe(404);
      expect((await call('DELETE', `/subscribers/${created.id}`)).status).toBe(404);
    });
  });

  describe('pagination', () => {
    it('pages 7 subscribers by 3 as 3 + 3 + 1, in creation order, without overlap', async () => {
      // Start from an empty table so the pages are exactly these 7.
      const existing = await call<{ data: Subscriber[] }>('GET', '/subscribers?limit=500');
      for (const subscriber of existing.body.data) expect((await call('DELETE', `/subscribers/${subscriber.id}`)).status).toBe(204);
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) ids.push((await create(queueSubscriber(`page-${i}`))).id);

      const pages: { data: Subscriber[]; nextCursor: string | null }[] = [];
      let cursor: string | null = null;
      do {
        const query: string = cursor === null ? '?limit=3' : `?limit=3&cursor=${cursor}`;
        const answer = await call<{ data: Subscriber[]; nextCursor: string | null }>('GET', `/subscribers${query}`);
        expect(answer.status).toBe(200);
        pages.push(answer.body);
        cursor = answer.body.nextCursor;
      } while (cursor !== null && pages.length < 5);

      expect(pages.map((page) => page.data.length)).toEqual([3, 3, 1]);
      expect(pages.flatMap((page) => page.data.map((subscriber) => subscriber.id))).toEqual(ids);
      expect(pages[0].nextCursor).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(pages[2].nextCursor).toBeNull();

      const all = await call<{ data: Subscriber[]; nextCursor: string | null }>('GET', '/subscribers');
      expect(all.body.data).toHaveLength(7);
      expect(all.body.nextCursor).toBeNull();
      const exact = await call<{ data: Subscriber[]; nextCursor: string | null }>('GET', '/subscribers?limit=7');
      expect(exact.body.nextCursor).toBeNull();
    });

    it.each([
      ['an invalid cursor', '?cursor=not-a-cursor!', 'cursor'],
      ['a cursor that is not an id', `?cursor=${Buffer.from('../../etc').toString('base64url')}`, 'cursor'],
      ['limit 0', '?limit=0', 'limit'],
      ['limit 501', '?limit=501', 'limit'],
      ['a limit that is not a number', '?limit=ten', 'limit'],
      ['an unknown query parameter', '?sort=name', 'sort'],
    ])('answers 400 to %s', async (_, query, field) => {
      const answer = await call<{ fields: Json }>('GET', `/subscribers${query}`);
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(Object.keys(answer.body.fields)).toEqual([field]);
    });
  });
});
