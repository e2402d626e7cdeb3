import { isRecord, WebhookRejection } from '@kyc/core';
import { bodyHmacProvider } from '../families/body-hmac';
import type { BaseOptions } from '../define-provider';
import { optionsParser } from '../options';
import { COMPLYCUBE_KNOWN_EVENTS, mapComplycubeEvent } from './complycube.mapping';
import { complycubeSimulator } from './complycube.simulator';

const options = optionsParser<BaseOptions>('ComplyCube', {});

/** Hex HMAC-SHA256 of the raw body, no prefix, no timestamp: replay protection is the `id` dedup. */
export const complycubeProvider = bodyHmacProvider({
  name: 'complycube',
  displayName: 'ComplyCube',
  secretFields: { required: ['webhookSecret'], optional: [] },
  signature: { header: 'complycube-signature' },
  simulator: complycubeSimulator,
  knownEvents: COMPLYCUBE_KNOWN_EVENTS,
  optionNames: options.names,
  parseOptions: options.parse,

  decode(webhook) {
    const event = webhook.json;
    if (!isRecord(event) || typeof event.id !== 'string' || event.id === '' || typeof event.type !== 'string' || event.type === '') {
      throw new WebhookRejection('malformed', 'body is not a ComplyCube event (needs string id and type)');
    }
    return { providerEventId: event.id, providerEventType: event.type, payload: event };
  },

  normalize: (decoded) => mapComplycubeEvent(decoded.providerEventType, decoded.payload),
});
