import { createHmac, randomBytes } from 'node:crypto';
import type { ConnectionCredentials, ProviderSimulator, SimulatedRequest, SimulateOptions } from '../provider.interface';
import { PERSONA_EVENT_TYPES } from './persona.mapping';
import { customHeaders } from '../simulator-headers';

type Json = Record<string, unknown>;

/** Persona ids: a resource prefix and 24 alphanumerics, e.g. `inq_2CVZ4HyVg7qaboXz2PUHknAn`. */
const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const personaId = (prefix: string): string => `${prefix}_${[...randomBytes(24)].map((byte) => ALPHANUMERIC[byte % ALPHANUMERIC.length]).join('')}`;

/** Fake personal data, as Persona sends it in inquiries, accounts, verifications and documents: the mapping must not copy it. */
const FAKE_PERSON: Json = {
  'name-first': 'Jane',
  'name-middle': 'Quinn',
  'name-last': 'Doe',
  birthdate: '1990-01-01',
  'address-street-1': '1 Main Street',
  'address-city': 'Springfield',
  'address-postal-code': '12345',
  'identification-number': 'D1234567',
  'email-address': 'jane.doe@example.com',
  'phone-number': '+15555550100',
};

/** The inquiry's status once the event happened (Persona's statuses, docs "Inquiry Model Lifecycle"). */
const INQUIRY_STATUS: Readonly<Record<string, string>> = {
  created: 'created',
  started: 'pending',
  transitioned: 'pending',
  completed: 'completed',
  failed: 'failed',
  'marked-for-review': 'needs_review',
  approved: 'approved',
  declined: 'declined',
  expired: 'expired',
};

/** A verification's (one check's) status after the event. */
const CHECK_STATUS: Readonly<Record<string, string>> = {
  created: 'initiated',
  submitted: 'submitted',
  passed: 'passed',
  failed: 'failed',
  'requires-retry': 'requires_retry',
  canceled: 'canceled',
};

const related = (type: string, id: string): Json => ({ data: { type, id } });

/** The JSON:API resource an event of `type` carries in `payload.data`. */
function resource(type: string, now: string): Json {
  const inquiryId = personaId('inq');
  const accountId = personaId('act');
  const separator = type.lastIndexOf('.');
  const subject = separator < 0 ? type : type.slice(0, separator);
  const action = separator < 0 ? '' : type.slice(separator + 1);
  const times = { 'created-at': now, 'updated-at': now };
  if (subject === 'inquiry') {
    return {
      type: 'inquiry',
      id: inquiryId,
      attributes: {
        status: INQUIRY_STATUS[action] ?? 'completed',
        'reference-id': `user-${randomBytes(6).toString('hex')}`,
        creator: 'reviewer@example.com',
        ...times,
        'previous-step-name': 'verification_government_id',
        'next-step-name': 'verification_selfie',
        ...FAKE_PERSON,
        fields: { 'name-first': { type: 'string', value: FAKE_PERSON['name-first'] }, birthdate: { type: 'date', value: FAKE_PERSON.birthdate } },
      },
      relationships: { account: related('account', accountId), 'inquiry-template': related('inquiry-template', personaId('itmpl')) },
    };
  }
  if (subject === 'account') {
    return { type: 'account', id: accountId, attributes: { 'reference-id': `user-${randomBytes(6).toString('hex')}`, ...times, ...FAKE_PERSON } };
  }
  if (subject === 'verification') {
    return {
      type: 'verification/government-id',
      id: personaId('ver'),
      attributes: { status: CHECK_STATUS[action] ?? 'submitted', ...times, 'id-class': 'dl', ...FAKE_PERSON },
      relationships: { inquiry: related('inquiry', inquiryId) },
    };
  }
  if (subject.startsWith('report/')) {
    return {
      type: subject,
      id: personaId('rep'),
      attributes: { status: action === 'errored' ? 'errored' : 'ready', ...times, 'has-match': action === 'matched' },
      relationships: { inquiry: related('inquiry', inquiryId), account: related('account', accountId) },
    };
  }
  switch (subject) {
    case 'document':
      return {
        type: 'document/government-id',
        id: personaId('doc'),
        attributes: { status: action === 'created' ? 'initiated' : action, ...times, ...FAKE_PERSON },
        relationships: { inquiry: related('inquiry', inquiryId) },
      };
    case 'selfie':
      return {
        type: 'selfie/profile-and-center',
        id: personaId('self'),
        attributes: { status: action === 'created' ? 'initiated' : action, ...times },
        relationships: { inquiry: related('inquiry', inquiryId) },
      };
    case 'inquiry-session':
      return { type: 'inquiry-session', id: personaId('iqse'), attributes: { status: action === 'started' ? 'active' : action, ...times }, relationships: { inquiry: related('inquiry', inquiryId) } };
    case 'case':
      return {
        type: 'case',
        id: personaId('case'),
        attributes: { status: action === 'resolved' ? 'Approved' : 'Open', ...times },
        relationships: { 'case-template': related('case-template', personaId('ctmpl')) },
      };
    case 'transaction':
      return { type: 'transaction', id: personaId('txn'), attributes: { status: 'approved', 'reference-id': `order-${randomBytes(4).toString('hex')}`, ...times } };
    default:
      return { type: subject || 'unknown', id: personaId('obj'), attributes: { ...times } };
  }
}

/** `overrides` over `base`; `attributes` and `relationships` merge one level deeper, so a variant can change one attribute. */
function merge(base: Json, overrides: Readonly<Json> = {}): Json {
  const merged: Json = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    const nested = (key === 'attributes' || key === 'relationships') && isObject(value) && isObject(base[key]);
    merged[key] = nested ? { ...(base[key] as Json), ...value } : value;
  }
  return merged;
}

const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * Builds requests from the vendor's documented format with node:crypto alone: it shares no
 * signing code with the adapter, so a bug there cannot hide behind the same bug here.
 */
export const personaSimulator: ProviderSimulator = {
  eventTypes: PERSONA_EVENT_TYPES,
  sampleEventType: 'inquiry.approved',

  /** Persona's webhook secrets start with `wbhsec_`. */
  generateSecrets: () => ({ webhookSecret: `wbhsec_${randomBytes(24).toString('base64url')}` }),
  /**
   * Any type builds (unknown ones with a bare resource). `options.payload` merges over the resource
   * in `data.attributes.payload.data` (`{ id, attributes: { status } }`); `undefined` removes a field.
   */
  build(eventType: string, credentials: ConnectionCredentials, options: SimulateOptions = {}): SimulatedRequest {
    const at = options.now ?? new Date();
    const now = at.toISOString();
    const event = {
      data: {
        type: 'event',
        id: personaId('evt'),
        attributes: { name: eventType, payload: { data: merge(resource(eventType, now), options.payload) }, 'created-at': now },
      },
    };
    const body = JSON.stringify(event);
    return { headers: personaSimulator.signBody!(body, credentials, at), body };
  },

  /** Documented: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`, keyed with the secret's UTF-8 bytes. */
  signBody(body: string, credentials: ConnectionCredentials, at = new Date()): Record<string, string> {
    const timestamp = Math.floor(at.getTime() / 1000);
    const signature = createHmac('sha256', credentials.secrets.webhookSecret ?? '')
      .update(`${timestamp}.${body}`, 'utf8')
      .digest('hex');
    return {
      'content-type': 'application/json',
      'persona-signature': `t=${timestamp},v1=${signature}`,
      'persona-webhook-attempts-made': '1',
      'persona-webhook-attempts-left': '4',
      'persona-webhook-first-attempted-at': String(timestamp),
      ...customHeaders(credentials.options),
    };
  },
};
