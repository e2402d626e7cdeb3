import { randomBytes, randomUUID } from 'node:crypto';
import { getQueueToken } from '@nestjs/bullmq';
import type { INestApplication } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { AppConfig } from '@kyc/config';
import { hmacSha256, VerificationEvent } from '@kyc/core';
import { MetricsService } from '@kyc/observability';
import { EventEntity, EventStore, RetentionQueries } from '@kyc/persistence';
import { findProvider } from '@kyc/providers';
import { EVENTS_QUEUE } from '@kyc/queue';
import { createTestDatabase, DATABASE_KINDS, testConfig, TestDatabase } from '@kyc/testing';
import { ReadinessState } from '@kyc/gateway';
import { PayloadRetention } from '@kyc/worker';
import { post } from './support/http';
import { startTestApp, TestApp } from './support/test-app';

/** The parts of the OpenAPI document the tests look at. */
interface Operation {
  tags?: string[];
  security?: Record<string, string[]>[];
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
}
interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas: Record<string, { required?: string[]; properties: Record<string, { enum?: string[] }> }>;
    securitySchemes: Record<string, unknown>;
  };
}

const SECRET = 'cc-operations-secret';
const complycube = findProvider('complycube')!;
const validWebhook = () => complycube.simulator.build('check.completed.clear', { secrets: { webhookSecret: SECRET }, options: complycube.parseOptions({}) });
const wronglySigned = () => {
  const body = JSON.stringify({ id: `evt_${randomBytes(6).toString('hex')}`, type: 'check.pending', resourceType: 'check', payload: { id: 'chk' }, createdAt: new Date().toISOString() });
  return { headers: { 'content-type': 'application/json', 'complycube-signature': hmacSha256('not-the-secret', body).toString('hex') }, body };
};

const METRIC_NAMES = [
  'kyc_webhooks_received_total',
  'kyc_ingress_duration_seconds',
  'kyc_events_stored_total',
  'kyc_deliveries_total',
  'kyc_delivery_duration_seconds',
  'kyc_queue_jobs',
  'kyc_relay_backlog',
];

/** Every route Express knows from Nest's controllers, as OpenAPI spells it (`:id` → `{id}`). */
function registeredRoutes(app: INestApplication): { method: string; path: string }[] {
  const express = app.getHttpAdapter().getInstance() as { router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] } };
  return express.router.stack.flatMap((layer) =>
    // Middleware bound to every method shows up as wildcard routes: only controller routes count.
    layer.route && !layer.route.path.includes('*') ? Object.keys(layer.route.methods).map((method) => ({ method, path: layer.route!.path.replace(/:(\w+)/g, '{$1}') })) : [],
  );
}

