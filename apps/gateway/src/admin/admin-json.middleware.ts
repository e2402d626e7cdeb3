import { BadRequestException, Injectable, NestMiddleware, PayloadTooLargeException, UnsupportedMediaTypeException } from '@nestjs/common';
import { json, NextFunction, Request, Response } from 'express';
import { AppConfig } from '@kyc/config';
import { MAX_JSON_DEPTH, nestedDeeperThan } from '@kyc/core';
import { hasAdminKey } from './admin-auth.guard';

const parseJson = json({ limit: '1mb' });

/**
 * JSON bodies for `/admin` only: Nest's body parser is off globally because the ingress must see
 * raw bytes. Parser failures become Nest errors here (this runs inside Nest's exception handling),
 * with fixed messages: a JSON syntax error would echo part of the body, which may hold secrets.
 */
@Injectable()
export class AdminJsonMiddleware implements NestMiddleware {
  constructor(private readonly config: AppConfig) {}

  async use(request: Request, response: Response, next: NextFunction): Promise<void> {
    // Anonymous requests get their 401 from the guard; their bodies are not worth parsing.
    if (hasAdminKey(request.headers.authorization, this.config.adminApiKey)) {
      await new Promise<void>((resolve, reject) => parseJson(request, response, (error?: unknown) => (error ? reject(toHttpError(error)) : resolve())));
      if (request.body === undefined && hasBody(request)) throw new UnsupportedMediaTypeException('the admin API takes JSON (content-type: application/json)');
      if (Array.isArray(request.body)) throw new BadRequestException('the body must be a JSON object');
      // The ValidationPipe and class-transformer walk bodies recursively: far deeper would be a 500.
      if (nestedDeeperThan(request.body, MAX_JSON_DEPTH)) throw new BadRequestException(`the body is nested deeper than ${MAX_JSON_DEPTH} levels`);
    }
    next();
  }
}

function hasBody(request: Request): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

function toHttpError(error: unknown): unknown {
  switch ((error as { type?: unknown }).type) {
    case 'entity.parse.failed':
      return new BadRequestException('invalid JSON body');
    case 'entity.too.large':
      return new PayloadTooLargeException('body larger than 1mb');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new UnsupportedMediaTypeException('unsupported content encoding or charset');
    case 'request.aborted':
    case 'request.size.invalid':
      return new BadRequestException('incomplete body');
    default:
      return error;
  }
}
