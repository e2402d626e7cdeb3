import { Injectable } from '@nestjs/common';
import { OverviewQueries } from '@kyc/persistence';
import { OVERVIEW_MINUTES, OverviewDto, ProviderSeriesDto, REFUSALS_WINDOW_MS } from './overview.dto';

const MINUTE_MS = 60_000;

/** Code-unit order, the same whatever the database's collation. */
const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The console's overview: a handful of aggregate queries, each bounded by an index (OverviewQueries). */
@Injectable()
export class OverviewService {
  constructor(private readonly queries: OverviewQueries) {}

  async overview(now = new Date()): Promise<OverviewDto> {
    // Whole minutes, as the rows are grouped: the current one (still filling) is the last.
    const currentMinute = Math.floor(now.getTime() / MINUTE_MS);
    const firstMinute = currentMinute - OVERVIEW_MINUTES + 1;
    const [perMinute, refusals, deliveries, paused, connections] = await Promise.all([
      this.queries.webhooksPerMinute(new Date(firstMinute * MINUTE_MS), new Date((currentMinute + 1) * MINUTE_MS)),
      this.queries.refusalsByReason(new Date(now.getTime() - REFUSALS_WINDOW_MS)),
      this.queries.deliveryBacklog(),
      this.queries.pausedSubscribers(),
      this.queries.connectionActivity(),
    ]);
    const series = new Map<string, number[]>();
    for (const { provider, minute, count } of perMinute) {
      const index = minute - firstMinute;
      if (index < 0 || index >= OVERVIEW_MINUTES) continue;
      const counts = series.get(provider) ?? new Array<number>(OVERVIEW_MINUTES).fill(0);
      counts[index] += count;
      series.set(provider, counts);
    }
    return {
      generatedAt: now.toISOString(),
      webhooksPerMinute: {
        from: new Date(firstMinute * MINUTE_MS).toISOString(),
        minutes: OVERVIEW_MINUTES,
        series: [...series.entries()].sort(([a], [b]) => byText(a, b)).map(([provider, counts]): ProviderSeriesDto => ({ provider, counts })),
      },
      refusalsByReason: refusals,
      deliveries,
      pausedSubscribers: paused.sort((a, b) => byText(a.name, b.name)).map(({ id, name, disabledReason, disabledAt }) => ({ id, name, disabledReason, disabledAt: disabledAt?.toISOString() ?? null })),
      connections: connections
        .sort((a, b) => byText(a.provider, b.provider) || byText(a.name, b.name))
        .map(({ id, provider, name, enabled, lastWebhookAt }) => ({ id, provider, name, enabled, lastWebhookAt: lastWebhookAt?.toISOString() ?? null })),
    };
  }
}
