import { createDecipheriv, randomBytes } from 'node:crypto';
import { AppConfig } from '@kyc/config';
import { ConnectionStore } from '@kyc/persistence';
import { findProvider } from '@kyc/providers';
import { createTestDatabase, testConfig, TestDatabase } from '@kyc/testing';
import { ConnectionCache } from '@kyc/gateway';
import { startTestApp, TestApp } from './support/test-app';

const allpass = findProvider('allpass')!;

/**
 * The padding-oracle attack on an Allpass AES-256-CBC connection without an HMAC key, as an
 * attacker runs it: over HTTP, with one captured webhook and no key. Issue 10 measured the full
 * attack (a 116-byte webhook decrypted in about 33,000 requests, then a chosen `applicantApproved`
 * encrypted and accepted); the 256 requests on the last byte of one block here are its first step,
 * and enough to show whether the answers leak the padding.
 */
describe('Allpass CBC padding oracle', () => {
  let database: TestDatabase;
  let config: AppConfig;
  let gateway: TestApp;

  beforeAll(async () => {
    // The attack is about the answers, not the storage: one database kind is enough.
    database = await createTestDatabase('sqlite');
    config = testConfig({ DATABASE_URL: database.url });
    gateway = await startTestApp(config);
  });

  afterAll(async () => {
    await gateway?.close();
    await database?.drop();
  });

  async function admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${gateway.url}/admin${path}`, {
      method,
      headers: { authorization: `Bearer ${config.adminApiKey}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  /** What the server's answers let the attacker tell apart, grouped by the truth only the test knows. */
  interface Observed {
    /** Distinct `status body` answers to forgeries whose padding was valid / invalid. */
    validPadding: Set<string>;
    invalidPadding: Set<string>;
  }

  /**
   * Capture a genuine webhook, then replay its first ciphertext block behind an IV whose last byte
   * takes all 256 values: the one (rarely two) that decrypts to a valid PKCS#7 padding reveals the
   * last plaintext byte of that block, if the server answers it differently.
   */
  async function attack(path: string, cryptoKey: string, options: Record<string, unknown>): Promise<Observed> {
    const captured = allpass.simulator.build('applicantApproved', { secrets: { cryptoKey }, options: allpass.parseOptions(options) });
    const envelope = JSON.parse(captured.body) as { data: string; time: string };
    const bytes = Buffer.from(envelope.data, 'hex');
    const [iv, block] = [bytes.subarray(0, 16), bytes.subarray(16, 32)];

    const observed: Observed = { validPadding: new Set(), invalidPadding: new Set() };
    for (let guess = 0; guess < 256; guess++) {
      const forgedIv = Buffer.from(iv);
      forgedIv[15] ^= guess;
      const data = Buffer.concat([forgedIv, block]).toString('hex');
      const response = await fetch(`${gateway.url}${path}`, { method: 'POST', headers: captured.headers, body: JSON.stringify({ ...envelope, data }) });
      const answer = `${response.status} ${await response.text()}`;
      (hasValidPadding(Buffer.from(cryptoKey, 'hex'), forgedIv, block) ? observed.validPadding : observed.invalidPadding).add(answer);
    }
    // The experiment is only meaningful if both kinds of forgery reached the server.
    expect(observed.validPadding.size).toBeGreaterThan(0);
    expect(observed.invalidPadding.size).toBeGreaterThan(0);
    return observed;
  }

  it('refuses to create a CBC connection with neither an HMAC key nor a required header', async () => {
    const answer = await admin('POST', '/connections', {
      provider: 'allpass',
      name: 'cbc-bare',
      secrets: { cryptoKey: randomBytes(32).toString('hex') },
      options: { encryptionMethod: 'aes-256-cbc' },
    });
    expect(answer.status).toBe(400);
    expect(Object.keys(answer.body.fields as Record<string, unknown>)).toEqual(['secrets.hmacKey']);
  });

  it('gives a CBC connection stored before that check (no HMAC, no header) byte-identical answers: no oracle', async () => {
    const cryptoKey = randomBytes(32).toString('hex');
    await gateway.app.get(ConnectionStore).create({ provider: 'allpass', name: 'cbc-legacy', secrets: { cryptoKey }, options: { encryptionMethod: 'aes-256-cbc' } });
    await gateway.app.get(ConnectionCache).reload();

    const observed = await attack('/webhooks/allpass/cbc-legacy', cryptoKey, { encryptionMethod: 'aes-256-cbc' });
    expect(new Set([...observed.validPadding, ...observed.invalidPadding])).toEqual(observed.invalidPadding);
    expect(observed.invalidPadding.size).toBe(1);
    expect([...observed.invalidPadding][0]).toMatch(/^400 /);
  });

  it('with allowUnauthenticatedCbc: true, creates the connection with a warning and still answers the attack byte-identically', async () => {
    const cryptoKey = randomBytes(32).toString('hex');
    const options = { encryptionMethod: 'aes-256-cbc', allowUnauthenticatedCbc: true };
    const created = await admin('POST', '/connections', { provider: 'allpass', name: 'cbc-allowed', secrets: { cryptoKey }, options });
    expect(created.status).toBe(201);
    expect(created.body.warnings).toEqual([expect.stringContaining('unauthenticated')]);

    const observed = await attack(created.body.ingressUrl as string, cryptoKey, options);
    expect(new Set([...observed.validPadding, ...observed.invalidPadding])).toEqual(observed.invalidPadding);
    expect(observed.invalidPadding.size).toBe(1);
  });
});

/** Ground truth, with the key the attacker does not have: does this forgery decrypt to a valid padding? */
function hasValidPadding(key: Buffer, iv: Buffer, block: Buffer): boolean {
  try {
    const decipher = createDecipheriv('aes-256-cbc', key, iv);
    Buffer.concat([decipher.update(block), decipher.final()]);
    return true;
  } catch {
    return false;
  }
}
