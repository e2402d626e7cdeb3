import { AppConfig } from '@kyc/config';
import { constantTimeEqual } from '@kyc/core';

/**
 * Whether /metrics (and, in the gateway, /docs) must be asked for with a token: when METRICS_TOKEN
 * is set, and always in production (then the admin key opens it when no token is set).
 */
export function metricsNeedToken(config: AppConfig): boolean {
  return config.env.METRICS_TOKEN !== undefined || config.isProduction;
}

/**
 * True when the request may read /metrics: no token needed, or `Authorization` carries
 * METRICS_TOKEN or the admin key, as a bearer token or as a basic-auth password (a browser opening
 * /docs can only send the latter). Both are compared in constant time, both always.
 */
export function hasMetricsAccess(authorization: string | undefined, config: AppConfig): boolean {
  if (!metricsNeedToken(config)) return true;
  const presented = presentedToken(authorization ?? '');
  if (presented === undefined) return false;
  const token = config.env.METRICS_TOKEN;
  const byToken = token !== undefined && constantTimeEqual(presented, token);
  const byAdminKey = constantTimeEqual(presented, config.adminApiKey);
  return byToken || byAdminKey;
}

function presentedToken(authorization: string): string | undefined {
  const bearer = /^Bearer +(\S+) *$/i.exec(authorization);
  if (bearer) return bearer[1];
  const basic = /^Basic +([A-Za-z0-9+/=]+) *$/i.exec(authorization);
  if (!basic) return undefined;
  const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
  return decoded.slice(decoded.indexOf(':') + 1);
}
