import { ExecutionContext, HttpException, HttpStatus, Injectable, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import type { Request } from 'express';
import { AppConfig } from '@kyc/config';

/** The throttling key of a client: one budget over the whole admin API and the queue dashboard. */
export function adminBudgetKey(tracker: string): string {
  return `admin:${tracker}`;
}

/**
 * Rate limit of the admin API, per client IP over all admin routes (ADMIN_RATE_LIMIT_PER_MINUTE).
 * Registered as a global guard so it runs before each controller's AdminAuthGuard (failed keys
 * count too, which slows guessing) and covers every admin controller; everything outside
 * `/admin` (the webhook ingress above all) is never limited. Counts are per gateway instance.
 */
@Injectable()
export class AdminThrottlerGuard extends ThrottlerGuard {
  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    const path = context.switchToHttp().getRequest<Request>().path;
    return !(path === '/admin' || path.startsWith('/admin/'));
  }

  protected override async throwThrottlingException(): Promise<void> {
    throw new HttpException({ statusCode: 429, error: 'Too Many Requests', message: 'too many admin API requests, retry later' }, HttpStatus.TOO_MANY_REQUESTS);
  }
}

@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        throttlers: [{ ttl: 60_000, limit: config.env.ADMIN_RATE_LIMIT_PER_MINUTE }],
        // One budget per client over the whole admin API (the default is one per route).
        generateKey: (_context: ExecutionContext, tracker: string) => adminBudgetKey(tracker),
      }),
    }),
  ],
  providers: [{ provide: APP_GUARD, useClass: AdminThrottlerGuard }],
})
export class AdminRateLimitModule {}
