import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { EnvironmentVariables } from '@kyc/config';

type ServerTimeouts = Pick<EnvironmentVariables, 'HTTP_HEADERS_TIMEOUT_MS' | 'HTTP_REQUEST_TIMEOUT_MS' | 'HTTP_KEEP_ALIVE_TIMEOUT_MS' | 'HTTP_MAX_CONNECTIONS'>;

/** Servers being drained (see drainHttpServer). */
const draining = new WeakSet<Server>();

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

  server.prependListener('request', (request: IncomingMessage, response: ServerResponse) => {
    const hasBody = request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length']) > 0;
    beforeHeaders(response, () => {
      if (draining.has(server) || (hasBody && !request.complete)) response.setHeader('connection', 'close');
    });
  });
}

/**
 * Stop accepting connections and let the requests in flight finish, each answered with
 * `Connection: close` (configureHttpServer's hook) so that its connection ends with it (Node's close() alone closes only the
 * connections idle at that moment, and would keep a busy keep-alive one open for its next
 * request until the keep-alive timeout). close() also stops the header/request timeout sweep:
 * after `timeoutMs` the connections still open are cut. Resolves once every connection is closed.
 */
export async function drainHttpServer(server: Server, timeoutMs: number): Promise<void> {
  draining.add(server);
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  const cut = setTimeout(() => server.closeAllConnections(), timeoutMs);
  await closed;
  clearTimeout(cut);
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
