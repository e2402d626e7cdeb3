import { Injectable, Logger } from '@nestjs/common';
import type { Request } from 'express';
import { v7 as uuidv7 } from 'uuid';
import { AppConfig } from '@kyc/config';
import { eventIdDigest, EventIdDigest, MAX_JSON_DEPTH, nestedDeeperThan, VerificationEvent, WebhookRejection } from '@kyc/core';
import { MetricsService } from '@kyc/observability';
import { EventStore, StorageUnavailableError } from '@kyc/persistence';
import { detectProvider, findProvider, type DecodedWebhook, type InboundWebhook, type ProviderAdapter } from '@kyc/providers';
import { EventPublisher } from '@kyc/queue';
import { CachedConnection, ConnectionCache } from './connection.cache';
import { authenticateAgainst, enabledCandidates, namedCandidate } from './connection-choice';
import { IngressBusyError } from './ingress-busy.error';
import { RefusalRecorder } from './refusal-recorder';
import { isJsonContentType, readRequestBody } from './request-body';

/** Where a request was sent: `/webhooks`, `/webhooks/:provider` or `/webhooks/:provider/:connection`. */
export interface IngressRoute {
  provider?: string;
  connection?: string;
}

export interface IngestAnswer {
  received: true;
  eventId: string;
  duplicate: boolean;
}

/**
 * The ingress pipeline: read → recognise → authenticate → normalize → store → acknowledge → queue.
 * Every refusal is a WebhookRejection, logged and recorded here and nowhere else.
 */
@Injectable()
export class IngressService {
  private readonly logger = new Logger('Ingress');
  private readonly eventIdDigest: EventIdDigest;
  /** Bytes of request bodies reserved by the webhooks in progress (INGRESS_MAX_BUFFERED_BYTES). */
  private bufferedBytes = 0;

  constructor(
    private readonly config: AppConfig,
    private readonly connections: ConnectionCache,
    private readonly events: EventStore,
    private readonly refusals: RefusalRecorder,
    private readonly publisher: EventPublisher,
    private readonly metrics: MetricsService,
  ) {
    this.eventIdDigest = eventIdDigest(config.secretsKey);
  }

  /** Throws WebhookRejection (4xx), StorageUnavailableError or IngressBusyError (503). */
  async receive(route: IngressRoute, request: Request, requestId?: string): Promise<IngestAnswer> {
    const receivedAt = new Date();
    const started = performance.now();
    // `/webhooks/:provider` means the `default` connection: its refusals count toward that one's streak.
    const connection = route.provider === undefined ? undefined : (route.connection ?? 'default');
    const context: { provider?: string; connection?: string; size: number } = { ...route, connection, size: Number(request.headers['content-length']) || 0 };
    let outcome = 'error';
    let reserved = 0;
    try {
      // Before anything else, the body least of all: a source refused too often this minute costs nothing more.
      if (this.refusals.throttled(request.ip, receivedAt.getTime())) {
        throw new WebhookRejection('rate_limited', `source refused more than ${this.config.env.INGRESS_REFUSALS_PER_MINUTE} times this minute`);
      }
      const routed = route.provider === undefined ? undefined : findProvider(route.provider);
      if (route.provider !== undefined && !routed) throw new WebhookRejection('unknown_provider', `unknown provider ${route.provider.slice(0, 40)}`);
      if (!isJsonContentType(request.headers['content-type'])) {
        throw new WebhookRejection('unsupported_media_type', `content-type must be application/json`);
      }
      reserved = this.reserveBodyBytes(request);
      const rawBody = await readRequestBody(request, this.config.env.MAX_BODY_BYTES);
      context.size = rawBody.length;
      // Parsed only when something reads `json`: HMAC vendors verify the raw bytes first, so an
      // unauthenticated body is never parsed or walked.
      const webhook = lazilyParsedWebhook(rawBody, flattenHeaders(request.headers), receivedAt, this.eventIdDigest);

      const adapter = routed ?? detectProvider(webhook);
      if (!adapter) throw new WebhookRejection('malformed', 'not the webhook format of any supported provider');
      context.provider = adapter.name;
      const { connection, decoded } = await this.authenticateWithFreshConnections(adapter, webhook, route);
      context.connection = connection.name;

      const event = this.toEvent(adapter, connection, decoded, receivedAt);
      const { eventId, duplicate } = await this.events.record(event, decoded.payload);
      if (!duplicate) this.publisher.publish(eventId);
      if (!duplicate) this.metrics.eventStored(adapter.name);
      outcome = duplicate ? 'duplicate' : 'accepted';
      return { received: true, eventId, duplicate };
    } catch (error) {
      outcome = error instanceof WebhookRejection ? error.reason : error instanceof StorageUnavailableError ? 'storage_unavailable' : error instanceof IngressBusyError ? 'busy' : 'error';
      if (error instanceof WebhookRejection) this.refusals.refused(error, { ...context, sourceIp: request.ip, receivedAt, requestId });
      else if (error instanceof StorageUnavailableError) this.logger.error({ reqId: requestId, msg: `storage unavailable, answering 503: ${error.message}` });
      throw error;
    } finally {
      this.bufferedBytes -= reserved;
      // The provider label only ever holds a known provider name: a route's is attacker-chosen.
      const provider = context.provider !== undefined && findProvider(context.provider) ? context.provider : 'unknown';
      this.metrics.webhookReceived(provider, outcome, (performance.now() - started) / 1000);
    }
  }

