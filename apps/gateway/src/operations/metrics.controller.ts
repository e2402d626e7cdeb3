import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import { MetricsService } from '@kyc/observability';

/**
 * Prometheus scrape endpoint. Unauthenticated like the health probes: it shows no personal data,
 * but subscriber names and volumes, so keep it on the private network (do not route it publicly).
 */
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  async scrape(@Res({ passthrough: true }) response: Response): Promise<string> {
    const text = await this.metrics.render();
    response.setHeader('Content-Type', this.metrics.contentType);
    return text;
  }
}
