import { WebhookRejection } from '@kyc/core';
import { checkRequiredHeaders, type DecodedWebhook, type InboundWebhook, type PreparedConnection } from '@kyc/providers';
import type { CachedConnection } from './connection.cache';

/** Of several candidate credentials that all failed, the refusal that tells the most. */
const REFUSAL_RANK: Record<string, number> = { stale_timestamp: 4, malformed: 3, invalid_signature: 2, missing_signature: 1 };

/** The single URL `/webhooks` tries every enabled connection of the recognised provider. */
export function enabledCandidates(provider: string, connections: readonly CachedConnection[]): CachedConnection[] {
  const enabled = connections.filter((connection) => connection.enabled);
  if (enabled.length === 0) throw new WebhookRejection('unknown_connection', `no enabled connection for ${provider}`);
  return enabled;
}

/** `/webhooks/:provider/:connection` (or `default`) tries that connection alone, if it exists and is enabled. */
export function namedCandidate(provider: string, name: string, connection: CachedConnection | undefined): CachedConnection[] {
  if (!connection) throw new WebhookRejection('unknown_connection', `no connection ${provider}/${name.slice(0, 100)}`);
  if (!connection.enabled) throw new WebhookRejection('disabled_connection', `connection ${provider}/${name} is disabled`);
  return [connection];
}

/** The connection's secrets, then its previous ones while their rotation grace lasts. */
export function credentialsToTry(connection: CachedConnection, now: number): PreparedConnection[] {
  return connection.previous && connection.previous.expiresAt > now ? [connection.current, connection.previous.credentials] : [connection.current];
}

/** The refusal to answer with: the first of equally telling ones stays. */
export function moreTelling(kept: WebhookRejection | undefined, next: WebhookRejection): WebhookRejection {
  return !kept || (REFUSAL_RANK[next.reason] ?? 0) > (REFUSAL_RANK[kept.reason] ?? 0) ? next : kept;
}

/** First candidate credentials that verify win; otherwise the most telling refusal is thrown. */
export function authenticateAgainst(webhook: InboundWebhook, candidates: readonly CachedConnection[], now = Date.now()): { connection: CachedConnection; decoded: DecodedWebhook } {
  let refusal: WebhookRejection | undefined;
  for (const connection of candidates) {
    for (const credentials of credentialsToTry(connection, now)) {
      try {
        checkRequiredHeaders(webhook, credentials.requiredHeaders);
        return { connection, decoded: credentials.authenticate(webhook) };
      } catch (error) {
        // An adapter that trips over hostile input must still answer 400, never 500.
        refusal = moreTelling(refusal, error instanceof WebhookRejection ? error : new WebhookRejection('malformed', `could not be decoded (${(error as Error).name})`));
      }
    }
  }
  throw refusal!;
}
