import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Server as NetServer } from 'node:net';
import type { EnvironmentVariables } from '@kyc/config';

type ServerTimeouts = Pick<EnvironmentVariables, 'HTTP_HEADERS_TIMEOUT_MS' | 'HTTP_REQUEST_TIMEOUT_MS' | 'HTTP_KEEP_ALIVE_TIMEOUT_MS'>;

/** Per server: whether it is draining, and the responses not sent yet. */
interface ServerState {
  draining: boolean;
  pending: Set<ServerResponse>;
}

const states = new WeakMap<Server, ServerState>();

/** Time for connections accepted before the listener closed to have their request read. */
const IDLE_GRACE_MS = 100;

/**
 * Slow clients cannot hold connections open: headers must arrive within HTTP_HEADERS_TIMEOUT_MS
 * and the whole request within HTTP_REQUEST_TIMEOUT_MS (else 408 and the socket is closed); an
 * idle keep-alive connection lives HTTP_KEEP_ALIVE_TIMEOUT_MS, longer than the load balancer's
 * own idle timeout so that the balancer, not the gateway, closes it (no race on reuse). Bodies
 * are bounded where they are read (ingress: MAX_BODY_BYTES, admin: 1 MB).
 *
 * A response sent before its request's body was read to the end (413, 401...) closes the
 * connection: otherwise the rest of the body would sit unread on a kept-alive socket, the client
 * still sending into it, until the request timeout.
 */
export function configureHttpServer(server: Server, env: ServerTimeouts): void {
  server.headersTimeout = env.HTTP_HEADERS_TIMEOUT_MS;
  server.requestTimeout = env.HTTP_REQUEST_TIMEOUT_MS;
  server.keepAliveTimeout = env.HTTP_KEEP_ALIVE_TIMEOUT_MS;
  // Node enforces those two timeouts on a sweep every `connectionsCheckingInterval` (30 s by
  // default, so a 10 s headers timeout could take 40 s). It is a createServer option, which Nest
  // does not pass through, but Node reads the property when the server starts listening.
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = Math.min(1_000, Math.floor(env.HTTP_HEADERS_TIMEOUT_MS / 2));

  const state: ServerState = { draining: false, pending: new Set() };
  states.set(server, state);
  server.prependListener('request', (request: IncomingMessage, response: ServerResponse) => {
    state.pending.add(response);
    response.once('close', () => state.pending.delete(response));
    const hasBody = request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length']) > 0;
    beforeHeaders(response, () => {
      if (state.draining || (hasBody && !request.complete)) response.setHeader('connection', 'close');
    });
  });
}

/**
 * Stop accepting connections and let the requests in flight finish, each answered with
 * `Connection: close`, so that their connections end with them. After `timeoutMs` the
 * connections still open are cut. Resolves once every connection is closed.
 */
export async function drainHttpServer(server: Server, timeoutMs: number): Promise<void> {
  const state = states.get(server);
  if (state) {
    state.draining = true;
    for (const response of state.pending) if (!response.headersSent) response.setHeader('connection', 'close');
  }
  // Connections the kernel has completed but Node not yet accepted would be reset by closing the
  // listener: one turn of the event loop (its poll phase accepts them) takes them in first.
  await new Promise((resolve) => setImmediate(resolve));
  // net.Server's close, not http.Server's: that one also destroys at once every connection it deems
  // idle, including those just accepted whose request has not been read yet (the client, having
  // sent it, gets a reset), and stops the header/request timeouts.
  const closed = new Promise<void>((resolve) => NetServer.prototype.close.call(server, () => resolve()));
  // By then every accepted request has been read (and will close its connection when answered):
  // what is idle now is a keep-alive connection between requests.
  const idle = setTimeout(() => server.closeIdleConnections(), IDLE_GRACE_MS);
  const cut = setTimeout(() => server.closeAllConnections(), timeoutMs);
  await closed;
  clearTimeout(idle);
  clearTimeout(cut);
}

/** Run `hook` just before the response's headers are written (the technique of the on-headers package). */
function beforeHeaders(response: ServerResponse, hook: () => void): void {
  const writeHead = response.writeHead as (...args: unknown[]) => ServerResponse;
  response.writeHead = function (this: ServerResponse, ...args: unknown[]): ServerResponse {
    if (!this.headersSent) hook();
    return writeHead.apply(this, args);
  } as ServerResponse['writeHead'];
}
