import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@kyc/config';
import { PeriodicTask } from '@kyc/platform';
import { MonitoredConnection, OpsQueries } from '@kyc/persistence';
import { parseAlertOptions, type ConnectionAlertOptions } from '@kyc/providers';
import { OpsEvents } from './ops-events';

/** Stuck verifications raised per connection and pass; the rest wait for the next pass. */
const STUCK_PER_PASS = 500;

/**
 * The worker's operational checks, every OPS_CHECK_INTERVAL_MS, per enabled connection and its
 * alert options: a refusal streak (`ops.connection.refusing`), a silence
 * (`ops.connection.silent`), verifications stuck in a non-final status
 * (`ops.verification.stuck`). Every worker may run them: OpsEvents raises an episode once.
 */
@Injectable()
export class OpsMonitor extends PeriodicTask {
  private readonly logger = new Logger('Ops');
  /**
   * Per connection, the `stuckSince` bound and the time of the previous pass: a pass looks only at
   * verifications that became stuck since then (their status began between the two bounds, or an
   * event changed them meanwhile). Empty after a boot: the first pass looks at all of them.
   */
  private readonly stuckChecked = new Map<string, { stuckSince: Date; at: Date }>();

  constructor(
    private readonly config: AppConfig,
    private readonly queries: OpsQueries,
    private readonly ops: OpsEvents,
  ) {
    super();
  }

  protected get intervalMs(): number {
    return this.config.env.OPS_CHECK_INTERVAL_MS;
  }

  protected scheduledPass(): Promise<number> {
    return this.check();
  }

  private async check(): Promise<number> {
    let raised = 0;
    try {
      const now = new Date();
      for (const connection of await this.queries.enabledConnections()) {
        const alerts = alertOptionsOf(connection);
        if (!alerts) continue;
        if (alerts.refusalAlertThreshold > 0 && (await this.checkRefusals(connection, alerts.refusalAlertThreshold))) raised++;
        if (alerts.silenceAlertSeconds > 0 && (await this.checkSilence(connection, alerts.silenceAlertSeconds, now))) raised++;
        if (alerts.stuckAfterSeconds > 0) raised += await this.checkStuck(connection, alerts.stuckAfterSeconds, now);
      }
    } catch (error) {
      this.logger.warn(`operational checks stopped after raising ${raised} event(s): ${(error as Error).message}`);
    }
    return raised;
  }

  /** A streak: refusals since the connection's last webhook (or its creation); its episode is named by that start. */
  private async checkRefusals(connection: MonitoredConnection, threshold: number): Promise<boolean> {
    const start = connection.lastWebhookAt ?? connection.createdAt;
    const streak = await this.queries.refusalStreak(connection.provider, connection.name, start);
    if (!streak || streak.count < threshold) return false;
    return this.ops.raise('ops.connection.refusing', sourceOf(connection), `${scopeOf(connection)}:${start.getTime()}`, {
      reason: streak.reason,
      count: streak.count,
      since: streak.firstAt.toISOString(),
      threshold,
    });
  }

  /** Silent since its last webhook (or its creation); the episode is named by that webhook. */
  private async checkSilence(connection: MonitoredConnection, silenceAlertSeconds: number, now: Date): Promise<boolean> {
    const quietSince = connection.lastWebhookAt ?? connection.createdAt;
    if (now.getTime() - quietSince.getTime() < silenceAlertSeconds * 1_000) return false;
    return this.ops.raise('ops.connection.silent', sourceOf(connection), `${scopeOf(connection)}:${connection.lastWebhookAt?.getTime() ?? 'never'}`, {
      lastWebhookAt: connection.lastWebhookAt?.toISOString() ?? null,
      silenceAlertSeconds,
    });
  }

  /** Each stuck verification once per status held: the episode is named by the verification, its status and since when. */
  private async checkStuck(connection: MonitoredConnection, stuckAfterSeconds: number, now: Date): Promise<number> {
    const scope = scopeOf(connection);
    const stuckSince = new Date(now.getTime() - stuckAfterSeconds * 1_000);
    const previous = this.stuckChecked.get(scope) ?? { stuckSince: new Date(0), at: new Date(0) };
    const stuck = await this.queries.stuckVerifications(connection.provider, connection.name, { stuckSince, sinceAfter: previous.stuckSince, updatedAfter: previous.at }, STUCK_PER_PASS);
    let raised = 0;
    for (const verification of stuck) {
      const episode = `${verification.id}:${verification.status}:${verification.statusSince.getTime()}`;
      const details = { verificationId: verification.id, status: verification.status, since: verification.statusSince.toISOString(), stuckAfterSeconds };
      if (await this.ops.raise('ops.verification.stuck', sourceOf(connection), episode, details)) raised++;
    }
    // A full page may have left some out: start the next pass from the last one raised.
    const last = stuck.at(-1);
    this.stuckChecked.set(scope, stuck.length === STUCK_PER_PASS && last ? { stuckSince: new Date(last.statusSince.getTime() - 1), at: previous.at } : { stuckSince, at: now });
    return raised;
  }
}

/** Stored options were validated when written; should they no longer parse, the connection is not checked. */
function alertOptionsOf(connection: MonitoredConnection): ConnectionAlertOptions | null {
  try {
    return parseAlertOptions(connection.options);
  } catch {
    return null;
  }
}

function scopeOf(connection: MonitoredConnection): string {
  return `${connection.provider}/${connection.name}`;
}

function sourceOf(connection: MonitoredConnection): { provider: string; connection: string } {
  return { provider: connection.provider, connection: connection.name };
}
