import { createServer, Server } from 'node:http';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '@kyc/config';
import { hasMetricsAccess } from './metrics-access';
import { MetricsService } from './metrics.service';

/**
 * The worker has no HTTP server: with METRICS_PORT set, a bare node:http server answers
 * `GET /metrics` on that port, on METRICS_HOST (loopback unless opened), behind METRICS_TOKEN
 * like the gateway's.
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
      if (!hasMetricsAccess(request.headers.authorization, this.config)) return void response.writeHead(401, { 'www-authenticate': 'Bearer' }).end();
      this.metrics
        .render()
        .then((text) => response.writeHead(200, { 'content-type': this.metrics.contentType }).end(text))
        .catch(() => response.writeHead(500).end());
    });
    const host = this.config.env.METRICS_HOST;
    await new Promise<void>((resolve, reject) => this.server!.once('error', reject).listen(port, host, resolve));
    this.logger.log(`metrics on http://${host.includes(':') ? `[${host}]` : host}:${port}/metrics`);
  }

  async onApplicationShutdown(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => (this.server ? this.server.close(resolve) : resolve(undefined)));
  }
}
