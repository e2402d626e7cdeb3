import { Agent, createServer, IncomingMessage, request, RequestListener, Server, ServerResponse } from 'node:http';
import { AddressInfo, connect, Socket } from 'node:net';
import { configureHttpServer, drainHttpServer } from './http-server';

const TIMEOUTS = { HTTP_HEADERS_TIMEOUT_MS: 2_000, HTTP_REQUEST_TIMEOUT_MS: 5_000, HTTP_KEEP_ALIVE_TIMEOUT_MS: 65_000, HTTP_MAX_CONNECTIONS: 3 };

/** A plain Node server with the gateway's settings. */
async function serve(handler: RequestListener<typeof IncomingMessage, typeof ServerResponse>): Promise<{ server: Server; port: number }> {
  const server = createServer(handler);
  configureHttpServer(server, TIMEOUTS);
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
    const draining = drainHttpServer(server, 10_000).then(() => (drained = true));
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
