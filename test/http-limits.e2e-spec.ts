import { request as httpRequest } from 'node:http';
import { connect, Socket } from 'node:net';
import { AppConfig } from '@kyc/config';
import { testConfig } from '@kyc/testing';
import { startTestApp, TestApp } from './support/test-app';

const HEADERS_TIMEOUT_MS = 600;
const REQUEST_TIMEOUT_MS = 1_500;
const MAX_BODY_BYTES = 64 * 1024;

/** What a raw socket received before the server closed it, and when. */
interface RawExchange {
  text: string;
  closedAfterMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Slow and huge requests against the real HTTP server (no database involved: these are refused
 * before anything is stored).
 */
describe('slow and huge requests', () => {
  let config: AppConfig;
  let app: TestApp;
  let port: number;

  beforeAll(async () => {
    config = testConfig({
      HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
      HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      MAX_BODY_BYTES: String(MAX_BODY_BYTES),
      COMPLYCUBE_WEBHOOK_SECRET: 'limits-secret',
    });
    app = await startTestApp(config);
    port = Number(new URL(app.url).port);
  });

  afterAll(() => app?.close());

  /** Open a socket, send `head` at once, then `drip` every `everyMs` until the server closes it. */
  function trickle(head: string, drip: string, everyMs: number): Promise<RawExchange> {
    return new Promise((resolve, reject) => {
      const started = Date.now();
      const socket: Socket = connect(port, '127.0.0.1', () => socket.write(head));
      let text = '';
      const timer = setInterval(() => socket.writable && socket.write(drip), everyMs);
      socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
      socket.on('error', () => undefined);
      const guard = setTimeout(() => {
        clearInterval(timer);
        socket.destroy();
        reject(new Error(`socket still open after 10 s; received ${JSON.stringify(text)}`));
      }, 10_000);
      socket.on('close', () => {
        clearInterval(timer);
        clearTimeout(guard);
        resolve({ text, closedAfterMs: Date.now() - started });
      });
    });
  }

  /** Meanwhile, other clients are served promptly: every probe answers 200 within 500 ms. */
  async function probeWhile(running: Promise<unknown>): Promise<number[]> {
    let done = false;
    void running.finally(() => (done = true));
    const latencies: number[] = [];
    while (!done) {
      const started = Date.now();
      const response = await fetch(`${app.url}/health/live`);
      expect(response.status).toBe(200);
      latencies.push(Date.now() - started);
      await sleep(100);
    }
    return latencies;
  }

  it('answers 408 and closes the socket of a client that trickles its body slower than the request timeout', async () => {
    const head = 'POST /webhooks/complycube HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n';
    const exchange = trickle(head, '{', 100);
    const latencies = await probeWhile(exchange);
    const { text, closedAfterMs } = await exchange;
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(closedAfterMs).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 50);
    expect(closedAfterMs).toBeLessThan(REQUEST_TIMEOUT_MS + 1_500);
    expect(latencies.length).toBeGreaterThan(3);
    expect(Math.max(...latencies)).toBeLessThan(500);
  });

  it('answers 408 to a client that trickles its headers (slowloris)', async () => {
    const exchange = trickle('POST /webhooks HTTP/1.1\r\nHost: gateway\r\n', 'X-Padding: a\r\n', 100);
    const latencies = await probeWhile(exchange);
    const { text, closedAfterMs } = await exchange;
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(closedAfterMs).toBeLessThan(HEADERS_TIMEOUT_MS + 1_500);
    expect(Math.max(...latencies)).toBeLessThan(500);
  });

  it('cuts a chunked body over MAX_BODY_BYTES with 413 and closes the connection, without buffering it', async () => {
    const total = 256 * 1024 * 1024;
    const chunk = Buffer.alloc(256 * 1024, 'a');
    global.gc?.();
    const before = process.memoryUsage();
    const outcome = await new Promise<{ status: number; connection: string | undefined; sent: number; body: string }>((resolve, reject) => {
      let sent = 0;
      let answered = false;
      const request = httpRequest({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/webhooks/complycube',
        headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked', 'complycube-signature': '0'.repeat(64) },
      });
      request.on('response', (response) => {
        answered = true;
        let body = '';
        response.on('data', (data: Buffer) => (body += data.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, connection: response.headers.connection, sent, body }));
      });
      // The server may close while we are still writing: that is the point.
      request.on('error', (error) => (answered ? undefined : reject(error)));
      const pump = () => {
        while (!answered && sent < total && !request.destroyed) {
          sent += chunk.length;
          if (!request.write(chunk)) return void request.once('drain', pump);
        }
        if (sent >= total) request.end();
      };
      request.write('{"id":"');
      pump();
    });
    const after = process.memoryUsage();
    if (process.env.TEST_FIGURES) process.stdout.write(`413 after ${outcome.sent} bytes sent, rss +${after.rss - before.rss} bytes\n`);
    expect(outcome.status).toBe(413);
    expect(JSON.parse(outcome.body)).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
    // Closed, not left half-read for the client to keep sending into.
    expect(outcome.connection).toBe('close');
    // The server stopped reading long before the client's 256 MB: a few socket buffers at most.
    expect(outcome.sent).toBeLessThan(32 * 1024 * 1024);
    expect(after.rss - before.rss).toBeLessThan(64 * 1024 * 1024);
    // And it still serves.
    expect((await fetch(`${app.url}/health/live`)).status).toBe(200);
  });
});
