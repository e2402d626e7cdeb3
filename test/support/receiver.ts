import { createServer, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { recordDeliveredEvent } from '@kyc/testing';

export interface ReceivedDelivery {
  at: number;
  eventId: string;
  body: Record<string, unknown>;
  signatureValid: boolean;
  status: number;
}

/**
 * A local HTTP subscriber: verifies each request's Standard Webhooks signature and answers with
 * the next status of `statuses` (the last one repeats), after `delayMs`.
 */
export class Receiver {
  readonly received: ReceivedDelivery[] = [];
  /** Requests that have arrived, answered or not yet. */
  arrived = 0;
  private server: Server | undefined;
  secret = '';
  /** Headers of every answer, e.g. `retry-after`. */
  headers: Record<string, string> = {};

  constructor(
    private statuses: number[] = [200],
    /** Time taken to answer; may be changed between requests. */
    public delayMs = 0,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/hook`;
  }

  async start(): Promise<this> {
    this.server = createServer((request, response) => void this.handle(request).then((status) => response.writeHead(status, this.headers).end()));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  eventIds(): string[] {
    return this.received.filter((delivery) => delivery.status < 300).map((delivery) => delivery.eventId);
  }

  private async handle(request: IncomingMessage): Promise<number> {
    this.arrived++;
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let signatureValid = false;
    try {
      new Webhook(this.secret).verify(raw, request.headers as Record<string, string>);
      signatureValid = true;
    } catch {
      signatureValid = false;
    }
    const status = this.statuses.length > 1 ? this.statuses.shift()! : this.statuses[0];
    if (this.delayMs) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    const body = JSON.parse(raw) as Record<string, unknown>;
    recordDeliveredEvent('http', body);
    this.received.push({ at: Date.now(), eventId: String(request.headers['webhook-id']), body, signatureValid, status });
    return status;
  }
}
