import { INestApplication, LogLevel } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ThrottlerStorage } from '@nestjs/throttler';
import helmet from 'helmet';
import { AppConfig, trustedProxies } from '@kyc/config';
import { hasMetricsAccess, metricsNeedToken, useAppLogger } from '@kyc/observability';
import { spendAdminBudget, TOO_MANY_ADMIN_REQUESTS } from './admin/admin-rate-limit';
import { ADMIN_BEARER, ApiErrorDto, adminDocument } from './admin/api-docs';
import { CONSOLE_CSP_DIRECTIVES } from './console/console-assets';
import { configureHttpServer } from './http-server';
import { IngressHttpHandler } from './ingress/ingress-http.handler';

/**
 * Create the HTTP application. Nest's body parser is off: the ingress reads raw bytes itself
 * (signatures are verified on exactly what was sent), with its own size limit. Logs go to pino;
 * `logger` (Nest's levels, or false) lowers or silences them, as tests do.
 */
export async function createHttpApp(rootModule: unknown, logger?: LogLevel[] | false): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(rootModule as never, { bodyParser: false, bufferLogs: true });
  useAppLogger(app, logger);
  configureHttpApp(app);
  return app;
}

/** Everything HTTP-level that main, the all-in-one process and the tests share. */
export function configureHttpApp(app: NestExpressApplication): void {
  const config = app.get(AppConfig);
  configureHttpServer(app.getHttpServer(), config.env);
  // request.ip (rate limit, refusal records, logs) comes from X-Forwarded-For only when the peer is a named proxy.
  app.set('trust proxy', config.env.TRUST_PROXY === undefined ? false : trustedProxies(config.env.TRUST_PROXY));
  app.disable('x-powered-by');
  // Mounted now, before Nest adds its middleware and router at init, so webhooks go first.
  app.use('/webhooks', app.get(IngressHttpHandler).middleware);
  // Browser-facing security headers where a browser may come (admin API, dashboard, docs). The
  // CSP allows the inline styles of Swagger UI and Bull Board; no upgrade to https, since the
  // gateway is often reached over plain HTTP inside a private network.
  app.use(['/admin', '/docs', '/docs-json'], helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }));
  // The console is the repo's own files: its policy allows nothing inline and nothing from elsewhere.
  app.use('/console', helmet({ contentSecurityPolicy: { useDefaults: false, directives: CONSOLE_CSP_DIRECTIVES } }));
  // The OpenAPI document maps the whole admin surface: behind METRICS_TOKEN or the admin key in
  // production (or whenever METRICS_TOKEN is set), as /metrics is. Mounted before Swagger's routes.
  app.use(['/docs', '/docs-json'], docsAccess(config, app.get(ThrottlerStorage)));
  setUpDocs(app);
}

function docsAccess(config: AppConfig, storage: ThrottlerStorage) {
  return async (request: Request, response: Response, next: NextFunction): Promise<void> => {
    if (!metricsNeedToken(config)) return next();
    // It takes the admin key: counted in the admin budget, so it is no faster way to guess it.
    if (await spendAdminBudget(storage, config, request)) return void response.status(429).json(TOO_MANY_ADMIN_REQUESTS);
    if (hasMetricsAccess(request.headers.authorization, config)) return next();
    // Basic, so that a browser asks for the token (as the password) and resends it with the assets.
    response.status(401).set('WWW-Authenticate', 'Basic realm="kyc-gateway docs", charset="UTF-8"').json({ statusCode: 401, error: 'Unauthorized', message: 'missing or invalid metrics token' });
  };
}

function setUpDocs(app: NestExpressApplication): void {
  const config = new DocumentBuilder()
    .setTitle('KYC webhook gateway: admin API')
    .setVersion('1')
    .setDescription(
      'Manage provider connections and subscribers, inspect events, deliveries and refused requests, replay and retry. ' +
        'Every route needs `Authorization: Bearer <ADMIN_API_KEY>`; lists are paginated with `limit` and `cursor` and return `{data, nextCursor}`. ' +
        'Errors are `{statusCode, error, message}` (validation failures add `fields`). The queue dashboard is at /admin/queues.',
    )
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'ADMIN_API_KEY' }, ADMIN_BEARER)
    .build();
  // Built lazily, on the first request for it: routes are only all known once the app is set up.
  let document: ReturnType<typeof adminDocument> | undefined;
  SwaggerModule.setup('docs', app, () => (document ??= adminDocument(SwaggerModule.createDocument(app, config, { extraModels: [ApiErrorDto] }))), {
    jsonDocumentUrl: 'docs-json',
    raw: ['json'],
    customSiteTitle: 'KYC gateway admin API',
  });
}
