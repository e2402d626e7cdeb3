import { Agent, createServer, IncomingMessage, request, RequestListener, Server, ServerResponse } from 'node:http';
import { AddressInfo, connect, Socket } from 'node:net';
import { Worker } from 'node:worker_threads';
import { configureHttpServer, drainHttpServer } from './http-server';

const TIMEOUTS = { HTTP_HEADERS_TIMEOUT_MS: 2_000, HTTP_REQUEST_TIMEOUT_MS: 5_000, HTTP_KEEP_ALIVE_TIMEOUT_MS: 65_000, HTTP_MAX_CONNECTIONS: 3 };
/** Room for the drain tests' connections. */
const ROOMY = { ...TIMEOUTS, HTTP_MAX_CONNECTIONS: 100 };

/** A plain Node server with the gateway's settings. */
async function serve(handler: RequestListener<typeof IncomingMessage, typeof ServerResponse>, limits = TIMEOUTS): Promise<{ server: Server; port: number }> {
  const server = createServer(handler);
  configureHttpServer(server, limits);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

function get(port: number, agent: Agent, method = 'GET', body?: string): Promise<{ status: number; connection?: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: '127.0.0.1', port, method, path: '/', agent }, (response) => {
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode ?? 0, connection: response.headers.connection }));
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** Everything a raw socket receives until the server closes it. */
function raw(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    socket.on('error', reject);
    socket.on('close', () => resolve(received));
  });
}

const GET = 'GET / HTTP/1.1\r\nHost: x\r\n\r\n';

/** `count` raw connections, each kept alive after one answered request (idle on the server's side). */
async function keptAlive(port: number, count: number): Promise<Socket[]> {
  return Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Socket>((resolve, reject) => {
          const socket = connect(port, '127.0.0.1', () => socket.write(GET));
          socket.once('error', reject);
          socket.once('data', () => resolve(socket));
        }),
    ),
  );
}

/** How a connection ends: `<status> <connection header>` of the answer it got, else its error code or 'closed'; and when. */
function ending(socket: Socket): Promise<{ seen: string; at: number }> {
  return new Promise((resolve) => {
    let text = '';
    let error: string | undefined;
    socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
    socket.on('error', (cause: Error & { code?: string }) => (error = cause.code ?? cause.message));
    socket.on('close', () => {
      const status = /^HTTP\/1\.1 (\d+)/.exec(text)?.[1];
      const connection = /\r\nconnection: ([\w-]+)/i.exec(text)?.[1].toLowerCase();
      resolve({ seen: status ? `${status} ${connection}` : (error ?? 'closed'), at: Date.now() });
    });
  });
}

/**
 * A client on another thread: `count` new connections, each writing one request; it flags `written`
 * once all are in the kernel's hands, then posts what each connection got.
 */
const QUEUED_CLIENT = `
const { workerData, parentPort } = require('node:worker_threads');
const { connect } = require('node:net');
const { port, count, written } = workerData;
const seen = [];
let sent = 0;
for (let i = 0; i < count; i++) {
  let text = '';
  let error;
  const socket = connect(port, '127.0.0.1', () =>
    socket.write('GET / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n', () => {
      if (++sent === count) { Atomics.store(written, 0, 1); Atomics.notify(written, 0); }
    }),
  );
  socket.on('data', (chunk) => (text += chunk));
  socket.on('error', (cause) => (error = cause.code));
  socket.on('close', () => {
    const status = /^HTTP\\/1\\.1 (\\d+)/.exec(text);
    seen.push(status ? status[1] + (/\\r\\nconnection: close/i.test(text) ? ' close' : '') : error || 'closed');
    if (seen.length === count) parentPort.postMessage(seen);
  });
}
`;

