import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Webhook } from 'standardwebhooks';
import { Agent, request } from 'undici';
import { AppConfig } from '@kyc/config';
import type { VerificationEvent } from '@kyc/core';
import { DeliveryEntity, HttpSubscriber, Subscriber, SubscriberStore } from '@kyc/persistence';
import { parseRetryAfter } from './backoff';
import type { AttemptOutcome, DeliveryChannel } from './delivery-channel';
import { guardedConnector } from './guarded-connect';

const CONNECT = { timeout: 5_000 };

/**
 * `kind: http`: POST the event signed per Standard Webhooks (webhook-id = event id) with the
 * subscriber's whsec_ secret, over keep-alive connections. 2xx within timeoutMs is success;
 * any other status, a timeout or a connection error is a failed attempt. Unless
 * ALLOW_PRIVATE_SUBSCRIBER_URLS, every new connection is refused when the host is, or resolves
 * to, a private address (the admin API checked it when the subscriber was saved; DNS may have
 * changed since).
 */
@Injectable()
export class HttpChannel implements DeliveryChannel, OnApplicationShutdown {
  private readonly agent: Agent;
  private readonly signers = new Map<string, { secret: string; webhook: Webhook }>();

  constructor(
    private readonly subscribers: SubscriberStore,
    config: AppConfig,
  ) {
    const connect = config.env.ALLOW_PRIVATE_SUBSCRIBER_URLS ? CONNECT : guardedConnector(CONNECT);
    this.agent = new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 300_000, connections: 128, connect });
  }

  async deliver(subscriber: Subscriber, event: VerificationEvent, _delivery: DeliveryEntity): Promise<AttemptOutcome> {
    if (subscriber.kind !== 'http') throw new Error(`subscriber ${subscriber.name} is not an http subscriber`);
    const body = JSON.stringify(event);
    const signer = await this.signer(subscriber);
    const now = new Date();
    const response = await request(subscriber.url, {
      method: 'POST',
      dispatcher: this.agent,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'kyc-webhook-gateway',
        'webhook-id': event.id,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': signer.sign(event.id, now, body),
      },
      body,
      signal: AbortSignal.timeout(subscriber.timeoutMs),
      headersTimeout: subscriber.timeoutMs,
      bodyTimeout: subscriber.timeoutMs,
    });
    // Drain (bounded) so the connection can be reused; the receiver's answer body is not needed.
    await response.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
    const status = response.statusCode;
    if (status >= 200 && status < 300) return { ok: true, httpStatus: status };
    const retryAfterMs = status === 429 || status === 503 ? parseRetryAfter(response.headers['retry-after']) : undefined;
    return { ok: false, httpStatus: status, error: `HTTP ${status}`, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  }

  private async signer(subscriber: HttpSubscriber): Promise<Webhook> {
    const cached = this.signers.get(subscriber.id);
    if (cached && cached.secret === subscriber.secretFingerprint) return cached.webhook;
    const secret = await this.subscribers.signingSecret(subscriber.id);
    if (!secret) throw new Error('subscriber has no signing secret');
    const webhook = new Webhook(secret);
    this.signers.set(subscriber.id, { secret: subscriber.secretFingerprint ?? '', webhook });
    return webhook;
  }

  /** WorkerDrain has waited SHUTDOWN_TIMEOUT_MS for the attempts in flight: what is left is cut, not awaited. */
  async onApplicationShutdown(): Promise<void> {
    await this.agent.destroy().catch(() => undefined);
  }
}
