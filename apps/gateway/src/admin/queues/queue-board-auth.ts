import type { NextFunction, Request, Response } from 'express';
import { constantTimeEqual } from '@kyc/core';
import { hasAdminKey } from '../admin-auth.guard';

/**
 * The dashboard is opened in a browser, which cannot send a bearer token: besides
 * `Authorization: Bearer <key>` it takes the key as the basic-auth password (any user name; the
 * 401 asks the browser for it, which then resends it with every asset and API call) or as
 * `?key=` on a single request. Every comparison is in constant time.
 */
export function queueBoardAuth(adminApiKey: string, isLimited: (request: Request) => Promise<boolean>) {
  return async (request: Request, response: Response, next: NextFunction): Promise<void> => {
    // Counted like the admin API's requests, so the dashboard is no way around the rate limit.
    if (await isLimited(request)) {
      response.status(429).json({ statusCode: 429, error: 'Too Many Requests', message: 'too many admin API requests, retry later' });
      return;
    }
    if (hasAdminKey(request.headers.authorization, adminApiKey) || basicPassword(request.headers.authorization, adminApiKey) || queryKey(request, adminApiKey)) {
      return next();
    }
    response
      .status(401)
      .set('WWW-Authenticate', 'Basic realm="kyc-gateway queues", charset="UTF-8"')
      .json({ statusCode: 401, error: 'Unauthorized', message: 'missing or invalid admin API key' });
  };
}

function basicPassword(authorization: string | undefined, adminApiKey: string): boolean {
  const match = /^Basic +([A-Za-z0-9+/=]+) *$/i.exec(authorization ?? '');
  if (!match) return false;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  return constantTimeEqual(decoded.slice(decoded.indexOf(':') + 1), adminApiKey);
}

function queryKey(request: Request, adminApiKey: string): boolean {
  // Parsed by hand: Express 5's query parser may turn `key` into an array or object.
  const key = new URL(request.originalUrl, 'http://gateway').searchParams.get('key');
  return key !== null && constantTimeEqual(key, adminApiKey);
}