describe.each(DATABASE_KINDS)('operations on %s', (kind) => {
  let database: TestDatabase;
  let config: AppConfig;
  let gateway: TestApp;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    config = testConfig({ DATABASE_URL: database.url, COMPLYCUBE_WEBHOOK_SECRET: SECRET });
    gateway = await startTestApp(config);
  });

  afterAll(async () => {
    await gateway?.close();
    await database?.drop();
  });

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${gateway.url}${path}`, { headers });
  const admin = () => ({ authorization: `Bearer ${config.adminApiKey}` });

  async function metric(series: string): Promise<number> {
    const line = (await (await get('/metrics')).text()).split('\n').find((candidate) => candidate.startsWith(`${series} `));
    return line ? Number(line.slice(series.length + 1)) : 0;
  }

  describe('health', () => {
    it('GET /health/live answers 200', async () => {
      const response = await get('/health/live');
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ status: 'ok' });
    });

    it('GET /health/ready answers 200 with the database and Redis up', async () => {
      const response = await get('/health/ready');
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ status: 'ok', details: { database: { status: 'up' }, redis: { status: 'up' }, lifecycle: { status: 'up' } } });
    });
  });

  describe('metrics', () => {
    it('GET /metrics serves every metric in the Prometheus text format, without a key', async () => {
      const response = await get('/metrics');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/plain');
      const text = await response.text();
      for (const name of METRIC_NAMES) expect(text).toContain(`# TYPE ${name} `);
      expect(text).toContain('process_cpu_seconds_total');
      expect(text).toMatch(/^kyc_queue_jobs\{queue="events",state="waiting"\} \d+$/m);
      expect(text).toMatch(/^kyc_relay_backlog \d+$/m);
    });

    it('counts an accepted webhook, the stored event and its latency', async () => {
      const accepted = 'kyc_webhooks_received_total{provider="complycube",outcome="accepted"}';
      const stored = 'kyc_events_stored_total{provider="complycube"}';
      const latency = 'kyc_ingress_duration_seconds_count{provider="complycube"}';
      const before = await Promise.all([metric(accepted), metric(stored), metric(latency)]);
      expect((await post(`${gateway.url}/webhooks/complycube`, validWebhook())).status).toBe(200);
      expect(await Promise.all([metric(accepted), metric(stored), metric(latency)])).toEqual(before.map((value) => value + 1));
    });

    it('counts a redelivery as duplicate and a refusal under its reason', async () => {
      const duplicate = 'kyc_webhooks_received_total{provider="complycube",outcome="duplicate"}';
      const refused = 'kyc_webhooks_received_total{provider="complycube",outcome="invalid_signature"}';
      const unknown = 'kyc_webhooks_received_total{provider="unknown",outcome="unknown_provider"}';
      const before = await Promise.all([metric(duplicate), metric(refused), metric(unknown)]);
      const request = validWebhook();
      await post(`${gateway.url}/webhooks/complycube`, request);
      expect((await post(`${gateway.url}/webhooks/complycube`, request)).body).toMatchObject({ duplicate: true });
      expect((await post(`${gateway.url}/webhooks/complycube`, wronglySigned())).status).toBe(401);
      // An unknown provider in the URL never becomes a label value of its own.
      expect((await post(`${gateway.url}/webhooks/made-up-${randomBytes(3).toString('hex')}`, validWebhook())).status).toBe(404);
      expect(await Promise.all([metric(duplicate), metric(refused), metric(unknown)])).toEqual(before.map((value) => value + 1));
      expect(await (await get('/metrics')).text()).not.toContain('made-up-');
    });
  });

  describe('docs', () => {
    let document: OpenApiDocument;

    beforeAll(async () => {
      const response = await get('/docs-json');
      expect(response.status).toBe(200);
      document = (await response.json()) as OpenApiDocument;
    });

    it('documents every admin route the app registers, each with its 401 answer and the bearer key', () => {
      const adminRoutes = registeredRoutes(gateway.app).filter((route) => route.path.startsWith('/admin/'));
      expect(adminRoutes.length).toBeGreaterThanOrEqual(5);
      const undocumented = adminRoutes.filter(({ method, path }) => !document.paths[path]?.[method]);
      expect(undocumented).toEqual([]);
      for (const { method, path } of adminRoutes) {
        const operation = document.paths[path][method];
        expect({ route: `${method} ${path}`, unauthorized: operation.responses['401']?.content?.['application/json'].schema }).toEqual({
          route: `${method} ${path}`,
          unauthorized: { $ref: '#/components/schemas/ApiError' },
        });
        expect(operation.security).toEqual([{ bearer: [] }]);
      }
      expect(document.components.securitySchemes['bearer']).toMatchObject({ type: 'http', scheme: 'bearer' });
    });

    it('describes the subscribers API with its schemas and error answers', () => {
      const schemas = document.components.schemas;
      for (const name of ['Subscriber', 'CreatedSubscriber', 'CreateSubscriber', 'UpdateSubscriber', 'SubscriberFilter', 'SubscriberRetry', 'SubscriberBackoff', 'ApiError']) {
        expect(schemas[name]).toBeDefined();
      }
      expect(schemas.CreateSubscriber.required).toEqual(expect.arrayContaining(['name', 'kind']));
      expect(schemas.CreateSubscriber.properties.kind.enum).toEqual(['queue', 'http']);
      expect(Object.keys(schemas.ApiError.properties)).toEqual(['statusCode', 'error', 'message', 'fields']);
      const create = document.paths['/admin/subscribers'].post;
      expect(create.requestBody?.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/CreateSubscriber' });
      expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(['201', '400', '401', '409', '429']));
      expect(Object.keys(document.paths['/admin/subscribers/{id}'].patch.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '404', '409']));
      expect(document.paths['/admin/subscribers'].get.tags).toEqual(['subscribers']);
    });

    it('leaves the ingress, probes and metrics out of the admin document', () => {
      expect(Object.keys(document.paths).filter((path) => !path.startsWith('/admin/'))).toEqual([]);
    });

    it('GET /docs serves the Swagger UI', async () => {
      const response = await get('/docs');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/html');
      expect(await response.text()).toContain('swagger-ui');
    });
  });

  describe('queue dashboard', () => {
    it('answers 401 without the key, asking the browser for it', async () => {
      for (const headers of [{} as Record<string, string>, { authorization: 'Bearer not-the-key' }, { authorization: `Basic ${Buffer.from('admin:wrong').toString('base64')}` }]) {
        const response = await get('/admin/queues', headers);
        expect(response.status).toBe(401);
        expect(response.headers.get('www-authenticate')).toMatch(/^Basic /);
      }
      expect((await get('/admin/queues/api/queues')).status).toBe(401);
      expect((await get('/admin/queues?key=wrong')).status).toBe(401);
    });

    it('opens with the key as bearer token or basic-auth password, whatever the case of the path', async () => {
      for (const [path, headers] of [
        ['/admin/queues', admin()],
        ['/admin/queues', { authorization: `Basic ${Buffer.from(`ops:${config.adminApiKey}`).toString('base64')}` }],
        ['/ADMIN/Queues', admin()],
      ] as const) {
        const response = await get(path, headers);
        expect(response.status).toBe(200);
        expect(await response.text()).toContain('<base href="/admin/queues/"');
      }
      expect((await get('/ADMIN/QUEUES')).status).toBe(401);
      const queues = (await (await get('/admin/queues/api/queues', admin())).json()) as { queues: { name: string }[] };
      expect(queues.queues.map((queue) => queue.name).sort()).toEqual(['deliveries', 'events']);
    });

    it('never takes the key from the query string (it would end up in logs, history and Referer)', async () => {
      for (const path of [`/admin/queues?key=${encodeURIComponent(config.adminApiKey)}`, `/admin/queues/api/queues?key=${encodeURIComponent(config.adminApiKey)}`]) {
        const response = await get(path);
        expect(response.status).toBe(401);
      }
    });

    it('is read-only by default: reads pass, every action is refused and the queues are untouched', async () => {
      const queues = (await (await get('/admin/queues/api/queues', admin())).json()) as { queues: { name: string; readOnlyMode: boolean }[] };
      expect(queues.queues.map((queue) => queue.readOnlyMode)).toEqual([true, true]);
      for (const [method, path] of [
        ['PUT', '/admin/queues/api/queues/events/pause'],
        ['PUT', '/admin/queues/api/queues/pause'],
        ['PUT', '/admin/queues/api/queues/deliveries/clean/failed'],
        ['PUT', '/admin/queues/api/queues/deliveries/obliterate'],
        ['POST', '/admin/queues/api/queues/events/add'],
        ['PUT', '/ADMIN/QUEUES/api/queues/events/empty'],
      ] as const) {
        const response = await fetch(`${gateway.url}${path}`, { method, headers: { ...admin(), 'content-type': 'application/json' }, body: '{}' });
        expect({ method, path, status: response.status }).toEqual({ method, path, status: 405 });
      }
      const events = gateway.app.get<Queue>(getQueueToken(EVENTS_QUEUE));
      expect(await events.isPaused()).toBe(false);
    });
  });

  describe('HTTP headers', () => {
    it('sets helmet headers on admin answers, not on the ingress', async () => {
      const response = await get('/admin/subscribers', admin());
      expect(response.status).toBe(200);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(response.headers.get('x-powered-by')).toBeNull();
      const ingress = await fetch(`${gateway.url}/webhooks/complycube`, { method: 'POST', ...validWebhook() });
      expect(ingress.headers.get('content-security-policy')).toBeNull();
    });

    it('applies helmet, the JSON parser and the key to /ADMIN/... as to /admin/... (Express routes either way)', async () => {
      const headers = await get('/ADMIN/Subscribers', admin());
      expect(headers.status).toBe(200);
      expect(headers.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect((await get('/ADMIN/subscribers')).status).toBe(401);
      const created = await fetch(`${gateway.url}/Admin/Subscribers`, {
        method: 'POST',
        headers: { ...admin(), 'content-type': 'application/json' },
        body: JSON.stringify({ name: `upper-case-${randomBytes(3).toString('hex')}`, kind: 'queue', queue: 'upper-case' }),
      });
      expect(created.status).toBe(201);
      expect((await get('/DOCS')).headers.get('x-content-type-options')).toBe('nosniff');
    });

    it('echoes a sane x-request-id and replaces any other', async () => {
      expect((await get('/health/live', { 'x-request-id': 'lb-1234.abc' })).headers.get('x-request-id')).toBe('lb-1234.abc');
      const replaced = (await get('/health/live', { 'x-request-id': 'a b<script>' })).headers.get('x-request-id');
      expect(replaced).toMatch(/^[0-9a-f-]{36}$/);
    });
  });

  describe('payload retention', () => {
    const event = (receivedAt: Date): VerificationEvent => ({
      specVersion: '1',
      id: randomUUID(),
      provider: 'complycube',
      connection: 'default',
      type: 'check.pending',
      status: null,
      providerEventId: `evt_${randomBytes(8).toString('hex')}`,
      providerEventType: 'check.pending',
      subject: { applicantId: 'applicant-1' },
      occurredAt: receivedAt.toISOString(),
      receivedAt: receivedAt.toISOString(),
      details: {},
      verification: null,
    });

    it('purges the decoded payloads older than PAYLOAD_RETENTION_DAYS and keeps the events', async () => {
      const events = gateway.app.get(EventStore);
      const old = event(new Date(Date.now() - 40 * 86_400_000));
      const recent = event(new Date(Date.now() - 20 * 86_400_000));
      await events.record(old, { id: 'old payload' });
      await events.record(recent, { id: 'recent payload' });
      const retention = new PayloadRetention(config, new RetentionQueries(gateway.app.get(DataSource).getRepository(EventEntity)), gateway.app.get(MetricsService));

      expect(await retention.purgeOnce()).toBeGreaterThanOrEqual(1);
      expect(await events.findPayload(old.id)).toBeNull();
      expect(await events.findById(old.id)).toMatchObject({ id: old.id, type: 'check.pending' });
      expect(await events.findPayload(recent.id)).toEqual({ id: 'recent payload' });
      expect(await retention.purgeOnce()).toBe(0);
      expect(await metric('kyc_payloads_purged_total')).toBeGreaterThanOrEqual(1);
    });
  });

  // Last: these break the app.
  describe('readiness when things go away', () => {
    it('GET /health/ready answers 503 once the database is gone, and /health/live still 200', async () => {
      await gateway.app.get(DataSource).destroy();
      const response = await get('/health/ready');
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ status: 'error', error: { database: { status: 'down' } }, details: { redis: { status: 'up' } } });
      expect((await get('/health/live')).status).toBe(200);
      // A scrape still answers, without the database's gauge.
      const metrics = await get('/metrics');
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).not.toMatch(/^kyc_relay_backlog \d+$/m);
    });

    it('GET /health/ready answers 503 as soon as shutdown begins', async () => {
      gateway.app.get(ReadinessState).beforeApplicationShutdown();
      const response = await get('/health/ready');
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ error: { lifecycle: { status: 'down', message: 'shutting down' } } });
    });
  });
});

