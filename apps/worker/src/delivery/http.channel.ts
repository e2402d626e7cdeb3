import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Webhook } from 'standardwebhooks';
import { Agent, request } from 'undici';
import type { VerificationEvent } from '@kyc/core';
import { DeliveryEntity, Subscriber, SubscriberStore } from '@kyc/persistence';
import type { AttemptOutcome, DeliveryChannel } from './delivery-channel';

/**
 * `kind: http`: POST the event signed per Standard Webhooks (webhook-id = event id) with the
 * subscriber's whsec_ secret, over keep-alive connections. 2xx within timeoutMs is success;
 * any other status, a timeout or a connection error is a failed attempt.
 */
@Injectable()
export class HttpChannel implements DeliveryChannel, OnApplicationShutdown {
  private readonly agent = new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 300_000, connections: 128, connect: { timeout: 5_000 } });
  private readonly signers = new Map<string, { secret: string; webhook: Webhook }>();

  constructor(private readonly subscribers: SubscriberStore) {}

  async deliver(subscriber: Subscriber, event: VerificationEvent, _delivery: DeliveryEntity): Promise<AttemptOutcome> {
    const body = JSON.stringify(event);
    const signer = await this.signer(subscriber);
    const now = new Date();
    const response = await request(subscriber.url!, {
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
    const ok = response.statusCode >= 200 && response.statusCode < 300;
    return { ok, httpStatus: response.statusCode, error: ok ? undefined : `HTTP ${response.statusCode}` };
  }

  private async signer(subscriber: Subscriber): Promise<Webhook> {
    const cached = this.signers.get(subscriber.id);
    if (cached && cached.secret === subscriber.secretFingerprint) return cached.webhook;
    const secret = await this.subscribers.signingSecret(subscriber.id);
    if (!secret) throw new Error('subscriber has no signing secret');
    const webhook = new Webhook(secret);
    this.signers.set(subscriber.id, { secret: subscriber.secretFingerprint ?? '', webhook });
    return webhook;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.agent.close().catch(() => undefined);
  }
}
