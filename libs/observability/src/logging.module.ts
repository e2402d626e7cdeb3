import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DynamicModule, INestApplicationContext, LogLevel, Module, RequestMethod } from '@nestjs/common';
import { Logger as NestPinoLogger, LoggerModule, Params } from 'nestjs-pino';
import pino, { DestinationStream, Logger as Pino, LevelWithSilent } from 'pino';
import { AppConfig } from '@kyc/config';
import { SIGNATURE_HEADERS } from '@kyc/providers';

/** The process's root pino logger (injection token), whose level createHttpApp may lower for tests. */
export const ROOT_LOGGER = 'KYC_ROOT_LOGGER';

export interface LoggingOptions {
  /** Where JSON lines go; stdout by default. Tests pass a buffer to read them. */
  destination?: DestinationStream;
}

/**
 * Header values that authenticate something (every vendor's signature headers, from the
 * provider registry): never logged. Bodies are never logged at all (not
 * serialized), and URLs are logged without their query string (filters such as `applicantId`
 * and the Bull Board `?key=` live there).
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  ...SIGNATURE_HEADERS.map((header) => `req.headers["${header}"]`),
  'req.headers["webhook-signature"]',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
];

/**
 * Request headers worth logging. An allowlist, because a connection may require any custom auth
 * header (`requiredHeaders`); the redaction above still covers anything logged by other means.
 */
const LOGGED_HEADERS = ['host', 'user-agent', 'content-type', 'content-length', 'x-forwarded-for', 'x-request-id'];

/** Routes probed every few seconds: their requests are not logged. */
const QUIET_PATHS = /^\/(health(\/|$)|metrics$)/;
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function createRootLogger(config: AppConfig, destination?: DestinationStream): Pino {
  const options = {
    level: config.env.LOG_LEVEL,
    base: { pid: process.pid },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
  if (destination) return pino(options, destination);
  const pretty = config.env.NODE_ENV === 'development' && process.stdout.isTTY ? prettyTransport() : undefined;
  return pretty ? pino(options, pretty) : pino(options);
}

/** pino-pretty is a dev dependency: used when present, never required. */
function prettyTransport(): DestinationStream | undefined {
  try {
    require.resolve('pino-pretty');
    return pino.transport({
      target: 'pino-pretty',
      options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,context', messageFormat: '{if context}[{context}] {end}{msg}' },
    }) as DestinationStream;
  } catch {
    return undefined;
  }
}

function pathOf(url: string | undefined): string {
  return (url ?? '').split('?')[0];
}

/**
 * The request id: a sane incoming x-request-id (from a proxy) is kept, so one id follows a
 * request across hops; otherwise a new one. Echoed as `x-request-id`.
 */
export function requestIdFor(request: IncomingMessage, response: ServerResponse): string {
  const incoming = request.headers['x-request-id'];
  const id = typeof incoming === 'string' && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
  response.setHeader('x-request-id', id);
  return id;
}

interface LoggedRequest {
  id: unknown;
  method?: string;
  url?: string;
  headers: IncomingMessage['headers'];
  remoteAddress?: string;
}

/** Only these fields of a request are logged: no body, no query string, allowlisted headers. */
function requestFields(request: LoggedRequest) {
  return {
    id: request.id,
    method: request.method,
    url: pathOf(request.url),
    headers: Object.fromEntries(LOGGED_HEADERS.filter((name) => request.headers[name] !== undefined).map((name) => [name, request.headers[name]])),
    remoteAddress: request.remoteAddress,
  };
}

function levelFor(statusCode: number, error?: unknown): 'error' | 'warn' | 'info' {
  return error || statusCode >= 500 ? 'error' : statusCode >= 400 ? 'warn' : 'info';
}

/**
 * The completion line of a request served outside Express (the ingress fast path), the same
 * record pino-http writes for every other route.
 */
export function logRequestCompleted(logger: Pino, request: IncomingMessage, response: ServerResponse, requestId: string, startedAt: number): void {
  const record = {
    reqId: requestId,
    // Express strips a mount path from `url`; `originalUrl` keeps it.
    req: requestFields({
      id: requestId,
      method: request.method,
      url: (request as { originalUrl?: string }).originalUrl ?? request.url,
      headers: request.headers,
      remoteAddress: request.socket.remoteAddress,
    }),
    res: { statusCode: response.statusCode },
    responseTime: Math.round(performance.now() - startedAt),
  };
  logger[levelFor(response.statusCode)](record, 'request completed');
}

function httpLoggingParams(logger: Pino): Params {
  return {
    pinoHttp: {
      logger,
      genReqId: requestIdFor,
      // Lines logged while serving a request carry its id; the full request is on the completion line.
      quietReqLogger: true,
      autoLogging: { ignore: (request: IncomingMessage) => QUIET_PATHS.test(pathOf(request.url)) },
      customLogLevel: (_request, response, error) => levelFor(response.statusCode, error),
      serializers: {
        req: requestFields,
        res: (response: { statusCode: number }) => ({ statusCode: response.statusCode }),
      },
    },
    forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
  };
}

/**
 * Structured JSON logs through nestjs-pino: level from LOG_LEVEL, a request id on every line
 * logged while serving a request (echoed as `x-request-id`), secrets redacted.
 */
@Module({})
export class LoggingModule {
  static forRoot(options: LoggingOptions = {}): DynamicModule {
    const rootLogger = {
      module: RootLoggerModule,
      providers: [{ provide: ROOT_LOGGER, inject: [AppConfig], useFactory: (config: AppConfig) => createRootLogger(config, options.destination) }],
      exports: [ROOT_LOGGER],
    };
    return {
      module: LoggingModule,
      global: true,
      imports: [rootLogger, LoggerModule.forRootAsync({ imports: [rootLogger], inject: [ROOT_LOGGER], useFactory: httpLoggingParams })],
      exports: [LoggerModule, rootLogger],
    };
  }
}

/** Holds the root pino logger, for nestjs-pino and for code that logs outside it (the ingress fast path). */
@Module({})
class RootLoggerModule {}

const NEST_TO_PINO: Record<LogLevel, LevelWithSilent> = { verbose: 'trace', debug: 'debug', log: 'info', warn: 'warn', error: 'error', fatal: 'fatal' };
const PINO_ORDER: LevelWithSilent[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/**
 * Route Nest's logs (including those buffered during boot) to pino. `levels` (Nest's own option,
 * as tests pass it) lowers pino to the most verbose level listed; `false` silences it. Must run
 * before the app is initialised: the HTTP logger is derived from the root logger at init.
 */
export function useAppLogger(app: INestApplicationContext, levels?: LogLevel[] | false): void {
  if (levels !== undefined) {
    const root = app.get<Pino>(ROOT_LOGGER, { strict: false });
    const wanted = levels === false ? ['silent' as const] : levels.map((level) => NEST_TO_PINO[level]);
    root.level = PINO_ORDER.find((level) => wanted.includes(level)) ?? 'silent';
  }
  app.useLogger(app.get(NestPinoLogger));
}