describe('admin rate limit', () => {
  let config: AppConfig;
  let gateway: TestApp;

  beforeAll(async () => {
    config = testConfig({ ADMIN_RATE_LIMIT_PER_MINUTE: '5', COMPLYCUBE_WEBHOOK_SECRET: SECRET });
    gateway = await startTestApp(config);
  });

  afterAll(() => gateway?.close());

  it('answers 429 to the 6th admin request of a minute (failed keys count too), on the dashboard too, and never limits /webhooks', async () => {
    const call = (authorization: string) => fetch(`${gateway.url}/admin/subscribers`, { headers: { authorization } }).then((response) => response.status);
    const key = `Bearer ${config.adminApiKey}`;
    expect([await call(key), await call(key), await call('Bearer wrong-key'), await call(key), await call('Bearer wrong-key')]).toEqual([200, 200, 401, 200, 401]);

    const limited = await fetch(`${gateway.url}/admin/subscribers`, { headers: { authorization: key } });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await limited.json()).toEqual({ statusCode: 429, error: 'Too Many Requests', message: 'too many admin API requests, retry later' });
    // The dashboard shares the budget: no way around the limit there either.
    expect((await fetch(`${gateway.url}/admin/queues`, { headers: { authorization: key } })).status).toBe(429);

    for (let i = 0; i < 10; i++) expect((await post(`${gateway.url}/webhooks/complycube`, validWebhook())).status).toBe(200);
    expect((await fetch(`${gateway.url}/health/ready`)).status).toBe(200);
    expect((await fetch(`${gateway.url}/metrics`)).status).toBe(200);
  });
});

