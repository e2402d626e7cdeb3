import { randomBytes, randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '@kyc/config';
import { hmacSha256, VerificationEvent } from '@kyc/core';
import { MetricsService } from '@kyc/observability';
import { EventEntity, EventStore, RetentionQueries } from '@kyc/persistence';
import { findProvider } from '@kyc/providers';
import { createTestDatabase, DATABASE_KINDS, testConfig, TestDatabase } from '@kyc/testing';
import { ReadinessState } from '../apps/gateway/src/operations/readiness.service';
import { PayloadRetention } from '../apps/worker/src/retention/payload-retention.service';
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
        expect(operation.security).toEqual([{ 'bearer': [] }]);
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

    it('opens with the key as bearer token, basic-auth password or ?key=', async () => {
      for (const [path, headers] of [
        ['/admin/queues', admin()],
        ['/admin/queues', { authorization: `Basic ${Buffer.from(`ops:${config.adminApiKey}`).toString('base64')}` }],
        [`/admin/queues?key=${encodeURIComponent(config.adminApiKey)}`, {}],
      ] as const) {
        const response = await get(path, headers);
        expect(response.status).toBe(200);
        expect(await response.text()).toContain('<base href="/admin/queues/"');
      }
      const queues = (await (await get('/admin/queues/api/queues', admin())).json()) as { queues: { name: string }[] };
      expect(queues.queues.map((queue) => queue.name).sort()).toEqual(['deliveries', 'events']);
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
    });

    it('purges the decoded payloads older than PAYLOAD_RETENTION_DAYS and keeps the events', async () => {
      const events = gateway.app.get(EventStore);
      const old = event(new Date(Date.now() - 40 * 86_400_000));
      const recent = event(new Date(Date.now() - 20 * 86_400_000));
      await events.record(old, { id: 'old payload' });
      await events.record(recent, { id: 'recent payload' });
      const retention = new PayloadRetention(
        config,
        new RetentionQueries(gateway.app.get(DataSource).getRepository(EventEntity)),
        gateway.app.get(MetricsService),
      );

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
