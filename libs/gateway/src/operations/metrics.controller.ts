import { CanActivate, Controller, ExecutionContext, Get, HttpException, HttpStatus, Inject, Injectable, Res, UnauthorizedException, UseGuards } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { AppConfig } from '@kyc/config';
import { hasMetricsAccess, metricsNeedToken, MetricsService } from '@kyc/observability';
import { spendAdminBudget, TOO_MANY_ADMIN_REQUESTS } from '../admin/admin-rate-limit';

/** METRICS_TOKEN (or the admin key) when one is set, and always in production; then counted in the admin budget. */
@Injectable()
export class MetricsAccessGuard implements CanActivate {
  constructor(
    private readonly config: AppConfig,
    // ThrottlerStorage is an interface and a token of the same name: named explicitly.
    @Inject(ThrottlerStorage) private readonly storage: ThrottlerStorage,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    if (!metricsNeedToken(this.config)) return true;
    if (await spendAdminBudget(this.storage, this.config, request)) throw new HttpException(TOO_MANY_ADMIN_REQUESTS, HttpStatus.TOO_MANY_REQUESTS);
    if (hasMetricsAccess(request.headers.authorization, this.config)) return true;
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
