import { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';

/**
 * A background pass every process runs on a timer (outbox relay, reconciler, retention): at most
 * one pass at a time, never throwing into the timer, and shutdown waits for the pass in progress.
 */
export abstract class PeriodicTask implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private stopped = false;

  /** Time between passes. */
  protected abstract get intervalMs(): number;

  /** One scheduled pass; returns how many items it handled. */
  protected abstract scheduledPass(): Promise<number>;

  /** Delay before the first pass (default: one interval). */
  protected get firstDelayMs(): number {
    return this.intervalMs;
  }

  onApplicationBootstrap(): void {
    const tick = (delay: number) => {
      this.timer = setTimeout(() => {
        void this.exclusive(() => this.scheduledPass())
          .catch(() => undefined)
          .finally(() => !this.stopped && tick(this.intervalMs));
      }, delay);
      this.timer.unref();
    };
    tick(this.firstDelayMs);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Run `pass` unless one is running, in which case join that one. */
  protected exclusive(pass: () => Promise<number>): Promise<number> {
    this.running ??= pass().finally(() => (this.running = undefined));
    return this.running;
  }
}