describe('queue dashboard with QUEUE_BOARD_READ_ONLY=false', () => {
  let config: AppConfig;
  let gateway: TestApp;

  beforeAll(async () => {
    config = testConfig({ QUEUE_BOARD_READ_ONLY: 'false' });
    gateway = await startTestApp(config);
  });

  afterAll(() => gateway?.close());

  it('lets an operator with the key pause and resume a queue, and still no one without it', async () => {
    const put = (path: string, headers: Record<string, string>) => fetch(`${gateway.url}/admin/queues/api/queues/events/${path}`, { method: 'PUT', headers });
    const events = gateway.app.get<Queue>(getQueueToken(EVENTS_QUEUE));
    expect((await put('pause', {})).status).toBe(401);
    expect((await put('pause', { authorization: `Bearer ${config.adminApiKey}` })).status).toBe(200);
    expect(await events.isPaused()).toBe(true);
    expect((await put('resume', { authorization: `Bearer ${config.adminApiKey}` })).status).toBe(200);
    expect(await events.isPaused()).toBe(false);
  });
});

describe('admin rate limit whatever the spelling of the path', () => {
  let config: AppConfig;
  let gateway: TestApp;

  beforeAll(async () => {
    config = testConfig({ ADMIN_RATE_LIMIT_PER_MINUTE: '5' });
    gateway = await startTestApp(config);
  });

  afterAll(() => gateway?.close());

  it('counts /ADMIN/..., /Admin/... and a trailing slash against the one budget (Express serves them all)', async () => {
    const call = (path: string) => fetch(`${gateway.url}${path}`, { headers: { authorization: `Bearer ${config.adminApiKey}` } }).then((response) => response.status);
    const served = [];
    for (const path of ['/ADMIN/subscribers', '/Admin/Subscribers', '/admin/SUBSCRIBERS/', '/aDmIn/events', '/ADMIN/inbound']) served.push(await call(path));
    expect(served).toEqual([200, 200, 200, 200, 200]);
    expect(await call('/ADMIN/subscribers')).toBe(429);
    expect(await call('/admin/subscribers')).toBe(429);
    expect(await call('/ADMIN/QUEUES')).toBe(429);
  });

  it('serves no admin route under a doubled slash or a percent-encoded prefix (nothing there to bypass)', async () => {
    for (const path of ['//admin/subscribers', '/%61dmin/subscribers', '/admin%2Fsubscribers', '/admin;x/subscribers']) {
      const response = await fetch(`${gateway.url}${path}`, { headers: { authorization: `Bearer ${config.adminApiKey}` } });
      expect({ path, status: response.status }).toEqual({ path, status: 404 });
    }
  });
});