describe('the gateway HTTP server', () => {
  const servers: Server[] = [];
  afterEach(() =>
    servers.splice(0).forEach((server) => {
      server.close();
      server.closeAllConnections();
    }),
  );

  it('keeps connections alive after a request whose body was read, and closes them after one answered before its body was read', async () => {
    const { server, port } = await serve((req, res) => {
      if (req.headers['x-early'] !== undefined) return void res.writeHead(413).end();
      req.resume();
      req.on('end', () => res.end('ok'));
    });
    servers.push(server);
    const agent = new Agent({ keepAlive: true });
    expect(await get(port, agent, 'POST', 'x'.repeat(1_000))).toEqual({ status: 200, connection: 'keep-alive' });
    const early = await raw(port, 'POST / HTTP/1.1\r\nHost: x\r\nX-Early: 1\r\nContent-Length: 100000\r\n\r\n{"partial":');
    expect(early).toMatch(/^HTTP\/1\.1 413 /);
    expect(early).toMatch(/\r\nConnection: close\r\n/i);
    agent.destroy();
  });

  it('drains: a request in flight on a kept-alive connection is answered with Connection: close, an idle one is closed, then it resolves', async () => {
    let release: () => void = () => undefined;
    const { server, port } = await serve((req, res) => {
      if (req.url === '/slow') return void (release = () => res.end('late'));
      res.end('ok');
    });
    servers.push(server);
    const agent = new Agent({ keepAlive: true, maxSockets: 2 });
    await Promise.all([get(port, agent), get(port, agent)]);
    const slow = new Promise<{ status: number; connection?: string }>((resolve, reject) => {
      request({ host: '127.0.0.1', port, path: '/slow', agent }, (response) => {
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode ?? 0, connection: response.headers.connection }));
      })
        .on('error', reject)
        .end();
    });
    await new Promise((resolve) => setTimeout(resolve, 50));

    const started = Date.now();
    let drained = false;
    const draining = drainHttpServer(server, 10_000, 200).then(() => (drained = true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(drained).toBe(false);
    expect(server.listening).toBe(false);
    release();
    expect(await slow).toEqual({ status: 200, connection: 'close' });
    await draining;
    // Without closing the kept-alive connections, close() would wait for their 65 s keep-alive timeout.
    expect(Date.now() - started).toBeLessThan(2_000);
    agent.destroy();
  });

  it('drains: serves a connection accepted just before the drain whose request was not read yet', async () => {
    const { server, port } = await serve((_req, res) => res.end('ok'));
    servers.push(server);
    let draining: Promise<void> | undefined;
    // Start draining in the very callback that accepts the connection: its request is still unread.
    server.once('connection', () => {
      draining = drainHttpServer(server, 10_000);
    });
    const answer = await raw(port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(answer).toMatch(/\r\nConnection: close\r\n/i);
    await draining;
  });

  it('drains: requests just written on idle kept-alive connections, still unread, are answered with Connection: close, not reset', async () => {
    const { server, port } = await serve((_req, res) => res.end('ok'), ROOMY);
    servers.push(server);
    const sockets = await keptAlive(port, 20);
    const endings = sockets.map(ending);
    // In one tick: the requests sit in the server's receive buffers, and the parsers are idle.
    // http.Server#close() would destroy those connections, and the kernel reset them.
    for (const socket of sockets) socket.write(GET);
    const drained = drainHttpServer(server, 10_000, 5_000);
    expect((await Promise.all(endings)).map(({ seen }) => seen)).toEqual(Array(20).fill('200 close'));
    await drained;
  });

  it('drains: connections the kernel has queued on the listener, requests written, are accepted and answered rather than reset', async () => {
    const { server, port } = await serve((_req, res) => res.end('ok'), ROOMY);
    servers.push(server);
    const written = new Int32Array(new SharedArrayBuffer(4));
    const client = new Worker(QUEUED_CLIENT, { eval: true, workerData: { port, count: 10, written } });
    try {
      const seen = new Promise<string[]>((resolve, reject) => {
        client.once('message', resolve);
        client.once('error', reject);
      });
      // This thread blocked, nothing is accepted while the client connects and writes ('not-equal': it was done first).
      expect(Atomics.wait(written, 0, 0, 10_000)).not.toBe('timed-out');
      const drained = drainHttpServer(server, 10_000, 5_000);
      expect(await seen).toEqual(Array(10).fill('200 close'));
      await drained;
    } finally {
      await client.terminate();
    }
  });

  it('drains: closes an idle kept-alive connection only after the idle grace, and answers a request sent on one meanwhile with Connection: close', async () => {
    const { server, port } = await serve((_req, res) => res.end('ok'));
    servers.push(server);
    const [quiet, talking] = await keptAlive(port, 2);
    const [quietEnd, talkingEnd] = [ending(quiet), ending(talking)];
    const started = Date.now();
    const drained = drainHttpServer(server, 10_000, 400);
    await new Promise((resolve) => setTimeout(resolve, 200));
    talking.write(GET);
    const answered = await talkingEnd;
    expect(answered.seen).toBe('200 close');
    const closed = await quietEnd;
    expect(closed.seen).toBe('closed');
    expect(closed.at - started).toBeGreaterThanOrEqual(350);
    await drained;
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('drains within the bound: a request that never ends is cut after timeoutMs', async () => {
    const { server, port } = await serve(() => undefined);
    servers.push(server);
    const stuck = raw(port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await drainHttpServer(server, 300);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await stuck).toBe('');
  });

  it('holds at most HTTP_MAX_CONNECTIONS sockets: one more is closed at once, unanswered', async () => {
    const { server, port } = await serve((_req, res) => res.end('ok'));
    servers.push(server);
    const idle = await Promise.all(
      [0, 1, 2].map(
        () =>
          new Promise<Socket>((resolve) => {
            const socket = connect(port, '127.0.0.1', () => resolve(socket));
          }),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await raw(port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n')).toBe('');
    idle[0].destroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await raw(port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).toMatch(/^HTTP\/1\.1 200 /);
    idle.forEach((socket) => socket.destroy());
  });
});
