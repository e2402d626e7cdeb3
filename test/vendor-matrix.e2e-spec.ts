import { DataSource } from 'typeorm';
import { AppConfig } from '@kyc/config';
import { EventEntity } from '@kyc/persistence';
import { PROVIDERS, type ProviderAdapter, type SimulatedRequest } from '@kyc/providers';
import { AdminClient, aSeedVendorSet, authenticateWith, createTestDatabase, DATABASE_KINDS, inboundWebhook, TEST_EVENT_ID_DIGEST, testConfig, TestDatabase } from '@kyc/testing';
import { post } from './support/http';
import { startTestApp, TestApp } from './support/test-app';

/**
 * The same matrix for every registered vendor, on both databases, read from the registry (a vendor
 * added there is walked here): a valid request is stored once (a redelivery is a duplicate), the
 * single URL recognises it, a tampered body, another secret and a missing signature are refused,
 * a timestamp outside the window is refused both ways (where the vendor has a window), the
 * gateway's own rotation keeps the old secret verifying during its grace, and every type the
 * vendor documents arrives as the type its mapping gives.
 */
const vendors = aSeedVendorSet();
const HOUR_MS = 3_600_000;

/** The signed content changed: a byte appended to a signed body, or one digit of Allpass's encrypted `data`. */
function tampered(provider: ProviderAdapter, request: SimulatedRequest): SimulatedRequest {
  if (provider.recognizesBody === undefined) return { ...request, body: `${request.body} ` };
  const envelope = JSON.parse(request.body) as { data: string };
  const digit = envelope.data.at(-1) === '0' ? '1' : '0';
  return { ...request, body: JSON.stringify({ ...envelope, data: envelope.data.slice(0, -1) + digit }) };
}

/** The default window of a vendor, in seconds (0: off or none). */
const toleranceOf = (provider: ProviderAdapter): number => {
  const tolerance = provider.parseOptions({}).timestampToleranceSeconds;
  return typeof tolerance === 'number' ? tolerance : 0;
};

