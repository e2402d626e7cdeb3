import { createServer, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/**
 * A local HTTP subscriber that verifies each Standard Webhooks signature and answers 500 to a
 * share of the requests (at random), 204 to the others. Only counts are kept, so thousands of
 * deliveries cost little memory.
 */
export class FlakyReceiver {
  private server: Server | undefined;
  private verifier: Webhook | undefined;
  /** Successful deliveries per event id (more than 1 = a duplicate seen by this subscriber). */
  readonly delivered = new Map<string, number>();
  requests = 0;
  failedOnPurpose = 0;
  invalidSignatures = 0;
  /** Event ids of successful deliveries whose body `id` differed from `webhook-id`. */
  mismatchedIds = 0;

  constructor(private readonly failureRate: number) {}

  set secret(secret: string) {
    this.verifier = new Webhook(secret);
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/kyc`;
  }

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      this.handle(request).then(
        (status) => response.writeHead(status).end(),
        () => response.writeHead(400).end(),
      );
    });
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  get successful(): number {
    let total = 0;
    for (const count of this.delivered.values()) total += count;
    return total;
  }

  private async handle(request: IncomingMessage): Promise<number> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    this.requests++;
    try {
      this.verifier!.verify(raw, request.headers as Record<string, string>);
    } catch {
      this.invalidSignatures++;
      return 400;
    }
    if (Math.random() < this.failureRate) {
      this.failedOnPurpose++;
      return 500;
    }
    const eventId = String(request.headers['webhook-id']);
    if ((JSON.parse(raw) as { id?: string }).id !== eventId) this.mismatchedIds++;
    this.delivered.set(eventId, (this.delivered.get(eventId) ?? 0) + 1);
    return 204;
  }
}