describe('TRUST_PROXY', () => {
  const LIMIT = 3;
  const statuses = async (gateway: TestApp, key: string, forwardedFor: string[]) => {
    const answers = [];
    for (const address of forwardedFor) {
      answers.push((await fetch(`${gateway.url}/admin/subscribers`, { headers: { authorization: `Bearer ${key}`, 'x-forwarded-for': address } })).status);
    }
    return answers;
  };
  const FORGED = ['203.0.113.1', '203.0.113.2', '203.0.113.3', '203.0.113.4', '203.0.113.5'];

  it('unset: X-Forwarded-For is ignored, a client cannot pick a fresh rate-limit bucket per request', async () => {
    const config = testConfig({ ADMIN_RATE_LIMIT_PER_MINUTE: String(LIMIT) });
    expect(config.env.TRUST_PROXY).toBeUndefined();
    const gateway = await startTestApp(config);
    try {
      expect(await statuses(gateway, config.adminApiKey, FORGED)).toEqual([200, 200, 200, 429, 429]);
    } finally {
      await gateway.close();
    }
  });

  it('set to the proxy (127.0.0.1 here): the address it forwards is the client', async () => {
    const config = testConfig({ ADMIN_RATE_LIMIT_PER_MINUTE: String(LIMIT), TRUST_PROXY: '127.0.0.1' });
    const gateway = await startTestApp(config);
    try {
      expect(await statuses(gateway, config.adminApiKey, FORGED)).toEqual([200, 200, 200, 200, 200]);
      // One client behind the proxy still has one budget.
      expect(await statuses(gateway, config.adminApiKey, ['198.51.100.9', '198.51.100.9', '198.51.100.9', '198.51.100.9'])).toEqual([200, 200, 200, 429]);
    } finally {
      await gateway.close();
    }
  });

  it('refuses a value that is not addresses, CIDRs or a name Express knows, without echoing it', () => {
    for (const value of ['everything', '10.0.0.0/33', '127.0.0.1, nope', 'true']) {
      expect(() => testConfig({ TRUST_PROXY: value })).toThrow(/TRUST_PROXY must be/);
      try {
        testConfig({ TRUST_PROXY: value });
      } catch (error) {
        expect((error as Error).message).not.toContain(value);
      }
    }
    expect(testConfig({ TRUST_PROXY: '10.0.0.0/8, fd00::/8 ,loopback' }).env.TRUST_PROXY).toBeDefined();
  });
});

