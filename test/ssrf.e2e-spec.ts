import { lookup } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { DataSource } from 'typeorm';
import { AppConfig } from '@kyc/config';
import { isPrivateAddress } from '@kyc/core';
import { DeliveryAttemptEntity, DeliveryEntity, SubscriberStore } from '@kyc/persistence';
import { findProvider } from '@kyc/providers';
import { createTestDatabase, DATABASE_KINDS, testConfig, TestDatabase, waitFor } from '@kyc/testing';
import { SubscriberCache } from '@kyc/worker';
import { post } from './support/http';
import { Receiver } from './support/receiver';
import { startTestApp, TestApp } from './support/test-app';

const SECRET = 'cc-ssrf';

/**
 * A name other than `localhost` that this machine resolves to a private address only (an
 * /etc/hosts entry such as the host name, as a rebinding attacker's DNS would answer), if any.
 */
async function privateName(): Promise<string | undefined> {
  const hosts = readFileSync('/etc/hosts', 'utf8')
    .split('\n')
    .flatMap((line) => line.replace(/#.*/, '').trim().split(/\s+/).slice(1));
  for (const name of [hostname(), ...hosts]) {
    if (!name || name === 'localhost' || name.endsWith('.localhost')) continue;
    const addresses = await lookup(name, { all: true }).catch(() => []);
    if (addresses.length > 0 && addresses.every((address) => isPrivateAddress(address.address))) return name;
  }
  return undefined;
}

/** ALLOW_PRIVATE_SUBSCRIBER_URLS=false: HTTP subscribers never reach private addresses, whatever the database says. */
describe.each(DATABASE_KINDS)('private subscriber addresses on %s', (kind) => {
  let database: TestDatabase;
  let config: AppConfig;
  let app: TestApp;
  let receiver: Receiver;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    config = testConfig({ DATABASE_URL: database.url, COMPLYCUBE_WEBHOOK_SECRET: SECRET, ALLOW_PRIVATE_SUBSCRIBER_URLS: 'false' });
    app = await startTestApp(config, { worker: true });
    receiver = await new Receiver([200]).start();
  });

  afterAll(async () => {
    await receiver?.stop();
    await app?.close();
    await database?.drop();
  });

  it('fails every attempt to a stored subscriber on a private address, at connect time, with the reason', async () => {
    const { port } = new URL(receiver.url);
    const name = await privateName();
    const urls = [
      receiver.url, // 127.0.0.1: a literal, refused before connecting
      `http://localhost:${port}/hook`, // resolved, then refused
      `http://[::1]:${port}/hook`,
      `http://0x7f.1:${port}/hook`,
      ...(name ? [`http://${name}:${port}/hook`] : []),
    ];
    // Straight into the store, as a row written before the rule or by hand would be: the admin API would refuse them.
    const store = app.app.get(SubscriberStore);
    const subscribers: Array<{ id: string; url: string }> = [];
    for (const [index, url] of urls.entries()) {
      const { subscriber } = await store.create({ name: `private-${index}`, kind: 'http', url, retry: { maxAttempts: 2, backoff: { type: 'fixed', delayMs: 100 } } });
      subscribers.push({ id: subscriber.id, url });
    }
    await app.app.get(SubscriberCache).reload();

    const adapter = findProvider('complycube')!;
    const answer = await post(`${app.url}/webhooks/complycube`, adapter.simulator.build('check.completed.clear', { secrets: { webhookSecret: SECRET }, options: adapter.parseOptions({}) }));
    expect(answer.status).toBe(200);

    const dataSource = app.app.get(DataSource);
    for (const subscriber of subscribers) {
      await waitFor(async () => (await dataSource.getRepository(DeliveryEntity).findOneBy({ subscriberId: subscriber.id }))?.status === 'failed', 10_000, `${subscriber.url} not dead-lettered`);
      const delivery = (await dataSource.getRepository(DeliveryEntity).findOneBy({ subscriberId: subscriber.id }))!;
      const attempts = await dataSource.getRepository(DeliveryAttemptEntity).findBy({ deliveryId: delivery.id });
      expect({ url: subscriber.url, attempts: attempts.length }).toEqual({ url: subscriber.url, attempts: 2 });
      for (const attempt of attempts) {
        expect(attempt).toMatchObject({ outcome: 'failed', httpStatus: null });
        expect(attempt.error).toMatch(/blocked private address/);
        if (process.env.TEST_FIGURES) process.stdout.write(`${subscriber.url}: ${attempt.error}\n`);
      }
    }
    expect(receiver.received).toHaveLength(0);
  });

  it('refuses at creation a name that resolves to a private address', async () => {
    const name = await privateName();
    if (!name) return console.warn('no name resolving to a private address besides localhost here: only the unit test covers this');
    const response = await fetch(`${app.url}/admin/subscribers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${config.adminApiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'rebound', kind: 'http', url: `https://${name}/hook` }),
    });
    expect(response.status).toBe(400);
    expect(Object.keys(((await response.json()) as { fields: object }).fields)).toEqual(['url']);
  });
});
