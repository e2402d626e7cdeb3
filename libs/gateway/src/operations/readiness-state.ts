import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';

/**
 * Readiness turns false as soon as shutdown starts, before the HTTP server stops accepting: a load
 * balancer polling /health/ready takes the instance out while it still answers.
 */
@Injectable()
export class ReadinessState implements BeforeApplicationShutdown {
  private stopping = false;

  get shuttingDown(): boolean {
    return this.stopping;
  }

  beforeApplicationShutdown(): void {
    this.stopping = true;
  }
}