describe('METRICS_TOKEN', () => {
  const TOKEN = 'metrics-token-0123456789abcdef';

  describe('set (outside production)', () => {
    let config: AppConfig;
    let gateway: TestApp;

    beforeAll(async () => {
      config = testConfig({ METRICS_TOKEN: TOKEN });
      gateway = await startTestApp(config);
    });

    afterAll(() => gateway?.close());

    const status = (path: string, authorization?: string) => fetch(`${gateway.url}${path}`, { headers: authorization ? { authorization } : {} }).then((response) => response.status);

    it('/metrics needs the token or the admin key, compared whole', async () => {
      expect(await status('/metrics')).toBe(401);
      expect(await status('/METRICS')).toBe(401);
      expect(await status('/metrics', `Bearer ${TOKEN.slice(0, -1)}`)).toBe(401);
      expect(await status('/metrics', `Bearer ${TOKEN}0`)).toBe(401);
      expect(await status('/metrics', 'Bearer ')).toBe(401);
      expect(await status('/metrics', `Bearer ${TOKEN}`)).toBe(200);
      expect(await status('/metrics', `bearer ${config.adminApiKey}`)).toBe(200);
      // The probes stay open: load balancers and orchestrators call them without a key.
      expect(await status('/health/live')).toBe(200);
    });

    it('/docs and /docs-json need it too, also as a basic-auth password (a browser opens them)', async () => {
      for (const path of ['/docs', '/docs-json', '/DOCS', '/Docs-Json', '/docs/', '/docs/asyncapi.json']) expect({ path, status: await status(path) }).toEqual({ path, status: 401 });
      const unauthorized = await fetch(`${gateway.url}/docs`);
      expect(unauthorized.headers.get('www-authenticate')).toMatch(/^Basic /);
      expect(await status('/docs-json', `Bearer ${TOKEN}`)).toBe(200);
      expect(await status('/docs', `Basic ${Buffer.from(`ops:${TOKEN}`).toString('base64')}`)).toBe(200);
      expect(await status('/docs-json', `Basic ${Buffer.from(`ops:${config.adminApiKey}`).toString('base64')}`)).toBe(200);
    });
  });

  it('counts /metrics and /docs in the admin budget while they take the admin key: no faster way to guess it', async () => {
    const config = testConfig({ METRICS_TOKEN: TOKEN, ADMIN_RATE_LIMIT_PER_MINUTE: '4' });
    const gateway = await startTestApp(config);
    try {
      const status = (path: string, authorization: string) => fetch(`${gateway.url}${path}`, { headers: { authorization } }).then((response) => response.status);
      const guesses = [];
      for (const guess of ['guess-1', 'guess-2', 'guess-3']) guesses.push(await status('/metrics', `Bearer ${guess}`));
      expect(guesses).toEqual([401, 401, 401]);
      expect(await status('/docs-json', 'Bearer guess-4')).toBe(401);
      // Over budget: even the right key is refused for now, on every door that takes it.
      expect(await status('/metrics', `Bearer ${config.adminApiKey}`)).toBe(429);
      expect(await status('/docs', `Bearer ${config.adminApiKey}`)).toBe(429);
      expect(await status('/admin/subscribers', `Bearer ${config.adminApiKey}`)).toBe(429);
      expect(await status('/health/live', '')).toBe(200);
    } finally {
      await gateway.close();
    }
  });

  it('in production, unset: /metrics and /docs take the admin key, and nothing else', async () => {
    const config = testConfig({ NODE_ENV: 'production' });
    const gateway = await startTestApp(config);
    try {
      const status = (path: string, authorization?: string) => fetch(`${gateway.url}${path}`, { headers: authorization ? { authorization } : {} }).then((response) => response.status);
      for (const path of ['/metrics', '/docs', '/docs-json', '/docs/asyncapi.json']) {
        expect({ path, status: await status(path) }).toEqual({ path, status: 401 });
        expect({ path, status: await status(path, 'Bearer not-the-key-but-long-enough') }).toEqual({ path, status: 401 });
        expect({ path, status: await status(path, `Bearer ${config.adminApiKey}`) }).toEqual({ path, status: 200 });
      }
      // The event's JSON Schema maps nothing of the deployment: downstream teams fetch it without a key.
      expect(await status('/schemas/verification-event.json')).toBe(200);
    } finally {
      await gateway.close();
    }
  });
});
