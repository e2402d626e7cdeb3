import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventVerifier } from '@complycube/api';
import { WebhookRejection } from '@kyc/core';
import { authenticateWith, inboundWebhook, recognizes, TEST_EVENT_ID_DIGEST } from '@kyc/testing';
import type { ConnectionCredentials } from './provider.interface';
import { PROVIDERS } from './registry';

/**
 * The vendors' own sample payloads and test vectors (`<vendor>/fixtures/*.json`, sources in
 * `fixtures/README.md`), each a literal request with the exact normalized event it must give.
 * Dedup digests are keyed with the fixed test key (TEST_EVENT_ID_DIGEST), as the ingress keys them
 * with one derived from SECRETS_KEY.
 */
interface Fixture {
  source: string;
  connection: { secrets: Record<string, string>; options: Record<string, unknown> };
  request: { receivedAt: string; headers: Record<string, string>; body: string };
  /** Allpass: what `data` decrypts to. */
  plaintext?: Record<string, unknown>;
  /** Values of the body that must never reach the normalized event. */
  personalData?: string[];
  expected: Record<string, unknown> & { rejection?: { status: number; reason: string } };
}

const fixturesOf = (vendor: string): Array<[string, Fixture]> => {
  const folder = join(__dirname, vendor, 'fixtures');
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => [file, JSON.parse(readFileSync(join(folder, file), 'utf8')) as Fixture]);
};

const CASES = PROVIDERS.flatMap((provider) => fixturesOf(provider.name).map(([file, fixture]) => [`${provider.name}/${file}`, provider, fixture] as const));

describe("golden fixtures from the vendors' own samples", () => {
  it.each(PROVIDERS.map((provider) => [provider.name]))('%s has golden fixtures', (vendor) => {
    expect(fixturesOf(vendor).length).toBeGreaterThan(0);
  });

  it.each(CASES)('%s', (_name, provider, fixture) => {
    expect(fixture.source).toEqual(expect.any(String));
    const { receivedAt, headers, body } = fixture.request;
    const webhook = { ...inboundWebhook(body, headers, new Date(receivedAt)), eventIdDigest: TEST_EVENT_ID_DIGEST };
    const credentials: ConnectionCredentials = { secrets: fixture.connection.secrets, options: provider.parseOptions(fixture.connection.options) };
    expect(recognizes(provider, webhook)).toBe(true);

    if (fixture.expected.rejection) {
      let refusal: unknown;
      try {
        authenticateWith(provider, webhook, credentials);
      } catch (error) {
        refusal = error;
      }
      expect(refusal).toBeInstanceOf(WebhookRejection);
      const { status, reason } = refusal as WebhookRejection;
      expect({ status, reason }).toStrictEqual(fixture.expected.rejection);
      return;
    }

    const decoded = authenticateWith(provider, webhook, credentials);
    if (fixture.plaintext) expect(decoded.payload).toStrictEqual(fixture.plaintext);
    const event = provider.normalize(decoded);
    const actual = {
      providerEventId: decoded.providerEventId,
      providerEventType: decoded.providerEventType,
      type: event.type,
      status: event.status,
      subject: event.subject,
      occurredAt: event.occurredAt ?? receivedAt,
      details: event.details,
    };
    expect(actual).toStrictEqual(fixture.expected);
    for (const value of fixture.personalData ?? []) {
      expect(body).toContain(value); // the sample does carry it...
      expect(JSON.stringify(actual)).not.toContain(value); // ...and the event never does
    }
  });

  it('the ComplyCube fixtures are signed as the official SDK (@complycube/api EventVerifier) checks', () => {
    for (const [file, fixture] of fixturesOf('complycube')) {
      const verifier = new EventVerifier(fixture.connection.secrets.webhookSecret);
      expect({ file, event: verifier.constructEvent(fixture.request.body, fixture.request.headers['complycube-signature']) }).toStrictEqual({ file, event: JSON.parse(fixture.request.body) });
    }
  });
});
