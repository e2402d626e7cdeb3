import { randomUUID } from 'node:crypto';
import { DiagnosticSeverity, Parser } from '@asyncapi/parser';
import { AppConfig } from '@kyc/config';
import { verificationEventJsonSchema } from '@kyc/consumer';
import { SubscriberStore } from '@kyc/persistence';
import { PROVIDERS } from '@kyc/providers';
import { aSeedVendorSet, aSubscriber, consumeQueue, testConfig, verificationEventChecker, waitFor } from '@kyc/testing';
import { SubscriberCache } from '@kyc/worker';
import { post } from './support/http';
import { startTestApp, TestApp } from './support/test-app';

/**
 * The event's contract as data: the JSON Schema the gateway serves (and the consumer package
 * ships), the AsyncAPI document of the delivery side, and every event the gateway can produce
 * from the vendors it knows, checked against both the schema and the package's validator.
 */
describe('the event contract as data', () => {
  const vendors = aSeedVendorSet();
  let config: AppConfig;
  let app: TestApp;
  const closers: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    config = testConfig({ ...vendors.environment });
    app = await startTestApp(config, { worker: true });
  });

  afterAll(async () => {
    for (const close of closers) await close().catch(() => undefined);
    await app?.close();
  });

  it('serves the JSON Schema of VerificationEvent without auth, cacheable, as the package builds it', async () => {
    const url = `${app.url}/schemas/verification-event.json`;
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/schema\+json/);
    expect(response.headers.get('cache-control')).toBe('public, max-age=3600');
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(await response.json()).toEqual(verificationEventJsonSchema());
    const etag = response.headers.get('etag');
    expect(etag).toBeTruthy();
    // fetch adds `cache-control: no-cache` to a conditional request unless one is given (and no-cache means: do not answer 304).
    expect((await fetch(url, { headers: { 'if-none-match': etag!, 'cache-control': 'max-age=0' } })).status).toBe(304);
  });

  it('serves an AsyncAPI 3.0 document of the delivery side that the official parser reads without errors', async () => {
    const response = await fetch(`${app.url}/docs/asyncapi.json`);
    expect(response.status).toBe(200);
    const text = await response.text();
    const { document, diagnostics } = await new Parser().parse(text);
    // The diagnostics' severity is typed by another copy of @stoplight/types than the exported enum: compared as numbers.
    expect(diagnostics.filter((diagnostic) => Number(diagnostic.severity) === Number(DiagnosticSeverity.Error)).map((diagnostic) => `${diagnostic.path.join('/')}: ${diagnostic.message}`)).toEqual([]);
    expect(document?.version()).toBe('3.0.0');

    const raw = JSON.parse(text) as { components: { schemas: Record<string, { properties?: object }> } };
    const { definitions, ...event } = verificationEventJsonSchema() as { definitions: Record<string, unknown>; properties: object };
    // The messages' schemas are the JSON Schema's, references aside.
    expect(Object.keys(raw.components.schemas)).toEqual(expect.arrayContaining(['VerificationEvent', ...Object.keys(definitions)]));
    expect(Object.keys(raw.components.schemas.VerificationEvent.properties!)).toEqual(Object.keys(event.properties));

    const queue = document!.channels().get('subscriberQueue')!;
    const http = document!.channels().get('subscriberHttp')!;
    expect(
      queue
        .messages()
        .all()
        .map((message) => message.name()),
    ).toEqual(['VerificationEvent', 'ops.subscriber.paused', 'ops.subscriber.failing', 'ops.connection.refusing', 'ops.connection.silent', 'ops.verification.stuck']);
    for (const message of http.messages().all()) {
      expect(message.headers()?.required()).toEqual(['webhook-id', 'webhook-timestamp', 'webhook-signature']);
    }
    const deliverToHttp = document!.operations().get('deliverToHttp')!;
    expect(deliverToHttp.action()).toBe('send');
    expect(deliverToHttp.bindings().get('http')?.value()).toMatchObject({ method: 'POST' });
  });

  it("delivers every known event of every vendor, and a stale one, as events the schema and the package's validator accept", async () => {
    const queueName = `contract-${randomUUID().slice(0, 8)}`;
    await app.app.get(SubscriberStore).create(aSubscriber({ name: queueName, queue: queueName, filter: { types: ['*'], includeStale: true } }));
    await app.app.get(SubscriberCache).reload();
    const consumer = consumeQueue(queueName, config.env);
    closers.push(consumer.close);

    const eventIds = new Set<string>();
    const send = async (provider: string, type: string, options?: Parameters<typeof vendors.build>[2]) => {
      const answer = await post(`${app.url}/webhooks/${provider}`, vendors.build(provider, type, options));
      expect({ provider, type, status: answer.status }).toEqual({ provider, type, status: 200 });
      eventIds.add(answer.body.eventId as string);
    };
    for (const provider of PROVIDERS) {
      // A few at a time: each vendor's whole list at once would only queue up behind the two cores.
      for (let start = 0; start < provider.knownEvents.length; start += 10) {
        await Promise.all(provider.knownEvents.slice(start, start + 10).map((variant) => send(provider.name, variant.eventType, { payload: variant.payload })));
      }
    }
    // A vendor's late retry of an older status: delivered (includeStale) as stale.
    const applicantId = randomUUID();
    await send('allpass', 'applicantApproved', { now: new Date(Date.now() - 60_000), payload: { id: applicantId } });
    await waitFor(() => consumer.jobs.some((job) => job.data.subject.applicantId === applicantId), 15_000, 'the approval was not delivered');
    await send('allpass', 'applicantInReview', { now: new Date(Date.now() - 120_000), payload: { id: applicantId } });

    await waitFor(() => consumer.jobs.length >= eventIds.size, 60_000, `not all ${eventIds.size} events were delivered`);
    const check = verificationEventChecker();
    const failures = consumer.jobs.flatMap((job) => {
      const violations = [...check.jsonSchema(job.data), ...check.parser(job.data)];
      return violations.length === 0 ? [] : [`${job.data.provider} ${job.data.providerEventType}: ${violations.join(', ')}`];
    });
    expect(failures).toEqual([]);
    expect(new Set(consumer.jobs.map((job) => job.data.provider))).toEqual(new Set(PROVIDERS.map((provider) => provider.name)));
    expect(consumer.jobs.filter((job) => job.data.verification?.stale).map((job) => job.data.type)).toEqual(['verification.review']);
  });
});
