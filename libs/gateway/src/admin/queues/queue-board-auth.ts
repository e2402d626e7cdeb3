import type { NextFunction, Request, Response } from 'express';
import { constantTimeEqual } from '@kyc/core';
import { hasAdminKey } from '../admin-auth.guard';
import { TOO_MANY_ADMIN_REQUESTS } from '../admin-rate-limit';

/**
 * The dashboard is opened in a browser, which cannot send a bearer token: besides
 * `Authorization: Bearer <key>` it takes the key as the basic-auth password (any user name; the
 * 401 asks the browser for it, which then resends it with every asset and API call). Never in the
 * query string: a key in a URL ends up in access logs, browser history and Referer headers. Every
 * comparison is in constant time. Read-only, only reads pass (Bull Board's adapters refuse its
 * own actions too; this also covers its "pause all" and anything a later version adds).
 */
export function queueBoardAuth(adminApiKey: string, readOnly: boolean, isLimited: (request: Request) => Promise<boolean>) {
  return async (request: Request, response: Response, next: NextFunction): Promise<void> => {
    // Counted like the admin API's requests, so the dashboard is no way around the rate limit.
    if (await isLimited(request)) {
      response.status(429).json(TOO_MANY_ADMIN_REQUESTS);
      return;
    }
    if (hasAdminKey(request.headers.authorization, adminApiKey) || basicPassword(request.headers.authorization, adminApiKey)) {
      if (readOnly && request.method !== 'GET' && request.method !== 'HEAD') {
        response.status(405).set('Allow', 'GET, HEAD').json({ statusCode: 405, error: 'Method Not Allowed', message: 'the queue dashboard is read-only (QUEUE_BOARD_READ_ONLY)' });
        return;
      }
      return next();
    }
    response.status(401).set('WWW-Authenticate', 'Basic realm="kyc-gateway queues", charset="UTF-8"').json({ statusCode: 401, error: 'Unauthorized', message: 'missing or invalid admin API key' });
  };
}

function basicPassword(authorization: string | undefined, adminApiKey: string): boolean {
  const match = /^Basic +([A-Za-z0-9+/=]+) *$/i.exec(authorization ?? '');
  if (!match) return false;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  return constantTimeEqual(decoded.slice(decoded.indexOf(':') + 1), adminApiKey);
}
