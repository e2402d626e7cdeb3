import { ExecutionContext, HttpException, HttpStatus, Injectable, Module } from '@nestjs/common';
import { GUARDS_METADATA } from '@nestjs/common/constants';
import { APP_GUARD, Reflector } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule, ThrottlerStorage } from '@nestjs/throttler';
// Not re-exported by the package: the normalisation its own getTracker applies.
import { normalizeIp } from '@nestjs/throttler/dist/ip';
import type { Request } from 'express';
import { AppConfig } from '@kyc/config';
import { AdminAuthGuard } from './admin-auth.guard';

/** The throttling key of a client: one budget over the whole admin API and the queue dashboard. */
export function adminBudgetKey(tracker: string): string {
  return `admin:${tracker}`;
}

/**
 * Who a request comes from, for the budget: its IP (X-Forwarded-For only from TRUST_PROXY), an
 * IPv6 client by its /64 as the throttler does, so the dashboard counts exactly as the API does.
 */
export function adminTracker(request: Pick<Request, 'ip'>): string {
  return normalizeIp(request.ip ?? 'unknown');
}

export const TOO_MANY_ADMIN_REQUESTS = { statusCode: 429, error: 'Too Many Requests', message: 'too many admin API requests, retry later' } as const;

/**
 * Count one request against its client's admin budget, outside the guard: the queue dashboard,
 * and /metrics and /docs whenever they take the admin key (else they would be a way to guess it
 * at full speed). True when the client is over budget: answer 429.
 */
export async function spendAdminBudget(storage: ThrottlerStorage, config: AppConfig, request: Pick<Request, 'ip'>): Promise<boolean> {
  const limit = config.env.ADMIN_RATE_LIMIT_PER_MINUTE;
  return (await storage.increment(adminBudgetKey(adminTracker(request)), 60_000, limit, 60_000, 'default')).isBlocked;
}

/**
 * True for `/admin` and everything below it, in any letter case: Express routes case-insensitively,
 * so `/ADMIN/events` reaches the same controller and must count against the same budget.
 */
export function isAdminPath(path: string): boolean {
  const lower = path.toLowerCase();
  return lower === '/admin' || lower.startsWith('/admin/');
}

/** A route guarded by the admin key is limited whatever its path (the route's own metadata, not the URL's spelling). */
function requiresAdminKey(reflector: Reflector, context: ExecutionContext): boolean {
  const guards = reflector.getAllAndMerge<unknown[]>(GUARDS_METADATA, [context.getHandler(), context.getClass()]);
  return guards.includes(AdminAuthGuard);
}

/**
 * Rate limit of the admin API, per client IP over all admin routes (ADMIN_RATE_LIMIT_PER_MINUTE).
 * Registered as a global guard so it runs before each controller's AdminAuthGuard (failed keys
 * count too, which slows guessing) and covers every admin controller; everything outside
 * `/admin` (the webhook ingress above all) is never limited. Counts are per gateway instance.
 */
@Injectable()
export class AdminThrottlerGuard extends ThrottlerGuard {
  protected override getTracker(request: Request): Promise<string> {
    return Promise.resolve(adminTracker(request));
  }

  protected override shouldSkip(context: ExecutionContext): Promise<boolean> {
    return Promise.resolve(!(isAdminPath(context.switchToHttp().getRequest<Request>().path) || requiresAdminKey(this.reflector, context)));
  }

  protected override throwThrottlingException(): Promise<void> {
    return Promise.reject(new HttpException(TOO_MANY_ADMIN_REQUESTS, HttpStatus.TOO_MANY_REQUESTS));
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
