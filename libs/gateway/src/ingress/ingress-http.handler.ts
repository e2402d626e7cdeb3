import { Inject, Injectable, Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { Logger as Pino } from 'pino';
import { WebhookRejection } from '@kyc/core';
import { logRequestCompleted, requestIdFor, ROOT_LOGGER } from '@kyc/observability';
import { StorageUnavailableError } from '@kyc/persistence';
import { IngressBusyError } from './ingress-busy.error';
import { IngressRoute, IngressService } from './ingress.service';

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/**
 * The only messages a sender ever reads, one per status (contract: "Public messages are uniform").
 * A message that varied with the failure (bad CBC padding vs. bad JSON) was a padding oracle; one
 * that told an unknown from a disabled connection, or named an encoding, would tell an attacker
 * what to try next. The precise reason goes to the log line and the refusal record only.
 */
export const PUBLIC_INGRESS_MESSAGES: Readonly<Record<number, string>> = {
  400: 'the request is not a webhook this gateway can read',
  401: 'the webhook could not be authenticated',
  404: 'no such webhook endpoint',
  413: 'the request body is too large',
  415: 'content-type must be application/json',
  429: 'too many refused requests from this address, retry later',
  500: 'internal server error',
  503: 'temporarily unavailable, retry later',
};

/**
 * The vendors' front door: `POST /webhooks`, `/webhooks/:provider`, `/webhooks/:provider/:connection`.
 * A plain Express middleware mounted ahead of Nest's router (configureHttpApp): the gateway's
 * hottest path skips Nest's routing, pipes and interceptors and pino-http's per-request child
 * logger, which cost about a third of its CPU per webhook (docs/performance.md). It writes the
 * same answers (Nest's error shape) and the same completion log line. Bodies are read raw (no
 * body parser), so signatures see the exact bytes.
 */
@Injectable()
export class IngressHttpHandler {
  private readonly logger = new Logger('Ingress');

  constructor(
    private readonly ingress: IngressService,
    @Inject(ROOT_LOGGER) private readonly accessLog: Pino,
  ) {}

  /** For the `/webhooks` mount. Anything else (another method, a deeper path) goes on to Nest: 404. */
  readonly middleware = (request: Request, response: Response, next: NextFunction): void => {
    const route = request.method === 'POST' ? parseRoute(request.path) : undefined;
    if (!route) return next();
    void this.serve(route, request, response);
  };

  private async serve(route: IngressRoute, request: Request, response: Response): Promise<void> {
    const startedAt = performance.now();
    const requestId = requestIdFor(request, response);
    response.once('finish', () => logRequestCompleted(this.accessLog, request, response, requestId, startedAt));
    try {
      send(response, 200, await this.ingress.receive(route, request, requestId));
    } catch (error) {
      // `error.detail` was logged and recorded by the ingress; the sender gets only the status's message.
      if (error instanceof WebhookRejection) {
        // Until the minute ends: that is when the source's refusals count from zero again.
        if (error.status === 429) response.setHeader('retry-after', String(Math.ceil((60_000 - (Date.now() % 60_000)) / 1000)));
        return send(response, error.status, errorBody(error.status));
      }
      if (error instanceof StorageUnavailableError || error instanceof IngressBusyError) return send(response, 503, errorBody(503));
      this.logger.error({ reqId: requestId, msg: `unexpected ingress failure: ${(error as Error).stack ?? String(error)}` });
      send(response, 500, errorBody(500));
    }
  }
}

/** `/`, `/:provider` or `/:provider/:connection` below the mount (one trailing slash allowed, as Express routes do). */
function parseRoute(path: string): IngressRoute | undefined {
  const segments = path.split('/').slice(1);
  if (segments.length > 1 && segments[segments.length - 1] === '') segments.pop();
  if (segments.length === 1 && segments[0] === '') return {};
  if (segments.length > 2 || segments.includes('')) return undefined;
  try {
    const [provider, connection] = segments.map(decodeURIComponent);
    return connection === undefined ? { provider } : { provider, connection };
  } catch {
    return undefined; // not valid percent-encoding: no such route
  }
}

function errorBody(statusCode: number) {
  return { statusCode, error: STATUS_TEXT[statusCode] ?? 'Error', message: PUBLIC_INGRESS_MESSAGES[statusCode] ?? 'request refused' };
}

function send(response: Response, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) });
  response.end(json);
}
