import { createHmac } from 'node:crypto';
import { constantTimeEqual, isHex, WebhookRejection } from '@kyc/core';
import { type BaseOptions, defineProvider, type ProviderDefinition } from '../define-provider';
import type { DecodedWebhook, InboundWebhook, ProviderAdapter } from '../provider.interface';

/** Options of the family: the window around the signed timestamp (0 = off). */
export type TimestampedOptions = BaseOptions & { timestampToleranceSeconds: number };

/**
 * The `t=<unix seconds>,v1=<hex>` family (Persona, Stripe): HMAC-SHA256 of `<t>.<raw body>` keyed
 * with the secret's UTF-8 bytes. A header may hold several `v1` in one set (Stripe, rolling
 * secrets) and several space-separated sets (Persona, during a rotation): any may match. The
 * timestamp window applies to a set that matched, so only the vendor can earn a `stale_timestamp`.
 */
export type TimestampedSignatureProvider<Options extends TimestampedOptions> = Omit<ProviderDefinition<Options, Buffer>, 'signatureHeaders' | 'prepareKeys' | 'authenticate'> & {
  /** Lower-case name of the signature header. */
  readonly header: string;
  decode: (webhook: InboundWebhook, options: Options) => DecodedWebhook;
};

export function timestampedSignatureProvider<Options extends TimestampedOptions>(definition: TimestampedSignatureProvider<Options>): ProviderAdapter {
  const { header, decode, ...rest } = definition;
  return defineProvider<Options, Buffer>({
    ...rest,
    signatureHeaders: [header],
    prepareKeys: (secrets) => Buffer.from(secrets.webhookSecret, 'utf8'),
    authenticate(webhook, key, options) {
      verifyTimestampedSignature(webhook, header, key, options.timestampToleranceSeconds);
      return decode(webhook, options);
    },
  });
}

interface SignatureSet {
  timestamp: number;
  signatures: Buffer[];
}

const SHA256_HEX_LENGTH = 64;
const UNIX_SECONDS = /^\d{1,12}$/;

/** The header's sets; entries other than `t` and `v1` (Stripe's `v0`) are ignored, malformed `v1` skipped. */
export function parseSignatureSets(value: string): SignatureSet[] {
  const sets: SignatureSet[] = [];
  for (const set of value.trim().split(/\s+/)) {
    let timestamp: number | undefined;
    const signatures: Buffer[] = [];
    for (const entry of set.split(',')) {
      const separator = entry.indexOf('=');
      const name = entry.slice(0, separator).trim();
      const given = entry.slice(separator + 1).trim();
      if (separator < 0) continue;
      if (name === 't' && UNIX_SECONDS.test(given)) timestamp = Number(given);
      if (name === 'v1' && given.length === SHA256_HEX_LENGTH && isHex(given)) signatures.push(Buffer.from(given, 'hex'));
    }
    if (timestamp !== undefined && signatures.length > 0) sets.push({ timestamp, signatures });
  }
  return sets;
}

/** Throws only WebhookRejection: 401 for a missing or wrong signature, or a matching one outside the window. */
export function verifyTimestampedSignature(webhook: InboundWebhook, header: string, key: Buffer, toleranceSeconds: number): void {
  const value = webhook.headers[header];
  if (!value?.trim()) throw new WebhookRejection('missing_signature', `${header} header is missing`);
  const sets = parseSignatureSets(value);
  if (sets.length === 0) throw new WebhookRejection('invalid_signature', `${header} has no t=...,v1=... signature`);
  if (key.length === 0) throw new WebhookRejection('invalid_signature', `${header} cannot be verified: no webhook secret`);
  let matchedAt: number | undefined;
  for (const { timestamp, signatures } of sets) {
    const expected = createHmac('sha256', key).update(`${timestamp}.`).update(webhook.rawBody).digest();
    let matched = false;
    for (const signature of signatures) matched = constantTimeEqual(signature, expected) || matched;
    // The newest matching set counts: during a rotation both sets carry the same `t` anyway.
    if (matched) matchedAt = Math.max(matchedAt ?? timestamp, timestamp);
  }
  if (matchedAt === undefined) throw new WebhookRejection('invalid_signature', `${header} does not match the body`);
  if (toleranceSeconds > 0 && Math.abs(webhook.receivedAt.getTime() / 1000 - matchedAt) > toleranceSeconds) {
    throw new WebhookRejection('stale_timestamp', `${header} timestamp is outside the ${toleranceSeconds} s window`);
  }
}