  /**
   * Authenticate against the cached connections; if none verifies on the single URL, a connection
   * may have been added or rotated since the cache was loaded: refresh it and try the new ones.
   */
  private async authenticateWithFreshConnections(adapter: ProviderAdapter, webhook: InboundWebhook, route: IngressRoute) {
    const candidates = await this.candidateConnections(adapter, route, webhook.receivedAt);
    try {
      return authenticateAgainst(webhook, candidates);
    } catch (error) {
      if (route.provider !== undefined || !(error instanceof WebhookRejection)) throw error;
      await this.connections.refreshSince(webhook.receivedAt.getTime());
      const refreshed = await this.candidateConnections(adapter, route, webhook.receivedAt);
      if (refreshed.every((connection) => candidates.includes(connection))) throw error;
      return authenticateAgainst(webhook, refreshed);
    }
  }

  /**
   * `/webhooks/:provider/:connection` names one; `/webhooks/:provider` means `default`; the single
   * URL `/webhooks` tries every enabled connection of the recognised provider.
   */
  private async candidateConnections(adapter: ProviderAdapter, route: IngressRoute, receivedAt: Date): Promise<CachedConnection[]> {
    if (route.provider === undefined) {
      if (this.connections.ofProvider(adapter.name).length === 0) await this.connections.refreshSince(receivedAt.getTime());
      return enabledCandidates(adapter.name, this.connections.ofProvider(adapter.name));
    }
    const name = route.connection ?? 'default';
    return namedCandidate(adapter.name, name, await this.connections.findFresh(adapter.name, name, receivedAt.getTime()));
  }

  private toEvent(adapter: ProviderAdapter, connection: CachedConnection, decoded: DecodedWebhook, receivedAt: Date): VerificationEvent {
    const normalized = adapter.normalize(decoded);
    // Stored in bounded, indexed columns: a value the database refuses would be a 503 forever.
    if (!storableKey(decoded.providerEventType) || !storableKey(normalized.type)) {
      throw new WebhookRejection('malformed', `event type is empty, longer than ${MAX_KEY_LENGTH} characters or holds a NUL character`);
    }
    const occurredAt = normalized.occurredAt ? new Date(normalized.occurredAt) : undefined;
    return {
      specVersion: '1',
      id: uuidv7(),
      provider: adapter.name,
      connection: connection.name,
      type: normalized.type,
      status: normalized.status,
      // Bounded for the dedup index; an over-long vendor id (or one PostgreSQL cannot store) is replaced by its keyed digest.
      providerEventId: storableKey(decoded.providerEventId) ? decoded.providerEventId : this.eventIdDigest(decoded.providerEventId),
      providerEventType: decoded.providerEventType,
      subject: normalized.subject,
      occurredAt: occurredAt && !Number.isNaN(occurredAt.getTime()) ? occurredAt.toISOString() : receivedAt.toISOString(),
      receivedAt: receivedAt.toISOString(),
      details: normalized.details,
      // Taken into its subject's verification by the worker, before any delivery.
      verification: null,
    };
  }

  /**
   * Reserve the bytes this request's body may take (its declared length, else MAX_BODY_BYTES) out
   * of INGRESS_MAX_BUFFERED_BYTES: past it, 503 before reading, so a crowd of large or slow bodies
   * cannot take the process's memory. Released when the request ends.
   */
  private reserveBodyBytes(request: Request): number {
    const limit = this.config.env.MAX_BODY_BYTES;
    const declared = Number(request.headers['content-length']);
    const bytes = Number.isFinite(declared) && declared >= 0 ? Math.min(declared, limit) : limit;
    if (this.bufferedBytes + bytes > this.config.env.INGRESS_MAX_BUFFERED_BYTES) throw new IngressBusyError(this.bufferedBytes);
    this.bufferedBytes += bytes;
    return bytes;
  }
}

/** Longest vendor id / type kept verbatim (the columns are varchar(200)). */
const MAX_KEY_LENGTH = 200;

function storableKey(value: string): boolean {
  return value.length > 0 && value.length <= MAX_KEY_LENGTH && !value.includes('\u0000');
}

/**
 * The webhook with `json` parsed on first access, once: a body that is not JSON (or too deep)
 * throws the same 400 WebhookRejection at every access.
 */
export function lazilyParsedWebhook(rawBody: Buffer, headers: Record<string, string | undefined>, receivedAt: Date, digest: EventIdDigest): InboundWebhook {
  let parsed: { json: unknown } | { rejection: WebhookRejection } | undefined;
  return {
    rawBody,
    headers,
    receivedAt,
    eventIdDigest: digest,
    get json(): unknown {
      if (!parsed) {
        try {
          parsed = { json: parseJson(rawBody) };
        } catch (error) {
          parsed = { rejection: error as WebhookRejection };
        }
      }
      if ('rejection' in parsed) throw parsed.rejection;
      return parsed.json;
    },
  };
}

function parseJson(rawBody: Buffer): unknown {
  let json: unknown;
  try {
    json = JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new WebhookRejection('malformed', 'body is not valid JSON');
  }
  // Far deeper bodies would overflow the recursive JSON.stringify that seals the payload: a 503
  // the vendor would retry forever instead of a 400.
  if (nestedDeeperThan(json, MAX_JSON_DEPTH)) throw new WebhookRejection('malformed', `body is nested deeper than ${MAX_JSON_DEPTH} levels`);
  return json;
}

function flattenHeaders(headers: Request['headers']): Record<string, string | undefined> {
  const flat: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  return flat;
}
