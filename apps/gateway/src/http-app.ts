import { INestApplication, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';

/**
 * Create the HTTP application. Nest's body parser is off: the ingress reads raw bytes itself
 * (signatures are verified on exactly what was sent), with its own size limit.
 */
export async function createHttpApp(rootModule: unknown, logger?: LogLevel[] | false): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(rootModule as never, { bodyParser: false, ...(logger === undefined ? {} : { logger }) });
  app.set('trust proxy', 'loopback, linklocal, uniquelocal');
  app.disable('x-powered-by');
  return app;
}
