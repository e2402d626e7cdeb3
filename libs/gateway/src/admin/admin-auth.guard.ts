import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AppConfig } from '@kyc/config';
import { constantTimeEqual } from '@kyc/core';

/** True when the Authorization header is `Bearer <key>` (scheme case-insensitive, RFC 7235). */
export function hasAdminKey(authorization: string | undefined, adminApiKey: string): boolean {
  const match = /^Bearer +(\S+) *$/i.exec(authorization ?? '');
  // Constant time, so the key cannot be guessed byte by byte from response times.
  return match !== null && constantTimeEqual(match[1], adminApiKey);
}

/** Every admin route requires `Authorization: Bearer <ADMIN_API_KEY>`. */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  constructor(private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    if (hasAdminKey(http.getRequest<Request>().headers.authorization, this.config.adminApiKey)) return true;
    http.getResponse<Response>().setHeader('WWW-Authenticate', 'Bearer');
    throw new UnauthorizedException('missing or invalid admin API key');
  }
}
