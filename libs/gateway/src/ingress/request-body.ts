import type { Request } from 'express';
import getRawBody from 'raw-body';
import { WebhookRejection } from '@kyc/core';

/**
 * Read the raw request bytes, refusing more than `limit` without buffering it: a declared
 * Content-Length over the limit is refused before reading, a stream that exceeds it is cut.
 */
export async function readRequestBody(request: Request, limit: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw new WebhookRejection('too_large', `body of ${declared} bytes exceeds ${limit}`);
  const encoding = (request.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding !== 'identity') throw new WebhookRejection('unsupported_media_type', `content-encoding ${encoding.slice(0, 40)} is not supported`);
  try {
    return await getRawBody(request, { limit, length: Number.isFinite(declared) ? declared : undefined });
  } catch (error) {
    const type = (error as { type?: string }).type;
    if (type === 'entity.too.large') throw new WebhookRejection('too_large', `body exceeds ${limit} bytes`);
    throw new WebhookRejection('malformed', `body could not be read (${type ?? 'stream error'})`);
  }
}

/** JSON media types: application/json and any +json type, with parameters. */
export function isJsonContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const mediaType = contentType.split(';')[0].trim().toLowerCase();
  return mediaType === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(mediaType);
}
