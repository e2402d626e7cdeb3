import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';
import type { EnvironmentVariables } from '@kyc/config';

type ServerTimeouts = Pick<EnvironmentVariables, 'HTTP_HEADERS_TIMEOUT_MS' | 'HTTP_REQUEST_TIMEOUT_MS' | 'HTTP_KEEP_ALIVE_TIMEOUT_MS' | 'HTTP_MAX_CONNECTIONS'>;

/**
 * How long a drain leaves an idle keep-alive connection open: a request its client wrote before the
 * drain began (or before its last answer) has arrived by then, and gets an answer.
 */
export const DRAIN_IDLE_GRACE_MS = 1_000;

/** Servers being drained, with their idle grace (see drainHttpServer). */
const draining = new WeakMap<Server, number>();
/** Open sockets of each configured server. */
const openSockets = new WeakMap<Server, Set<Socket>>();
/** Requests read on a socket whose response has not closed yet. */
const inProgress = new WeakMap<Socket, number>();

/**
 * Slow clients cannot hold connections open: headers must arrive within HTTP_HEADERS_TIMEOUT_MS
 * and the whole request within HTTP_REQUEST_TIMEOUT_MS (else 408 and the socket is closed); an
 * idle keep-alive connection lives HTTP_KEEP_ALIVE_TIMEOUT_MS, longer than the load balancer's
 * own idle timeout so that the balancer, not the gateway, closes it (no race on reuse). Bodies
 * are bounded where they are read (ingress: MAX_BODY_BYTES each and INGRESS_MAX_BUFFERED_BYTES in
 * all, admin: 1 MB), and open sockets by HTTP_MAX_CONNECTIONS (Node closes any beyond at once).
 *
 * A response sent before its request's body was read to the end (413, 401...) closes the
 * connection: otherwise the rest of the body would sit unread on a kept-alive socket, the client
 * still sending into it, until the request timeout.
 */
export function configureHttpServer(server: Server, env: ServerTimeouts): void {
  server.headersTimeout = env.HTTP_HEADERS_TIMEOUT_MS;
  server.requestTimeout = env.HTTP_REQUEST_TIMEOUT_MS;
  server.keepAliveTimeout = env.HTTP_KEEP_ALIVE_TIMEOUT_MS;
  server.maxConnections = env.HTTP_MAX_CONNECTIONS;
  // Node enforces those two timeouts on a sweep every `connectionsCheckingInterval` (30 s by
  // default, so a 10 s headers timeout could take 40 s). It is a createServer option, which Nest
  // does not pass through, but Node reads the property when the server starts listening.
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = Math.min(1_000, Math.floor(env.HTTP_HEADERS_TIMEOUT_MS / 2));

  const sockets = new Set<Socket>();
  openSockets.set(server, sockets);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  server.prependListener('request', (request: IncomingMessage, response: ServerResponse) => {
    const socket = request.socket;
    inProgress.set(socket, (inProgress.get(socket) ?? 0) + 1);
    response.once('close', () => {
      const left = (inProgress.get(socket) ?? 1) - 1;
      inProgress.set(socket, left);
      // Still open after its answer (headers sent before the drain began): idle again from now.
      const grace = draining.get(server);
      if (left === 0 && grace !== undefined && !socket.destroyed) closeWhenIdle(socket, grace);
    });
    const hasBody = request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length']) > 0;
    beforeHeaders(response, () => {
      if (draining.has(server) || (hasBody && !request.complete)) response.setHeader('connection', 'close');
    });
  });
}

/**
 * Stop accepting connections and let the requests in flight finish, each answered with
 * `Connection: close` (configureHttpServer's hook) so that its connection ends with it. Resolves
 * once every connection is closed; after `timeoutMs` the connections still open are cut.
 *
 * Not http.Server#close(): since Node 19 it also destroys every connection idle at that instant,
 * including one on which the client has just written its next request, still unread in the
 * socket's receive buffer: the kernel answers that with a reset (ECONNRESET at the client). Here
 * only the listener closes; a kept-alive connection is closed by the server only after a
 * `Connection: close` answer, or once it has received nothing for `idleGraceMs` since the drain
 * began or since its last answer (a client may still write a request at that very instant: no
 * server can answer that one). The header/request timeout sweep keeps running meanwhile (Nest's
 * adapter calls close() afterwards, which stops it).
 */
export async function drainHttpServer(server: Server, timeoutMs: number, idleGraceMs = DRAIN_IDLE_GRACE_MS): Promise<void> {
  const sockets = openSockets.get(server);
  if (!sockets) throw new Error('drainHttpServer: the server was not set up by configureHttpServer');
  draining.set(server, idleGraceMs);
  await acceptQueued(server);
  // The callback runs once the listener and every connection are closed (with an error if it was not listening).
  const closed = new Promise<void>((resolve) => NetServer.prototype.close.call(server, () => resolve()));
  for (const socket of sockets) if (!inProgress.get(socket)) closeWhenIdle(socket, idleGraceMs);
  const cut = setTimeout(() => server.closeAllConnections(), timeoutMs);
  await closed;
  clearTimeout(cut);
}

/**
 * Let the event loop accept the connections the kernel has already queued on the listener: closing
 * it resets them, requests included. Turns of the loop until one accepts nothing (at most 50).
 */
async function acceptQueued(server: Server): Promise<void> {
  let accepted = 0;
  const count = () => accepted++;
  server.on('connection', count);
  try {
    // Called from an I/O callback, the first turn ends without polling again; each later one polls.
    await nextTurn();
    for (let turn = 0, before = -1; turn < 50 && accepted !== before; turn++) {
      before = accepted;
      await nextTurn();
    }
  } finally {
    server.off('connection', count);
  }
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Close `socket` once it has received nothing for `graceMs` and has no request in progress. */
function closeWhenIdle(socket: Socket, graceMs: number): void {
  const bytesRead = socket.bytesRead;
  setTimeout(() => {
    // A request read meanwhile is answered with Connection: close, which ends the connection.
    if (socket.destroyed || inProgress.get(socket)) return;
    // Bytes of a request not complete yet: wait again (its headers/request timeouts bound this).
    if (socket.bytesRead !== bytesRead) return closeWhenIdle(socket, graceMs);
    socket.destroy();
  }, graceMs).unref();
}

/** Run `hook` just before the response's headers are written (the technique of the on-headers package). */
function beforeHeaders(response: ServerResponse, hook: () => void): void {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- applied to the same response below
  const writeHead = response.writeHead as (...args: unknown[]) => ServerResponse;
  response.writeHead = function (this: ServerResponse, ...args: unknown[]): ServerResponse {
    if (!this.headersSent) hook();
    return writeHead.apply(this, args);
  };
}
