import { CanActivate, Controller, ExecutionContext, Get, Injectable, Res, UnauthorizedException, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AppConfig } from '@kyc/config';
import { hasMetricsAccess, MetricsService } from '@kyc/observability';

/** METRICS_TOKEN (or the admin key) when one is set, and always in production. */
@Injectable()
export class MetricsAccessGuard implements CanActivate {
  constructor(private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    if (hasMetricsAccess(http.getRequest<Request>().headers.authorization, this.config)) return true;
    http.getResponse<Response>().setHeader('WWW-Authenticate', 'Bearer');
    throw new UnauthorizedException('missing or invalid metrics token');
  }
}

/**
 * Prometheus scrape endpoint. It shows no personal data, but subscriber names and volumes: set
 * METRICS_TOKEN (required in production, or the admin key) and keep it on the private network.
 */
@Controller('metrics')
@UseGuards(MetricsAccessGuard)
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  async scrape(@Res({ passthrough: true }) response: Response): Promise<string> {
    const text = await this.metrics.render();
    response.setHeader('Content-Type', this.metrics.contentType);
    return text;
  }
}
