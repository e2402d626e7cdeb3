import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { AppConfig } from '@kyc/config';
import { RefusalRecorder } from '@kyc/gateway';
import { findProvider } from '@kyc/providers';
import { AdminClient, aSeedVendorSet, testConfig, waitFor } from '@kyc/testing';
import { SubscriberCache } from '@kyc/worker';
import { post } from './support/http';
import { startTestApp, TestApp } from './support/test-app';

/**
 * The operator console in a real browser (Debian's Chromium through playwright-core), on the
 * gateway and worker in this process over SQLite: sign in, ingest webhooks, search an applicant,
 * read its timeline, retry a failed delivery from the page and see it succeed, replay, rotate a
 * connection's secret, and a screenshot of every page in test/artifacts/console/. Any console
 * error or uncaught page error fails the suite.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = join(__dirname, 'artifacts', 'console');
const vendors = aSeedVendorSet();

/** What the page functions below read in the browser (the project's TypeScript has no DOM types). */
interface BrowserWindow {
  localStorage: { length: number };
  sessionStorage: { length: number };
  innerWidth: number;
  navigator: { clipboard: { readText(): Promise<string> } };
  document: { cookie: string; activeElement: { id: string } | null; documentElement: { scrollWidth: number }; body: { scrollWidth: number } };
}
/** Storage, cookies: where a key must never be. */
const stored = () => {
  const { localStorage, sessionStorage, document } = globalThis as unknown as BrowserWindow;
  return [localStorage.length, sessionStorage.length, document.cookie];
};

interface Delivery {
  id: string;
  eventId: string;
  status: string;
}
interface EventDetail {
  event: { id: string; verification: { id: string; stale: boolean } | null };
}

