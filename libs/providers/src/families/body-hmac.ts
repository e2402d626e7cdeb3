import { createHmac } from 'node:crypto';
import { constantTimeEqual, WebhookRejection } from '@kyc/core';
import { type BaseOptions, defineProvider, type ProviderDefinition } from '../define-provider';
import type { DecodedWebhook, InboundWebhook, ProviderAdapter } from '../provider.interface';
import { type DigestEncoding, parseDigest } from './digest';

export type HmacAlgorithm = 'sha1' | 'sha256' | 'sha512';
const DIGEST_BYTES: Record<HmacAlgorithm, number> = { sha1: 20, sha256: 32, sha512: 64 };

/** Where and how a vendor of the family writes the HMAC of the raw body. */
export interface BodyHmacSignature<Options> {
  /** Lower-case name of the header holding the digest. */
  readonly header: string;
  /** A prefix the digest may carry, e.g. `sha256=` (any case). */
  readonly prefix?: string;
  /** Default: hex only. */
  readonly encodings?: readonly DigestEncoding[];
  /** The request's algorithm; default SHA-256. Throws WebhookRejection for one the connection does not accept. */
  algorithm?(webhook: InboundWebhook, options: Options): HmacAlgorithm;
  /** The HMAC keys a `webhookSecret` stands for (at most a few); default its UTF-8 bytes. */
  keys?(secret: string, options: Options): Buffer[];
}

/**
 * The family of vendors that sign the raw body with an HMAC in one header (ComplyCube, Verifik,
 * Sumsub, Onfido, Veriff): the signature is checked here, then `decode` reads the verified body.
 */
export type BodyHmacProvider<Options extends BaseOptions> = Omit<ProviderDefinition<Options, Buffer[]>, 'signatureHeaders' | 'prepareKeys' | 'authenticate'> & {
  readonly signature: BodyHmacSignature<Options>;
  /** The verified request's body (`webhook.json`) as the vendor's event; throws WebhookRejection('malformed'). */
  decode: (webhook: InboundWebhook, options: Options) => DecodedWebhook;
};

export function bodyHmacProvider<Options extends BaseOptions>(definition: BodyHmacProvider<Options>): ProviderAdapter {
  const { signature, decode, ...rest } = definition;
  return defineProvider<Options, Buffer[]>({
    ...rest,
    signatureHeaders: [signature.header],
    prepareKeys: (secrets, options) => (signature.keys ? signature.keys(secrets.webhookSecret, options) : [Buffer.from(secrets.webhookSecret, 'utf8')]),
    authenticate(webhook, keys, options) {
      // A missing signature is told as such, whatever an algorithm header says.
      if (!webhook.headers[signature.header]?.trim()) throw new WebhookRejection('missing_signature', `${signature.header} header is missing`);
      verifyBodyHmac(webhook, signature, signature.algorithm?.(webhook, options) ?? 'sha256', keys);
      return decode(webhook, options);
    },
  });
}

/**
 * `header` = HMAC of the raw bytes under any of `keys`. Throws only WebhookRejection (401): the
 * digest's form is checked before any comparison, the comparisons are constant-time and all of
 * them run. Details name the header, never values.
 */
export function verifyBodyHmac(webhook: InboundWebhook, signature: BodyHmacSignature<unknown>, algorithm: HmacAlgorithm, keys: readonly Buffer[]): void {
  const { header, prefix = '' } = signature;
  const value = webhook.headers[header]?.trim();
  if (!value) throw new WebhookRejection('missing_signature', `${header} header is missing`);
  const unprefixed = prefix !== '' && value.slice(0, prefix.length).toLowerCase() === prefix.toLowerCase() ? value.slice(prefix.length) : value;
  const digest = parseDigest(unprefixed, DIGEST_BYTES[algorithm], signature.encodings ?? ['hex']);
  if (digest === null) throw new WebhookRejection('invalid_signature', `${header} is not an HMAC-${algorithm.toUpperCase()} digest`);
  // A credential set without a usable key can verify nothing; it must not become a 500.
  if (keys.length === 0 || keys.every((key) => key.length === 0)) throw new WebhookRejection('invalid_signature', `${header} cannot be verified: no usable webhook secret`);
  let matched = false;
  for (const key of keys) matched = constantTimeEqual(digest, createHmac(algorithm, key).update(webhook.rawBody).digest()) || matched;
  if (!matched) throw new WebhookRejection('invalid_signature', `${header} does not match the body`);
}
