import { createCipheriv, createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { SecretBox, type VerificationEvent } from '@kyc/core';
import {
  ConnectionEntity,
  ConnectionStore,
  databaseOptions,
  EventEntity,
  EventStore,
  initializeDataSource,
  SecretsResealer,
  SubscriberEntity,
  SubscriberStore,
  VerificationEntity,
  VerificationLedger,
  VerificationStore,
} from '@kyc/persistence';
import { createTestDatabase, DATABASE_KINDS, testConfig, TestDatabase, aVerificationEvent } from '@kyc/testing';
import { rotateSecrets } from '@kyc/worker';

function event(providerEventId: string, applicantId: string, externalUserId?: string): VerificationEvent {
  return aVerificationEvent(providerEventId, { subject: { applicantId, ...(externalUserId ? { externalUserId } : {}) } });
}

/** A value as the gateway sealed it before this version (v1: the master key itself, no additional data). */
function sealV1(key: Buffer, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), ciphertext.toString('base64')].join('.');
}
const blindIndexV1 = (key: Buffer, value: string) => createHmac('sha256', key).update('blind-index:').update(value).digest('base64url');

describe.each(DATABASE_KINDS)('sealed values at rest on %s', (kind) => {
  let database: TestDatabase;
  let dataSource: DataSource;

  const stores = (box: SecretBox) => ({
    connections: new ConnectionStore(dataSource.getRepository(ConnectionEntity), box),
    subscribers: new SubscriberStore(dataSource.getRepository(SubscriberEntity), box),
    events: new EventStore(dataSource.getRepository(EventEntity), box, testConfig()),
    ledger: new VerificationLedger(dataSource, box),
    verifications: new VerificationStore(dataSource.getRepository(VerificationEntity), dataSource.getRepository(EventEntity), box),
  });

  // A database per test: each seals with its own keys, and the re-seal reads every row.
  beforeEach(async () => {
    database = await createTestDatabase(kind);
    dataSource = await initializeDataSource(databaseOptions({ url: database.url, migrate: true }));
  });

  afterEach(async () => {
    if (dataSource?.isInitialized) await dataSource.destroy();
    await database?.drop();
  });

  it('refuses a sealed value copied to another row or column', async () => {
    const { connections, subscribers, events } = stores(new SecretBox(randomBytes(32)));
    const rows = {
      subscribers: dataSource.getRepository(SubscriberEntity),
      connections: dataSource.getRepository(ConnectionEntity),
      events: dataSource.getRepository(EventEntity),
    };

    // Two subscribers' signing secrets swapped in the database: neither signs with the other's secret.
    const { subscriber: a, secret: secretA } = await subscribers.create({ name: 'moved-a', kind: 'http', url: 'https://a.example.com/hook' });
    const { subscriber: b } = await subscribers.create({ name: 'moved-b', kind: 'http', url: 'https://b.example.com/hook' });
    const [rowA, rowB] = [await rows.subscribers.findOneByOrFail({ id: a.id }), await rows.subscribers.findOneByOrFail({ id: b.id })];
    expect(await subscribers.signingSecret(a.id)).toBe(secretA);
    await rows.subscribers.update({ id: a.id }, { secretSealed: rowB.secretSealed });
    await rows.subscribers.update({ id: b.id }, { secretSealed: rowA.secretSealed });
    await expect(subscribers.signingSecret(a.id)).rejects.toThrow(/moved/);
    await expect(subscribers.signingSecret(b.id)).rejects.toThrow(/moved/);
    // Listing still works (the dispatcher matches on it); the unreadable secret has no fingerprint.
    expect(await subscribers.get(a.id)).not.toHaveProperty('secretFingerprint');
    expect((await subscribers.all()).map((each) => each.id)).toEqual(expect.arrayContaining([a.id, b.id]));

    // One connection's secrets copied into another, and previous secrets moved into the current column.
    const first = await connections.create({
      provider: 'complycube',
      name: 'moved-1',
      secrets: { webhookSecret: 'first' },
      options: { requiredHeaders: { 'x-token': 'first-token', 'x-other': 'other-token' } },
    });
    const second = await connections.create({ provider: 'complycube', name: 'moved-2', secrets: { webhookSecret: 'second' }, options: {} });
    await connections.rotate(first.id, { webhookSecret: 'first-new' }, new Date(Date.now() + 60_000));
    expect((await connections.getOpened(first.id))?.previousSecrets).toEqual({ webhookSecret: 'first' });
    const firstRow = await rows.connections.findOneByOrFail({ id: first.id });
    await rows.connections.update({ id: second.id }, { secretsSealed: firstRow.secretsSealed });
    await expect(connections.getOpened(second.id)).rejects.toThrow(/moved/);
    await rows.connections.update({ id: first.id }, { secretsSealed: firstRow.previousSecretsSealed! });
    await expect(connections.getOpened(first.id)).rejects.toThrow(/moved/);
    await rows.connections.update({ id: first.id }, { secretsSealed: firstRow.secretsSealed });
    const headers = firstRow.options.requiredHeaders as Record<string, string>;
    await rows.connections.update({ id: first.id }, { options: { requiredHeaders: { 'x-token': headers['x-other'], 'x-other': headers['x-token'] } } });
    await expect(connections.getOpened(first.id)).rejects.toThrow(/moved/);

    // One event's sealed event and payload put in another event's row.
    const [one, two] = [event('moved-1', 'applicant-moved-1'), event('moved-2', 'applicant-moved-2')];
    await events.record(one, { secret: 'payload-1' });
    await events.record(two, { secret: 'payload-2' });
    const oneRow = await rows.events.findOneByOrFail({ id: one.id });
    await rows.events.update({ id: two.id }, { eventSealed: oneRow.eventSealed, payloadSealed: oneRow.payloadSealed });
    await expect(events.findById(two.id)).rejects.toThrow(/moved/);
    await expect(events.findPayload(two.id)).rejects.toThrow(/moved/);
    await rows.events.update({ id: one.id }, { eventSealed: oneRow.payloadSealed! });
    await expect(events.findById(one.id)).rejects.toThrow(/moved/);
  });

  it('rotates SECRETS_KEY: older values open with the previous key, secrets:rotate re-seals them, then the previous key can go', async () => {
    const [keyA, keyB] = [randomBytes(32), randomBytes(32)];
    const before = stores(new SecretBox(keyA));
    const connection = await before.connections.create({
      provider: 'verifik',
      name: 'rotation',
      secrets: { webhookSecret: 'connection-secret' },
      options: { requiredHeaders: { authorization: 'Bearer header-secret' } },
    });
    await before.connections.rotate(connection.id, { webhookSecret: 'connection-secret-2' }, new Date(Date.now() + 3_600_000));
    const { subscriber, secret } = await before.subscribers.create({ name: 'rotation', kind: 'http', url: 'https://rotation.example.com/hook' });
    const recent = event('rotation-recent', 'applicant-rotation', 'user-rotation');
    await before.events.record(recent, { payload: 'recent' });
    const verificationId = (await before.ledger.apply([recent])).get(recent.id)?.verification?.id;
    expect(verificationId).toBeDefined();
    // An event stored by the previous version of the gateway (v1 format, v1 blind indexes).
    const legacy = event('rotation-legacy', 'applicant-rotation');
    await before.events.record(legacy, { payload: 'legacy' });
    await dataSource
      .getRepository(EventEntity)
      .update(
        { id: legacy.id },
        { eventSealed: sealV1(keyA, JSON.stringify(legacy)), payloadSealed: sealV1(keyA, JSON.stringify({ payload: 'legacy' })), applicantRef: blindIndexV1(keyA, 'applicant-rotation') },
      );

    const expectAllReadable = async (box: SecretBox) => {
      const { connections, subscribers, events } = stores(box);
      const opened = await connections.getOpened(connection.id);
      expect(opened?.secrets).toEqual({ webhookSecret: 'connection-secret-2' });
      expect(opened?.previousSecrets).toEqual({ webhookSecret: 'connection-secret' });
      expect(opened?.options).toEqual({ requiredHeaders: { authorization: 'Bearer header-secret' } });
      expect(await subscribers.signingSecret(subscriber.id)).toBe(secret);
      expect(await events.findById(recent.id)).toEqual({ ...recent, verification: expect.objectContaining({ id: verificationId, sequence: 1 }) });
      const { verifications } = stores(box);
      expect((await verifications.search({ applicantId: 'applicant-rotation' }, 10)).map((each) => each.id)).toEqual([verificationId]);
      expect((await verifications.findById(verificationId!))?.subject).toEqual({ applicantId: 'applicant-rotation', externalUserId: 'user-rotation' });
      expect(await events.findById(legacy.id)).toEqual(legacy);
      expect(await events.findPayload(legacy.id)).toEqual({ payload: 'legacy' });
      const found = await events.search({ applicantId: 'applicant-rotation' }, 10);
      expect(found.map((each) => each.id).sort()).toEqual([recent.id, legacy.id].sort());
      expect((await events.search({ externalUserId: 'user-rotation' }, 10)).map((each) => each.id)).toEqual([recent.id]);
    };

    // SECRETS_KEY=B, SECRETS_KEY_PREVIOUS=A: everything still opens and is found.
    const rotating = new SecretBox(keyB, [keyA]);
    await expectAllReadable(rotating);
    // Without A, nothing sealed before opens: this is what the re-seal is for.
    await expect(stores(new SecretBox(keyB)).subscribers.signingSecret(subscriber.id)).rejects.toThrow(/unknown key/);

    const report = await new SecretsResealer(dataSource, rotating, 1).run();
    expect(report).toEqual({
      connections: { resealed: 1, changedMeanwhile: 0, unopenable: [] },
      subscribers: { resealed: 1, changedMeanwhile: 0, unopenable: [] },
      events: { resealed: 2, changedMeanwhile: 0, unopenable: [] },
      verifications: { resealed: 1, changedMeanwhile: 0, unopenable: [] },
    });

    // SECRETS_KEY_PREVIOUS dropped: everything opens with B alone, and subject searches still match.
    const after = new SecretBox(keyB);
    await expectAllReadable(after);
    const again = await new SecretsResealer(dataSource, after).run();
    expect([again.connections.resealed, again.subscribers.resealed, again.events.resealed, again.verifications.resealed]).toEqual([0, 0, 0, 0]);
    // The subject's next event, applied under B alone, joins the same verification.
    const later = event('rotation-later', 'applicant-rotation');
    await stores(after).events.record(later, {});
    expect((await stores(after).ledger.apply([later])).get(later.id)?.verification).toMatchObject({ id: verificationId, sequence: 2 });
  });

  if (kind === 'sqlite') {
    it('npm run secrets:rotate reads the keys from the environment and reports what is left', async () => {
      const [keyA, keyB] = [randomBytes(32), randomBytes(32)];
      const { subscribers } = stores(new SecretBox(keyA));
      const { subscriber, secret } = await subscribers.create({ name: 'rotation-script', kind: 'http', url: 'https://script.example.com/hook' });
      const saved = { ...process.env };
      const lines: string[] = [];
      try {
        Object.assign(process.env, {
          NODE_ENV: 'test',
          DATA_DIR: mkdtempSync(join(tmpdir(), 'kyc-rotate-')),
          DATABASE_URL: database.url,
          ADMIN_API_KEY: randomBytes(24).toString('base64url'),
          SECRETS_KEY: keyB.toString('base64'),
          SECRETS_KEY_PREVIOUS: keyA.toString('base64'),
        });
        const report = await rotateSecrets((line) => lines.push(line));
        expect(report.subscribers).toEqual({ resealed: 1, changedMeanwhile: 0, unopenable: [] });
      } finally {
        process.env = saved;
      }
      expect(await stores(new SecretBox(keyB)).subscribers.signingSecret(subscriber.id)).toBe(secret);
      expect(lines.join('\n')).toMatch(/subscribers: \d+ re-sealed/);
      expect(lines.join('\n')).not.toContain(secret!);
    });
  }
});