/** A subscriber's endpoint answering `status` (500 until told otherwise). */
class SwitchableReceiver {
  status = 500;
  /** Event ids of the requests answered 2xx. */
  readonly delivered: string[] = [];
  private readonly server: Server = createServer((request: IncomingMessage, response) => {
    request.resume();
    request.on('end', () => {
      if (this.status < 300) this.delivered.push(String(request.headers['webhook-id']));
      response.writeHead(this.status).end();
    });
  });

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  start(): Promise<void> {
    return new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe('operator console (Chromium)', () => {
  let config: AppConfig;
  let app: TestApp;
  let admin: AdminClient;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const receiver = new SwitchableReceiver();
  /** Console errors and page errors; the deliberate wrong key's 401 is expected once. */
  const problems: string[] = [];
  let expectRefusedKey = false;
  const applicantId = randomBytes(12).toString('hex');
  const otherApplicantId = randomBytes(12).toString('hex');
  let approvedId = '';
  let staleId = '';
  let otherId = '';
  let subscriberId = '';

  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  const heading = (name: string) => page.getByRole('heading', { level: 1, name, exact: true }).waitFor();
  const goTo = async (link: string, title = link) => {
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: link, exact: true }).click();
    await heading(title);
  };

  /** At 375 px the page itself never scrolls sideways (wide tables scroll inside their own box). */
  const fitsAPhone = async (name: string) => {
    await page.setViewportSize({ width: 375, height: 800 });
    await page.waitForTimeout(300);
    const overflow = await page.evaluate(() => {
      const window = globalThis as unknown as BrowserWindow;
      return { page: window.document.documentElement.scrollWidth, body: window.document.body.scrollWidth, viewport: window.innerWidth };
    });
    expect(overflow.page).toBeLessThanOrEqual(overflow.viewport);
    expect(overflow.body).toBeLessThanOrEqual(overflow.viewport);
    await shot(`${name}-375`);
    await page.setViewportSize({ width: 1280, height: 900 });
  };

  const send = async (type: string, options: Parameters<typeof vendors.build>[2]) => {
    const answer = await post(`${app.url}/webhooks/complycube`, vendors.build('complycube', type, options));
    expect(answer.status).toBe(200);
    return answer.body.eventId as string;
  };
  const processed = (eventId: string) => waitFor(async () => (await admin.get<EventDetail>(`/events/${eventId}`)).body.event.verification !== null, 15_000, `event ${eventId} was not processed`);

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`No Chromium at ${CHROMIUM}: the console's browser tests need it. Install it (apt-get install chromium; .ci/run does) or set CHROMIUM_PATH.`);
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    config = testConfig({ ...vendors.environment });
    app = await startTestApp(config, { worker: true });
    admin = new AdminClient(app.url, config.adminApiKey);
    await receiver.start();
    browser = await chromium.launch({ executablePath: CHROMIUM });
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB', timezoneId: 'Europe/Paris' });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.url });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      if (expectRefusedKey && /status of 401/.test(message.text())) return;
      problems.push(`console error: ${message.text()} (${message.location().url})`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  });

  afterEach(() => {
    expect(problems.splice(0)).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await receiver.stop();
    await app?.close();
  });

  it('serves the page with a strict policy, and signs in with the admin key only', async () => {
    const answer = await page.goto(`${app.url}/console`);
    const headers = answer!.headers();
    expect(headers['content-security-policy']).toContain("script-src 'self'");
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(headers['cache-control']).toBe('no-cache');
    expect(headers['x-content-type-options']).toBe('nosniff');
    const vendor = await fetch(`${app.url}/console/vendor/preact-htm.js`);
    expect(vendor.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect((await fetch(`${app.url}/console/app/console.css`)).headers.get('content-type')).toMatch(/^text\/css/);
    // Only the console's own files: no way out of its folder, no dot files.
    expect((await fetch(`${app.url}/console/app/..%2F..%2F..%2F..%2F..%2Fpackage.json`)).status).toBe(404);
    expect((await fetch(`${app.url}/console/app/.gitkeep`)).status).toBe(404);

    expectRefusedKey = true;
    await page.getByLabel('Admin API key', { exact: true }).fill('not-the-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'refused this key' }).waitFor();
    expectRefusedKey = false;

    await page.getByLabel('Admin API key', { exact: true }).fill(config.adminApiKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await heading('Overview');
    await page.getByLabel('Search', { exact: true }).waitFor();
    // The key is in the tab's memory only.
    expect(page.url()).not.toContain(config.adminApiKey);
    expect(await page.evaluate(stored)).toEqual([0, 0, '']);
  });

  it('creates a failing HTTP subscriber and disables another from the Subscribers page', async () => {
    const paused = await admin.call<{ id: string }>('POST', '/subscribers', { body: { name: 'billing', kind: 'queue', queue: `billing-${randomBytes(3).toString('hex')}` } });
    expect(paused.status).toBe(201);

    await goTo('Subscribers');
    await page.getByLabel('Name', { exact: true }).fill('crm');
    await page.getByLabel('URL', { exact: true }).fill(receiver.url);
    await page.getByLabel('Max attempts', { exact: true }).fill('1');
    await page.getByLabel('Backoff', { exact: true }).selectOption('fixed');
    await page.getByLabel('First delay (ms)', { exact: true }).fill('100');
    await page.getByRole('button', { name: 'Create subscriber' }).click();
    await page.getByText('Subscriber crm created.').waitFor();
    await page.locator('.secret code', { hasText: /^whsec_/ }).waitFor();

    const billing = page.locator(`tr[data-subscriber-id="${paused.body.id}"]`);
    await billing.getByRole('button', { name: 'Disable', exact: true }).click();
    await billing.getByText('disabled', { exact: true }).waitFor();
    await shot('subscribers');

    const subscribers = await admin.get<{ data: Array<{ id: string; name: string }> }>('/subscribers');
    subscriberId = subscribers.body.data.find((subscriber) => subscriber.name === 'crm')!.id;
    await app.app.get(SubscriberCache).reload();
  });

  it('finds an applicant by its id and shows the event, its timeline with the stale event, and its failed delivery', async () => {
    approvedId = await send('workflow.session.completed', { payload: { clientId: applicantId } });
    await processed(approvedId);
    // Older in vendor time than the decision already applied: stale.
    staleId = await send('workflow.session.started', { payload: { clientId: applicantId }, now: new Date(Date.now() - 10 * 60_000) });
    await processed(staleId);
    otherId = await send('workflow.session.completed', { payload: { clientId: otherApplicantId } });
    await waitFor(async () => (await admin.get<{ data: Delivery[] }>(`/deliveries?status=failed&subscriberId=${subscriberId}`)).body.data.length === 2, 20_000, 'the deliveries did not fail');

    await page.getByLabel('Search', { exact: true }).fill(applicantId);
    await page.getByLabel('Search', { exact: true }).press('Enter');
    await heading('Results');
    await page.getByRole('heading', { name: 'Events (2)' }).waitFor();
    await page.getByRole('heading', { name: 'Verifications (1)' }).waitFor();
    await shot('search');

    await page.locator(`a[href="#/events/${approvedId}"]`).first().click();
    await heading('Event');
    await page.locator('.timeline li').nth(1).waitFor();
    expect(await page.locator('.timeline li').count()).toBe(2);
    const stale = page.locator('.timeline li.stale');
    expect(await stale.count()).toBe(1);
    expect(await stale.textContent()).toContain('Stale');
    expect(await stale.textContent()).toContain('changed nothing');
    expect(await page.locator('.timeline li.current').textContent()).toContain('verification.approved');
    await page.getByText('1 stale').waitFor();
    const delivery = page.locator('article.delivery');
    await delivery.getByText('failed', { exact: true }).first().waitFor();
    expect(await delivery.locator('td.num', { hasText: '500' }).count()).toBe(1);
    expect(await page.locator('time').first().getAttribute('title')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    await shot('event');
    await fitsAPhone('event');
  });

  it('retries a failed delivery from the page, then all the others, and they succeed', async () => {
    await goTo('Failed deliveries');
    const approvedRow = page.locator(`tr[data-event-id="${approvedId}"]`);
    const otherRow = page.locator(`tr[data-event-id="${otherId}"]`);
    await approvedRow.waitFor();
    await otherRow.waitFor();
    await shot('deliveries');

    receiver.status = 200;
    await approvedRow.getByRole('button', { name: 'Retry', exact: true }).click();
    await approvedRow.getByText('succeeded', { exact: true }).waitFor({ timeout: 20_000 });
    expect(receiver.delivered).toContain(approvedId);

    await page.getByRole('button', { name: 'Retry all', exact: true }).click();
    await page.getByText('Retry all 1 delivery').waitFor();
    await page.getByRole('button', { name: 'Confirm (1)' }).click();
    await page.getByText('1 delivery queued').waitFor();
    await otherRow.getByText('succeeded', { exact: true }).waitFor({ timeout: 20_000 });
    expect(receiver.delivered).toContain(otherId);
    await shot('deliveries-retried');

    // Replay from the event's page delivers it once more.
    await approvedRow.getByRole('link').click();
    await heading('Event');
    await page.getByRole('button', { name: 'Replay', exact: true }).click();
    // To crm, and to billing (disabled: its delivery waits).
    await page.getByText('Replay started: 2 deliveries restarted.').waitFor();
    await waitFor(() => receiver.delivered.filter((id) => id === approvedId).length === 2, 15_000, 'the replay did not arrive');
  });

  it('lists verifications by status and shows one with its timeline', async () => {
    await goTo('Verifications');
    await page.getByLabel('Status', { exact: true }).selectOption('approved');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    const row = page.locator('tr', { hasText: applicantId });
    await row.waitFor();
    await shot('verifications');
    await row.getByRole('link').click();
    await heading('Verification');
    await page.locator('.timeline li.stale').waitFor();
    await shot('verification');
  });

  it('creates a connection, copies an ingress URL and rotates a secret from the Connections page', async () => {
    await goTo('Connections');
    await page.getByText('New connection').click();
    await page.getByLabel('Provider', { exact: true }).selectOption('sumsub');
    await page.getByLabel('Name', { exact: true }).fill('eu-app');
    await page.getByLabel('Webhook secret', { exact: true }).fill(randomBytes(16).toString('hex'));
    await page.getByRole('button', { name: 'Create connection' }).click();
    await page.getByText('Connection sumsub/eu-app created.').waitFor();
    await page.locator('.url code', { hasText: `${app.url}/webhooks/sumsub/eu-app` }).waitFor();

    const row = page.locator('tr[data-connection="complycube/default"]');
    await row.getByRole('button', { name: 'Copy', exact: true }).click();
    await row.getByText('Copied').waitFor();
    expect(await page.evaluate(() => (globalThis as unknown as BrowserWindow).navigator.clipboard.readText())).toBe(`${app.url}/webhooks/complycube/default`);

    const newSecret = randomBytes(24).toString('base64url');
    await row.getByRole('button', { name: 'Rotate', exact: true }).click();
    await page.getByLabel('New webhook secret', { exact: true }).fill(newSecret);
    await page.getByLabel('Grace (seconds)', { exact: true }).fill('600');
    await page.getByRole('button', { name: 'Rotate secrets' }).click();
    await page.getByText('Secrets of complycube/default rotated').waitFor();
    await row.getByText('verifying until').waitFor();
    await shot('connections');
    await fitsAPhone('connections');
    // No secret value is ever on the page.
    expect(await page.content()).not.toContain(newSecret);

    // The new secret verifies at once, the previous one during the grace.
    const complycube = findProvider('complycube')!;
    const rotated = complycube.simulator.build('check.completed.clear', { ...vendors.credentials('complycube'), secrets: { webhookSecret: newSecret } });
    expect((await post(`${app.url}/webhooks/complycube`, rotated)).status).toBe(200);
    expect((await post(`${app.url}/webhooks/complycube`, vendors.build('complycube', 'check.completed.clear'))).status).toBe(200);
  });

  it('lists refused webhooks', async () => {
    const forged = vendors.build('complycube', 'check.completed.clear');
    expect((await post(`${app.url}/webhooks/complycube`, { headers: { ...forged.headers, 'complycube-signature': 'f'.repeat(64) }, body: forged.body })).status).toBe(401);
    await app.app.get(RefusalRecorder).flush();
    await goTo('Refusals');
    await page.locator('tbody tr', { hasText: 'complycube' }).first().waitFor();
    await shot('refusals');
  });

  it('shows the overview: traffic chart, refusals, deliveries, paused subscribers, connections; and fits a phone', async () => {
    // Some traffic from the other vendors too, so that the chart stacks them.
    for (const [vendor, count] of [
      ['sumsub', 3],
      ['onfido', 2],
      ['veriff', 2],
      ['persona', 1],
      ['verifik', 1],
      ['allpass', 1],
      ['stripe', 1],
    ] as const) {
      for (let sent = 0; sent < count; sent++) {
        const answer = await post(`${app.url}/webhooks/${vendor}`, vendors.build(vendor, findProvider(vendor)!.simulator.sampleEventType));
        expect(answer.status).toBe(200);
      }
    }
    await goTo('Overview');
    await page.getByText(/webhooks in the last hour: complycube \d+, sumsub 3/).waitFor();
    expect(await page.locator('.chart svg rect').count()).toBeGreaterThan(0);
    await page.locator('.legend li', { hasText: 'complycube' }).waitFor();
    await page.getByRole('heading', { name: 'Paused subscribers' }).waitFor();
    await page.locator('.card', { hasText: 'Paused subscribers' }).getByText('billing').waitFor();
    await page.locator('.card', { hasText: 'Refusals by reason' }).locator('tbody tr').first().waitFor();
    await page.locator('tr', { hasText: 'complycube/default' }).locator('time').waitFor();
    await shot('overview');

    await fitsAPhone('overview');
  });

  it('is reachable with the keyboard, and signing out forgets the key', async () => {
    // From the page's heading back to the search box, and on to a result with the keyboard alone.
    await page.locator('#page-heading').focus();
    let reached = false;
    for (let tab = 0; tab < 10 && !reached; tab++) {
      await page.keyboard.press('Shift+Tab');
      reached = await page.evaluate(() => (globalThis as unknown as BrowserWindow).document.activeElement?.id === 'search-box');
    }
    expect(reached).toBe(true);
    await page.keyboard.type(otherApplicantId);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Events (1)' }).waitFor();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Admin API key', { exact: true }).waitFor();
    expect(await page.evaluate(stored)).toEqual([0, 0, '']);
  });
});
