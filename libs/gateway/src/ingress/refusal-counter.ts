const MINUTE_MS = 60_000;

export interface RefusalCounterOptions {
  /** Refusals of one source in one minute past which it gets 429 until the minute ends. */
  limitPerMinute: number;
  /** Refusals of one source logged on a line of their own each minute. */
  logPerSource: number;
  /** Refusals logged on a line of their own each minute, all sources together. */
  logPerMinute: number;
  /** Sources counted at once (bounded memory); sources beyond are neither limited nor logged alone. */
  maxSources: number;
}

export const DEFAULT_REFUSAL_COUNTER_OPTIONS: Omit<RefusalCounterOptions, 'limitPerMinute'> = { logPerSource: 10, logPerMinute: 100, maxSources: 10_000 };

/** What a minute's refusals left out of the log: one summary line instead of a flood. */
export interface RefusalMinuteSummary {
  /** Start of the minute. */
  minute: Date;
  refused: number;
  unlogged: number;
  /** Sources over the limit that minute, the most refused first (at most 5). */
  throttled: Array<{ source: string; refused: number }>;
}

/**
 * Refusals per source IP in the current clock minute: which sources get 429 (only refusals count,
 * accepted webhooks never do) and which refusals get a log line of their own. Fixed windows: a
 * source over the limit is answered 429 until the minute ends, then starts again from zero.
 */
export class RefusalCounter {
  private minute = -1;
  private bySource = new Map<string, number>();
  private refused = 0;
  private logged = 0;

  constructor(private readonly options: RefusalCounterOptions) {}

  get limitPerMinute(): number {
    return this.options.limitPerMinute;
  }

  /** Whether `source` is over the limit in the minute of `now`. */
  isThrottled(source: string | undefined, now: number): boolean {
    if (source === undefined || Math.floor(now / MINUTE_MS) !== this.minute) return false;
    return (this.bySource.get(source) ?? 0) > this.options.limitPerMinute;
  }

  /**
   * Count a refusal. `log`: it deserves a line of its own; `throttledNow`: this very refusal put its
   * source over the limit. `summary`: the previous minute ended with refusals left out of the log.
   */
  count(source: string | undefined, now: number): { log: boolean; throttledNow: boolean; summary?: RefusalMinuteSummary } {
    const summary = this.rollOver(now);
    this.refused++;
    let ofSource: number | undefined;
    if (source !== undefined && (this.bySource.has(source) || this.bySource.size < this.options.maxSources)) {
      ofSource = (this.bySource.get(source) ?? 0) + 1;
      this.bySource.set(source, ofSource);
    }
    const log = ofSource !== undefined && ofSource <= this.options.logPerSource && this.logged < this.options.logPerMinute;
    if (log) this.logged++;
    return { log, throttledNow: ofSource === this.options.limitPerMinute + 1, summary };
  }

  /** Start the minute of `now` if it is a new one; returns the summary of the one that ended, if anything went unlogged. */
  rollOver(now: number): RefusalMinuteSummary | undefined {
    const minute = Math.floor(now / MINUTE_MS);
    if (minute === this.minute) return undefined;
    const summary: RefusalMinuteSummary | undefined =
      this.refused > this.logged
        ? {
            minute: new Date(this.minute * MINUTE_MS),
            refused: this.refused,
            unlogged: this.refused - this.logged,
            throttled: [...this.bySource]
              .filter(([, refused]) => refused > this.options.limitPerMinute)
              .sort((a, b) => b[1] - a[1])
              .slice(0, 5)
              .map(([source, refused]) => ({ source, refused })),
          }
        : undefined;
    this.minute = minute;
    this.bySource = new Map();
    this.refused = 0;
    this.logged = 0;
    return summary;
  }
}
