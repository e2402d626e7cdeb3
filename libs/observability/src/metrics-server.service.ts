import { createServer, Server } from 'node:http';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '@kyc/config';
import { MetricsService } from './metrics.service';

/**
 * The worker has no HTTP server: with METRICS_PORT set, a bare node:http server answers
 * `GET /metrics` on that port (unauthenticated, like the gateway's: keep it off public networks).
 */
@Injectable()
export class MetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Metrics');
  private server: Server | undefined;

  constructor(
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const port = this.config.env.METRICS_PORT;
    if (port === undefined) return;
    this.server = createServer((request, response) => {
      if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') return void response.writeHead(404).end();
      this.metrics
        .render()
        .then((text) => response.writeHead(200, { 'content-type': this.metrics.contentType }).end(text))
        .catch(() => response.writeHead(500).end());
    });
    await new Promise<void>((resolve, reject) => this.server!.once('error', reject).listen(port, resolve));
    this.logger.log(`metrics on http://localhost:${port}/metrics`);
  }

  async onApplicationShutdown(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => (this.server ? this.server.close(resolve) : resolve(undefined)));
  }
}
