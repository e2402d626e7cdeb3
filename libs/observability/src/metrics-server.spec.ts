import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Logger } from '@nestjs/common';
import { testConfig } from '@kyc/testing';
import { MetricsServer } from './metrics-server';
import type { MetricsService } from './metrics.service';

const TOKEN = 'worker-metrics-token-0123456789';
const metrics = { contentType: 'text/plain; version=0.0.4', render: async () => 'kyc_relay_backlog 0\n' } as unknown as MetricsService;

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe("the worker's metrics server", () => {
  beforeAll(() => {
    Logger.overrideLogger(false);
  });
  let server: MetricsServer | undefined;
  afterEach(() => server?.onApplicationShutdown());

  async function start(overrides: Record<string, string>): Promise<{ port: number; address: string }> {
    const port = await freePort();
    server = new MetricsServer(testConfig({ METRICS_PORT: String(port), ...overrides }), metrics);
    await server.onApplicationBootstrap();
    const address = (server as unknown as { server: { address(): AddressInfo } }).server.address();
    return { port, address: address.address };
  }

  it('listens on loopback unless METRICS_HOST says otherwise', async () => {
    expect((await start({})).address).toBe('127.0.0.1');
  });

  it('asks for METRICS_TOKEN (or the admin key) when it is set, compared whole', async () => {
    const config = testConfig({});
    const { port } = await start({ METRICS_TOKEN: TOKEN, ADMIN_API_KEY: config.adminApiKey });
    const scrape = (authorization?: string) => fetch(`http://127.0.0.1:${port}/metrics`, { headers: authorization ? { authorization } : {} }).then((response) => response.status);
    expect(await scrape()).toBe(401);
    expect(await scrape(`Bearer ${TOKEN.slice(0, -1)}`)).toBe(401);
    expect(await scrape(`Bearer ${TOKEN}x`)).toBe(401);
    expect(await scrape(`Bearer ${TOKEN}`)).toBe(200);
    expect(await scrape(`Bearer ${config.adminApiKey}`)).toBe(200);
  });

  it('is open without METRICS_TOKEN outside production, and closed in production', async () => {
    const { port } = await start({});
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(200);
    await server!.onApplicationShutdown();
    const production = await start({ NODE_ENV: 'production' });
    expect((await fetch(`http://127.0.0.1:${production.port}/metrics`)).status).toBe(401);
  });
});
