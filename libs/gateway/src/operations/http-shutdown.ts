import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppConfig } from '@kyc/config';
import { drainHttpServer } from '../http-server';
import { ReadinessState } from './readiness-state';

/**
 * First step of shutdown (beforeApplicationShutdown, before Nest closes anything): readiness turns
 * false, SHUTDOWN_DELAY_MS later the listener closes and the requests in flight finish (bounded by
 * SHUTDOWN_TIMEOUT_MS); only then do the database and Redis close (onApplicationShutdown).
 */
@Injectable()
export class HttpShutdown implements BeforeApplicationShutdown {
  private readonly logger = new Logger(HttpShutdown.name);

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly readiness: ReadinessState,
    private readonly config: AppConfig,
  ) {}

  async beforeApplicationShutdown(): Promise<void> {
    this.readiness.beforeApplicationShutdown();
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    if (!server?.listening) return;
    const { SHUTDOWN_DELAY_MS, SHUTDOWN_TIMEOUT_MS } = this.config.env;
    if (SHUTDOWN_DELAY_MS > 0) await sleep(SHUTDOWN_DELAY_MS);
    const started = Date.now();
    await drainHttpServer(server, SHUTDOWN_TIMEOUT_MS);
    this.logger.log(`HTTP server drained in ${Date.now() - started} ms`);
  }
}