describe.each(DATABASE_KINDS)('every vendor, the same matrix, on %s', (kind) => {
  let database: TestDatabase;
  let config: AppConfig;
  let app: TestApp;
  let admin: AdminClient;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    config = testConfig({ DATABASE_URL: database.url, ...vendors.environment });
    app = await startTestApp(config);
    admin = new AdminClient(app.url, config.adminApiKey);
    dataSource = app.app.get(DataSource);
  });

  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  const storedEvent = (id: string) => dataSource.getRepository(EventEntity).findOneByOrFail({ id });

  describe.each(PROVIDERS.map((provider) => [provider.name, provider] as const))('%s', (name, provider) => {
    const sample = () => vendors.build(name, provider.simulator.sampleEventType);

    it('stores a valid request once: its redelivery is a duplicate of the same event', async () => {
      const request = sample();
      const first = await post(`${app.url}/webhooks/${name}`, request);
      expect(first).toMatchObject({ status: 200, body: { received: true, duplicate: false } });
      const again = await post(`${app.url}/webhooks/${name}/default`, request);
      expect(again).toMatchObject({ status: 200, body: { duplicate: true, eventId: first.body.eventId } });
      expect(await storedEvent(first.body.eventId as string)).toMatchObject({ provider: name, connection: 'default' });
    });

    it('is recognised on the single URL by its own signature header or envelope', async () => {
      const answer = await post(`${app.url}/webhooks`, sample());
      expect(answer.status).toBe(200);
      expect(await storedEvent(answer.body.eventId as string)).toMatchObject({ provider: name });
    });

    it('refuses a tampered body, another secret and a missing signature with 401', async () => {
      expect((await post(`${app.url}/webhooks/${name}`, tampered(provider, sample()))).status).toBe(401);
      const forged = provider.simulator.build(provider.simulator.sampleEventType, { secrets: provider.simulator.generateSecrets(), options: provider.parseOptions({}) });
      expect((await post(`${app.url}/webhooks/${name}`, forged)).status).toBe(401);
      const request = sample();
      const unsigned = Object.fromEntries(Object.entries(request.headers).filter(([header]) => !provider.signatureHeaders.includes(header.toLowerCase())));
      // Allpass GCM may carry its tag in `data`; its simulator puts it in the header, so dropping it refuses too.
      expect((await post(`${app.url}/webhooks/${name}`, { headers: unsigned, body: request.body })).status).toBe(401);
    });

    const hasWindow = provider.optionNames.includes('timestampToleranceSeconds');
    (hasWindow ? it : it.skip)('refuses a timestamp outside its window, stale or future, and takes one inside it', async () => {
      // A vendor whose window is off by default (Allpass: its `time` is not signed) is tried with one set.
      const tolerance = toleranceOf(provider) || 300;
      const secrets = provider.simulator.generateSecrets();
      const options = { timestampToleranceSeconds: tolerance };
      expect((await admin.call('POST', '/connections', { body: { provider: name, name: `windowed-${kind}`, secrets, options } })).status).toBe(201);
      const at = (offsetMs: number) => provider.simulator.build(provider.simulator.sampleEventType, { secrets, options: provider.parseOptions(options) }, { now: new Date(Date.now() + offsetMs) });
      const url = `${app.url}/webhooks/${name}/windowed-${kind}`;
      expect((await post(url, at(-(tolerance * 1_000 + HOUR_MS)))).status).toBe(401);
      expect((await post(url, at(tolerance * 1_000 + HOUR_MS))).status).toBe(401);
      expect((await post(url, at(-(tolerance * 1_000) / 2))).status).toBe(200);
    });

    it("keeps the old secrets verifying during the gateway's rotation grace, the new ones at once", async () => {
      const [before, after] = [provider.simulator.generateSecrets(), provider.simulator.generateSecrets()];
      const created = await admin.call<{ id: string }>('POST', '/connections', { body: { provider: name, name: `rotating-${kind}`, secrets: before } });
      expect(created.status).toBe(201);
      const signedWith = (secrets: Record<string, string>) => provider.simulator.build(provider.simulator.sampleEventType, { secrets, options: provider.parseOptions({}) });
      const url = `${app.url}/webhooks/${name}/rotating-${kind}`;
      expect((await post(url, signedWith(before))).status).toBe(200);
      expect((await admin.call('POST', `/connections/${created.body.id}/rotate`, { body: { secrets: after, graceSeconds: 600 } })).status).toBe(200);
      expect((await post(url, signedWith(after))).status).toBe(200);
      expect((await post(url, signedWith(before))).status).toBe(200);
      expect((await admin.call('POST', `/connections/${created.body.id}/rotate`, { body: { secrets: provider.simulator.generateSecrets(), graceSeconds: 0 } })).status).toBe(200);
      expect((await post(url, signedWith(before))).status).toBe(401);
    });

    it('stores every documented type as the type and status its mapping gives', async () => {
      const received: Array<{ vendorType: string; expected: { type: string; status: string | null }; eventId: string }> = [];
      for (const variant of provider.knownEvents) {
        const request = vendors.build(name, variant.eventType, { payload: variant.payload });
        const expected = provider.normalize(authenticateWith(provider, { ...inboundWebhook(request.body, request.headers), eventIdDigest: TEST_EVENT_ID_DIGEST }, vendors.credentials(name)));
        const answer = await post(`${app.url}/webhooks/${name}`, request);
        expect({ vendorType: variant.eventType, status: answer.status }).toEqual({ vendorType: variant.eventType, status: 200 });
        received.push({ vendorType: variant.eventType, expected: { type: expected.type, status: expected.status }, eventId: answer.body.eventId as string });
      }
      for (const { vendorType, expected, eventId } of received) {
        const stored = await storedEvent(eventId);
        expect({ vendorType, type: stored.type, status: stored.status }).toEqual({ vendorType, ...expected });
      }
    });
  });
});
