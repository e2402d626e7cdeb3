import { isRecord, WebhookRejection } from '@kyc/core';
import { bodyHmacProvider } from '../families/body-hmac';
import type { BaseOptions } from '../define-provider';
import { optionsParser } from '../options';
import { mapOnfidoEvent, ONFIDO_KNOWN_EVENTS, onfidoEventTime } from './onfido.mapping';
import { onfidoSimulator } from './onfido.simulator';

const options = optionsParser<BaseOptions>('Onfido', {});

/**
 * `X-SHA2-Signature`: hex HMAC-SHA256 of the raw body keyed with the webhook token; no timestamp,
 * no rotation scheme. Onfido sends no event id, so the dedup key is a keyed digest of what tells
 * one event from another, and replay protection is that dedup.
 */
export const onfidoProvider = bodyHmacProvider({
  name: 'onfido',
  displayName: 'Onfido',
  secretFields: { required: ['webhookSecret'], optional: [] },
  signature: { header: 'x-sha2-signature' },
  simulator: onfidoSimulator,
  knownEvents: ONFIDO_KNOWN_EVENTS,
  optionNames: options.names,
  parseOptions: options.parse,

  decode(webhook) {
    const body = webhook.json;
    if (!isRecord(body) || !isRecord(body.payload) || !isRecord(body.payload.object) || typeof body.payload.object.id !== 'string' || body.payload.object.id === '') {
      throw new WebhookRejection('malformed', 'body is not an Onfido event (needs payload.object with a string id)');
    }
    const { payload } = body;
    const object = body.payload.object;
    // An authenticated event is never refused for its content: one naming no action is `onfido.unknown`.
    const action = typeof payload.action === 'string' && payload.action !== '' ? payload.action : 'unknown';
    const status = typeof object.status === 'string' && object.status !== '' ? object.status : null;
    const providerEventId = webhook.eventIdDigest({ action, objectId: object.id, status, at: onfidoEventTime(object) ?? null });
    return { providerEventId, providerEventType: action, payload: body };
  },

  normalize: (decoded) => mapOnfidoEvent(decoded.providerEventType, decoded.payload),
});
