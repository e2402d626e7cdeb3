import { isRecord, WebhookRejection } from '@kyc/core';
import { timestampedSignatureProvider } from '../families/timestamped-signature';
import { mapPersonaEvent, PERSONA_KNOWN_EVENTS } from './persona.mapping';
import { PERSONA_OPTION_NAMES, parsePersonaOptions, type PersonaOptions } from './persona.options';
import { personaSimulator } from './persona.simulator';

const NOT_AN_EVENT = 'body is not a Persona event (needs data.type "event", string data.id, data.attributes.name and an object data.attributes.payload.data)';

/**
 * `Persona-Signature: t=<unix>,v1=<hex>`, HMAC-SHA256 of `<t>.<raw body>` keyed with the secret's
 * UTF-8 bytes; during a secret rotation two space-separated sets, either may match (the family).
 */
export const personaProvider = timestampedSignatureProvider<PersonaOptions>({
  name: 'persona',
  displayName: 'Persona',
  secretFields: { required: ['webhookSecret'], optional: [] },
  header: 'persona-signature',
  simulator: personaSimulator,
  knownEvents: PERSONA_KNOWN_EVENTS,
  optionNames: PERSONA_OPTION_NAMES,
  parseOptions: parsePersonaOptions,

  decode(webhook) {
    const body = webhook.json;
    const event = isRecord(body) ? body.data : undefined;
    if (!isRecord(body) || !isRecord(event) || event.type !== 'event' || typeof event.id !== 'string' || event.id === '' || !isRecord(event.attributes)) {
      throw new WebhookRejection('malformed', NOT_AN_EVENT);
    }
    const { name, payload } = event.attributes;
    if (typeof name !== 'string' || name === '' || !isRecord(payload) || !isRecord(payload.data)) throw new WebhookRejection('malformed', NOT_AN_EVENT);
    // Persona's event id is stable across its retries: the dedup key.
    return { providerEventId: event.id, providerEventType: name, payload: body };
  },

  normalize: (decoded) => mapPersonaEvent(decoded.providerEventType, decoded.payload),
});
