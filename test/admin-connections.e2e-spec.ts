import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AppConfig } from '@kyc/config';
import { ConnectionEntity, ConnectionStore } from '@kyc/persistence';
import { findProvider } from '@kyc/providers';
import { AdminClient, type AdminRequest, createTestDatabase, DATABASE_KINDS, testConfig, TestDatabase, waitFor } from '@kyc/testing';
import { ConnectionCache } from '@kyc/gateway';
import { Answer, post } from './support/http';
import { startTestApp, TestApp } from './support/test-app';

type Json = Record<string, unknown>;
type Secrets = Record<string, string>;

interface Connection {
  id: string;
  provider: string;
  name: string;
  enabled: boolean;
  ingressUrl: string;
  secrets: Record<string, { fingerprint: string }>;
  previousSecrets: Record<string, { fingerprint: string }> | null;
  previousSecretsExpireAt: string | null;
  options: Json;
  warnings: string[];
  createdAt: string;
  updatedAt: string;
}

interface Failure {
  statusCode: number;
  error: string;
  message: string[];
  fields: Record<string, string[]>;
}

const FINGERPRINT = { fingerprint: expect.stringMatching(/^[0-9a-f]{12}$/) };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

/** Every secret and required-header value the suite sends: none may ever come back or sit in plain text in the database. */
const sentSecrets: string[] = [];
function secretsOf(provider: string): Secrets {
  const secrets = findProvider(provider)!.simulator.generateSecrets();
  sentSecrets.push(...Object.values(secrets));
  return secrets;
}
function headerToken(): string {
  const token = `Bearer ${randomBytes(16).toString('hex')}`;
  sentSecrets.push(token);
  return token;
}
function expectNoSecrets(value: unknown): void {
  const text = JSON.stringify(value) ?? '';
  for (const secret of sentSecrets) expect(text).not.toContain(secret);
}

describe.each(DATABASE_KINDS)('admin connections API on %s', (kind) => {
  let database: TestDatabase;
  let config: AppConfig;
  let gateway: TestApp;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    // A periodic reload this slow never happens during the suite: only the admin API's own reload
    // and Redis pub/sub can explain a change taking effect.
    config = testConfig({ DATABASE_URL: database.url, CONNECTION_CACHE_TTL_MS: '600000' });
    gateway = await startTestApp(config);
  });

  afterAll(async () => {
    await gateway?.close();
    await database?.drop();
  });

  async function call<T = Json>(method: string, path: string, request: AdminRequest = {}, app = gateway) {
    const answer = await new AdminClient(app.url, config.adminApiKey).call<T>(method, path, request);
    expectNoSecrets(answer.body);
    return answer;
  }

  const create = async (input: Json) => {
    const answer = await call<Connection>('POST', '/connections', { body: input });
    expect(answer.status).toBe(201);
    return answer.body;
  };

  /** A webhook as the vendor sends it with these secrets and options, to the connection's ingress URL. */
  function webhook(connection: Pick<Connection, 'provider' | 'ingressUrl'>, secrets: Secrets, options: Json = {}, app = gateway): Promise<Answer> {
    const adapter = findProvider(connection.provider)!;
    const request = adapter.simulator.build(adapter.simulator.eventTypes[0], { secrets, options: adapter.parseOptions(options) });
    return post(`${app.url}${connection.ingressUrl}`, request);
  }

  const complycube = async (name = unique('cc')) => {
    const secrets = secretsOf('complycube');
    return { secrets, connection: await create({ provider: 'complycube', name, secrets }) };
  };

  describe('authentication', () => {
    const id = randomUUID();
    it.each([
      ['GET', '/connections'],
      ['POST', '/connections'],
      ['GET', `/connections/${id}`],
      ['PATCH', `/connections/${id}`],
      ['DELETE', `/connections/${id}`],
      ['POST', `/connections/${id}/rotate`],
    ])('%s %s answers 401 without the key or with a wrong one', async (method, path) => {
      const body = method === 'GET' || method === 'DELETE' ? undefined : { provider: 'complycube', name: 'anonymous', secrets: { webhookSecret: 'x' } };
      for (const authorization of [null, 'Bearer not-the-admin-key']) {
        const answer = await call(method, path, { body, authorization });
        expect(answer).toEqual({ status: 401, body: { statusCode: 401, error: 'Unauthorized', message: 'missing or invalid admin API key' } });
      }
    });
  });

  describe('creation', () => {
    it.each([
      ['allpass', { encryptionMethod: 'aes-256-gcm' }],
      ['complycube', {}],
      ['verifik', {}],
    ])('creates a %s connection whose webhooks are accepted at once on its ingress URL', async (provider, vendorOptions) => {
      const name = unique(provider);
      const secrets = secretsOf(provider);
      const options = { ...vendorOptions, requiredHeaders: { authorization: headerToken() } };
      const created = await create({ provider, name, secrets, options });

      expect(created).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        provider,
        name,
        enabled: true,
        ingressUrl: `/webhooks/${provider}/${name}`,
        secrets: Object.fromEntries(Object.keys(secrets).map((field) => [field, FINGERPRINT])),
        previousSecrets: null,
        previousSecretsExpireAt: null,
        options: { ...vendorOptions, requiredHeaders: { authorization: FINGERPRINT } },
        warnings: [],
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      expect((await call('GET', `/connections/${created.id}`)).body).toEqual(created);

      const accepted = await webhook(created, secrets, options);
      expect(accepted).toEqual({ status: 200, body: { received: true, eventId: expect.any(String), duplicate: false } });
      // The required header configured through the API is enforced.
      expect((await webhook(created, secrets, vendorOptions)).status).toBe(401);
    });

    it('answers 409 to a provider and name taken, but the same name under another provider is fine', async () => {
      const { connection } = await complycube();
      const again = await call('POST', '/connections', { body: { provider: 'complycube', name: connection.name, secrets: secretsOf('complycube') } });
      expect(again).toEqual({ status: 409, body: { statusCode: 409, error: 'Conflict', message: `a connection complycube/${connection.name} exists already` } });
      await create({ provider: 'verifik', name: connection.name, secrets: secretsOf('verifik') });
    });

    it('creates a disabled connection when asked', async () => {
      const secrets = secretsOf('verifik');
      const created = await create({ provider: 'verifik', name: unique('off'), enabled: false, secrets });
      expect(created.enabled).toBe(false);
      expect((await webhook(created, secrets)).status).toBe(404);
    });
  });

  describe('validation', () => {
    const cc = (extra: Json = {}) => ({ provider: 'complycube', name: unique('v'), secrets: { webhookSecret: 'whatever-secret-1' }, ...extra });
    const shortKey = randomBytes(31).toString('hex');
    sentSecrets.push(shortKey);

    it.each([
      ['an unknown provider', cc({ provider: 'acme' }), 'provider'],
      ['a missing provider', { name: 'x', secrets: {} }, 'provider'],
      ['a name with spaces', cc({ name: 'my connection' }), 'name'],
      ['a name of 101 characters', cc({ name: 'a'.repeat(101) }), 'name'],
      ['the name ..', cc({ name: '..' }), 'name'],
      ['missing secrets', cc({ secrets: undefined }), 'secrets'],
      ['secrets that are not strings', cc({ secrets: { webhookSecret: 42 } }), 'secrets'],
      ['a missing webhookSecret', cc({ secrets: {} }), 'secrets.webhookSecret'],
      ['an empty webhookSecret', cc({ secrets: { webhookSecret: '' } }), 'secrets.webhookSecret'],
      ['an unknown secret field', cc({ secrets: { webhookSecret: 'whatever-secret-1', apiKey: 'k' } }), 'secrets.apiKey'],
      ['an Allpass cryptoKey of 31 bytes', { provider: 'allpass', name: 'short', secrets: { cryptoKey: shortKey }, options: { keyEncoding: 'hex' } }, 'secrets.cryptoKey'],
      ['a missing Allpass cryptoKey', { provider: 'allpass', name: 'nokey', secrets: {} }, 'secrets.cryptoKey'],
      ['a bad encryptionMethod', { provider: 'allpass', name: 'ecb', secrets: secretsOf('allpass'), options: { encryptionMethod: 'aes-128-ecb' } }, 'options.encryptionMethod'],
      ['an unknown option', cc({ options: { color: 'red' } }), 'options.color'],
      ['an empty required header value', cc({ options: { requiredHeaders: { authorization: '' } } }), 'options.requiredHeaders.authorization'],
      ['options that are not an object', cc({ options: 'gcm' }), 'options'],
      ['enabled as a string', cc({ enabled: 'yes' }), 'enabled'],
      ['an unknown property', cc({ color: 'red' }), 'color'],
    ])('answers 400 naming the field to %s', async (_, body, field) => {
      const answer = await call<Failure>('POST', '/connections', { body });
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(Object.keys(answer.body.fields)).toContain(field);
      expect(answer.body.message.some((message) => message.includes(field))).toBe(true);
    });

    it('says why a 31-byte Allpass key is refused, without echoing it', async () => {
      const answer = await call<Failure>('POST', '/connections', { body: { provider: 'allpass', name: 'short', secrets: { cryptoKey: shortKey }, options: { keyEncoding: 'hex' } } });
      expect(answer.body.fields).toEqual({ 'secrets.cryptoKey': ['secrets.cryptoKey: must decode to exactly 32 bytes (got 31)'] });
    });

    it('names every failing field at once', async () => {
      const answer = await call<Failure>('POST', '/connections', { body: cc({ secrets: { apiKey: 'k' }, options: { color: 'red' } }) });
      expect(Object.keys(answer.body.fields).sort()).toEqual(['options.color', 'secrets.apiKey', 'secrets.webhookSecret']);
    });
  });

  describe('one connection', () => {
    it.each([
      ['GET', ''],
      ['PATCH', ''],
      ['DELETE', ''],
      ['POST', '/rotate'],
    ])('%s answers 404 to an unknown or malformed id', async (method, suffix) => {
      const body = method === 'PATCH' ? { enabled: false } : method === 'POST' ? { secrets: { webhookSecret: 'x' } } : undefined;
      for (const id of [randomUUID(), 'not-a-uuid']) {
        const answer = await call(method, `/connections/${id}${suffix}`, { body });
        expect({ id, ...answer }).toEqual({ id, status: 404, body: { statusCode: 404, error: 'Not Found', message: 'connection not found' } });
      }
    });

    it('PATCH enabled:false makes its webhooks 404 within a second, enabled:true brings them back', async () => {
      const { connection, secrets } = await complycube();
      expect((await webhook(connection, secrets)).status).toBe(200);
      const disabled = await call<Connection>('PATCH', `/connections/${connection.id}`, { body: { enabled: false } });
      expect(disabled.status).toBe(200);
      expect(disabled.body).toEqual({ ...connection, enabled: false, updatedAt: expect.any(String) });
      await waitFor(async () => (await webhook(connection, secrets)).status === 404, 1_000, 'still accepted after disabling');
      await call('PATCH', `/connections/${connection.id}`, { body: { enabled: true } });
      expect((await webhook(connection, secrets)).status).toBe(200);
    });

    it('PATCH refuses to change the provider or the name', async () => {
      const { connection } = await complycube();
      for (const [body, field] of [
        [{ name: 'renamed' }, 'name'],
        [{ provider: 'verifik' }, 'provider'],
        [{ secrets: { webhookSecret: 'x', extra: 'y' } }, 'secrets.extra'],
      ] as const) {
        const answer = await call<Failure>('PATCH', `/connections/${connection.id}`, { body });
        expect({ field, status: answer.status }).toEqual({ field, status: 400 });
        expect(Object.keys(answer.body.fields)).toEqual([field]);
      }
      expect((await call('GET', `/connections/${connection.id}`)).body).toEqual(connection);
    });

    it('PATCH secrets replaces them at once, without grace', async () => {
      const { connection, secrets } = await complycube();
      const replacement = secretsOf('complycube');
      const answer = await call<Connection>('PATCH', `/connections/${connection.id}`, { body: { secrets: replacement } });
      expect(answer.body.secrets.webhookSecret.fingerprint).not.toBe(connection.secrets.webhookSecret.fingerprint);
      expect(answer.body.previousSecrets).toBeNull();
      expect((await webhook(connection, secrets)).status).toBe(401);
      expect((await webhook(connection, replacement)).status).toBe(200);
    });

    it('PATCH options merges over the current ones, checks them against the secrets, and null resets one', async () => {
      const secrets = secretsOf('allpass');
      const token = headerToken();
      const connection = await create({ provider: 'allpass', name: unique('ap'), secrets, options: { encryptionMethod: 'aes-256-cbc', requiredHeaders: { authorization: token } } });

      const gcm = await call<Connection>('PATCH', `/connections/${connection.id}`, { body: { options: { encryptionMethod: 'aes-256-gcm' } } });
      expect(gcm.body.options).toEqual({ encryptionMethod: 'aes-256-gcm', requiredHeaders: { authorization: FINGERPRINT } });
      expect((await webhook(connection, secrets, { encryptionMethod: 'aes-256-gcm', requiredHeaders: { authorization: token } })).status).toBe(200);

      // The hex key does not decode as base64 to 32 bytes: the options would break the secrets.
      const misfit = await call<Failure>('PATCH', `/connections/${connection.id}`, { body: { options: { keyEncoding: 'base64' } } });
      expect(Object.keys(misfit.body.fields)).toEqual(['secrets.cryptoKey']);

      const reset = await call<Connection>('PATCH', `/connections/${connection.id}`, { body: { options: { requiredHeaders: null } } });
      expect(reset.body.options).toEqual({ encryptionMethod: 'aes-256-gcm' });
      expect((await webhook(connection, secrets)).status).toBe(200);
    });

    it('DELETE answers 204, then the connection and its webhooks are gone', async () => {
      const { connection, secrets } = await complycube();
      expect(await call('DELETE', `/connections/${connection.id}`)).toEqual({ status: 204, body: undefined });
      expect((await call('GET', `/connections/${connection.id}`)).status).toBe(404);
      expect((await call('DELETE', `/connections/${connection.id}`)).status).toBe(404);
      expect((await webhook(connection, secrets)).status).toBe(404);
    });
  });

  describe('unsafe configurations', () => {
    it('refuses an Allpass CBC connection with neither an HMAC key nor a required header, naming secrets.hmacKey', async () => {
      const secrets = secretsOf('allpass');
      const bare = await call<Failure>('POST', '/connections', { body: { provider: 'allpass', name: unique('cbc'), secrets, options: { encryptionMethod: 'aes-256-cbc' } } });
      expect(bare.status).toBe(400);
      expect(Object.keys(bare.body.fields)).toEqual(['secrets.hmacKey']);

      // Nor can a safe one be made unsafe: dropping its only required header.
      const connection = await create({ provider: 'allpass', name: unique('cbc'), secrets, options: { encryptionMethod: 'aes-256-cbc', requiredHeaders: { authorization: headerToken() } } });
      expect(connection.warnings).toEqual([]);
      const dropped = await call<Failure>('PATCH', `/connections/${connection.id}`, { body: { options: { requiredHeaders: null } } });
      expect(dropped.status).toBe(400);
      expect(Object.keys(dropped.body.fields)).toEqual(['secrets.hmacKey']);
    });

    it('accepts it with allowUnauthenticatedCbc: true, with a warning in every answer, gone once an HMAC key is set', async () => {
      const secrets = secretsOf('allpass');
      const options = { encryptionMethod: 'aes-256-cbc', allowUnauthenticatedCbc: true };
      const connection = await create({ provider: 'allpass', name: unique('cbc'), secrets, options });
      const warning = [expect.stringContaining('AES-256-CBC without an HMAC key is unauthenticated')];
      expect(connection.warnings).toEqual(warning);
      expect((await call<Connection>('GET', `/connections/${connection.id}`)).body.warnings).toEqual(warning);
      const listed = (await call<{ data: Connection[] }>('GET', '/connections?provider=allpass&limit=500')).body.data;
      expect(listed.find((item) => item.id === connection.id)?.warnings).toEqual(warning);
      expect((await webhook(connection, secrets, options)).status).toBe(200);

      const hmacKey = randomBytes(16).toString('hex');
      sentSecrets.push(hmacKey);
      const fixed = await call<Connection>('PATCH', `/connections/${connection.id}`, { body: { secrets: { ...secrets, hmacKey } } });
      expect(fixed.body.warnings).toEqual([]);
    });

    it('refuses a secret another connection of the provider has, current or still in its rotation grace, at create, update and rotate', async () => {
      const { connection: first, secrets: firstSecrets } = await complycube();
      const sameAsFirst = await call<Failure>('POST', '/connections', { body: { provider: 'complycube', name: unique('cc'), secrets: firstSecrets } });
      expect(sameAsFirst.status).toBe(400);
      expect(Object.keys(sameAsFirst.body.fields)).toEqual(['secrets.webhookSecret']);
      expect(sameAsFirst.body.fields['secrets.webhookSecret'][0]).toContain(`complycube/${first.name}`);
      // Another provider may hold the same value: its webhooks are signed another way.
      expect((await call('POST', '/connections', { body: { provider: 'verifik', name: unique('vk'), secrets: firstSecrets } })).status).toBe(201);

      const { connection: second } = await complycube();
      const patched = await call<Failure>('PATCH', `/connections/${second.id}`, { body: { secrets: firstSecrets } });
      expect(Object.keys(patched.body.fields)).toEqual(['secrets.webhookSecret']);
      const rotatedOnto = await call<Failure>('POST', `/connections/${second.id}/rotate`, { body: { secrets: firstSecrets } });
      expect(Object.keys(rotatedOnto.body.fields)).toEqual(['secrets.webhookSecret']);

      // The first rotates away; its old secret still verifies during the grace, so it stays taken.
      expect((await call('POST', `/connections/${first.id}/rotate`, { body: { secrets: secretsOf('complycube'), graceSeconds: 60 } })).status).toBe(200);
      expect((await call('POST', `/connections/${second.id}/rotate`, { body: { secrets: firstSecrets } })).status).toBe(400);
      // A connection may keep its own secret (e.g. a PATCH that repeats it).
      expect((await call('PATCH', `/connections/${first.id}`, { body: { secrets: firstSecrets } })).status).toBe(200);
      expect((await call('PATCH', `/connections/${second.id}`, { body: { secrets: firstSecrets } })).status).toBe(400);
    });
  });

  describe('rotation', () => {
    it('keeps the old secrets verifying for graceSeconds, the new ones from the start', async () => {
      const oldSecrets = secretsOf('verifik');
      const connection = await create({ provider: 'verifik', name: unique('rot'), secrets: oldSecrets });
      const newSecrets = secretsOf('verifik');
      const before = Date.now();
      const rotated = await call<Connection>('POST', `/connections/${connection.id}/rotate`, { body: { secrets: newSecrets, graceSeconds: 2 } });

      expect(rotated.status).toBe(200);
      expect(rotated.body.previousSecrets).toEqual(connection.secrets);
      expect(rotated.body.secrets.webhookSecret.fingerprint).not.toBe(connection.secrets.webhookSecret.fingerprint);
      const expireAt = Date.parse(rotated.body.previousSecretsExpireAt!);
      expect(expireAt).toBeGreaterThanOrEqual(before + 2_000);
      expect(expireAt).toBeLessThanOrEqual(Date.now() + 2_000);

      expect((await webhook(connection, oldSecrets)).status).toBe(200);
      expect((await webhook(connection, newSecrets)).status).toBe(200);
      await sleep(Math.max(0, expireAt + 500 - Date.now()));
      expect((await webhook(connection, oldSecrets)).status).toBe(401);
      expect((await webhook(connection, newSecrets)).status).toBe(200);
      expect((await call<Connection>('GET', `/connections/${connection.id}`)).body).toMatchObject({ previousSecrets: null, previousSecretsExpireAt: null });
    });

    it('gives a day of grace by default, and none with graceSeconds 0', async () => {
      const { connection, secrets } = await complycube();
      const day = await call<Connection>('POST', `/connections/${connection.id}/rotate`, { body: { secrets: secretsOf('complycube') } });
      expect(Date.parse(day.body.previousSecretsExpireAt!) - Date.now()).toBeGreaterThan(86_400_000 - 60_000);
      expect((await webhook(connection, secrets)).status).toBe(200);

      const latest = secretsOf('complycube');
      const none = await call<Connection>('POST', `/connections/${connection.id}/rotate`, { body: { secrets: latest, graceSeconds: 0 } });
      expect(none.body).toMatchObject({ previousSecrets: null, previousSecretsExpireAt: null });
      expect((await webhook(connection, secrets)).status).toBe(401);
      expect((await webhook(connection, latest)).status).toBe(200);
    });

    it.each([
      ['a grace over 30 days', { secrets: { webhookSecret: 'next-secret' }, graceSeconds: 30 * 86_400 + 1 }, 'graceSeconds'],
      ['a negative grace', { secrets: { webhookSecret: 'next-secret' }, graceSeconds: -1 }, 'graceSeconds'],
      ['a fractional grace', { secrets: { webhookSecret: 'next-secret' }, graceSeconds: 1.5 }, 'graceSeconds'],
      ['no secrets', { graceSeconds: 60 }, 'secrets'],
      ['a missing webhookSecret', { secrets: {} }, 'secrets.webhookSecret'],
      ['an unknown secret field', { secrets: { webhookSecret: 'next-secret', cryptoKey: 'k' } }, 'secrets.cryptoKey'],
    ])('answers 400 naming the field to %s', async (_, body, field) => {
      const { connection } = await complycube();
      const answer = await call<Failure>('POST', `/connections/${connection.id}/rotate`, { body });
      expect(answer.status).toBe(400);
      expect(Object.keys(answer.body.fields)).toEqual([field]);
    });
  });

  describe('listing', () => {
    it('pages by creation order and filters by provider', async () => {
      const all: Connection[] = [];
      let cursor: string | null = null;
      do {
        const query: string = cursor === null ? '?limit=2' : `?limit=2&cursor=${cursor}`;
        const answer = await call<{ data: Connection[]; nextCursor: string | null }>('GET', `/connections${query}`);
        expect(answer.status).toBe(200);
        expect(answer.body.data.length).toBeLessThanOrEqual(2);
        all.push(...answer.body.data);
        cursor = answer.body.nextCursor;
      } while (cursor !== null);
      const ids = all.map((connection) => connection.id);
      expect(ids.length).toBeGreaterThan(5);
      expect(ids).toEqual([...ids].sort());
      expect(all.every((connection) => connection.ingressUrl === `/webhooks/${connection.provider}/${connection.name}`)).toBe(true);

      const verifik = await call<{ data: Connection[] }>('GET', '/connections?provider=verifik&limit=500');
      expect(verifik.body.data.length).toBeGreaterThan(0);
      expect(verifik.body.data).toEqual(all.filter((connection) => connection.provider === 'verifik'));
    });

    it.each([
      ['an unknown provider', '?provider=acme', 'provider'],
      ['limit 501', '?limit=501', 'limit'],
      ['an invalid cursor', '?cursor=nope!', 'cursor'],
    ])('answers 400 to %s', async (_, query, field) => {
      const answer = await call<Failure>('GET', `/connections${query}`);
      expect(answer.status).toBe(400);
      expect(Object.keys(answer.body.fields)).toEqual([field]);
    });
  });

  describe('secrets at rest', () => {
    it('seals the secrets and required header values set at boot from the environment too', async () => {
      const store = gateway.app.get(ConnectionStore);
      const secrets = secretsOf('complycube');
      const token = headerToken();
      expect(await store.createIfMissing('complycube', 'from-env', secrets, { requiredHeaders: { authorization: token } })).toBe('created');
      expect(await store.createIfMissing('complycube', 'from-env', secrets, { requiredHeaders: { authorization: token } })).toBe('unchanged');
      const opened = (await store.listOpened()).find((connection) => connection.name === 'from-env');
      expect(opened).toMatchObject({ secrets, options: { requiredHeaders: { authorization: token } } });
    });

    it('still reads a required header stored in plain text, and seals it at the next write', async () => {
      const secrets = secretsOf('complycube');
      const token = headerToken();
      const connection = await create({ provider: 'complycube', name: unique('legacy'), secrets });
      const repository = gateway.app.get(DataSource).getRepository(ConnectionEntity);
      // As stored before header values were sealed.
      await repository.update({ id: connection.id }, { options: { requiredHeaders: { authorization: token } } });
      await gateway.app.get(ConnectionCache).invalidate();
      const withHeader = { requiredHeaders: { authorization: token } };
      expect((await webhook(connection, secrets, withHeader)).status).toBe(200);
      expect((await webhook(connection, secrets)).status).toBe(401);
      expect((await call<Connection>('GET', `/connections/${connection.id}`)).body.options).toEqual({ requiredHeaders: { authorization: FINGERPRINT } });

      await call('PATCH', `/connections/${connection.id}`, { body: { options: {} } });
      const stored = await repository.findOneByOrFail({ id: connection.id });
      expect(JSON.stringify(stored.options)).not.toContain(token);
      expect((await webhook(connection, secrets, withHeader)).status).toBe(200);
    });

    it('keeps no secret or required header value in plain text in the database', async () => {
      const rows: Json[] = await gateway.app.get(DataSource).query('SELECT * FROM connections');
      expect(rows.length).toBeGreaterThan(10);
      expect(sentSecrets.length).toBeGreaterThan(20);
      expectNoSecrets(rows);
      // Also not in any answer of the list (each `call` checks its own answer as well).
      expectNoSecrets((await call('GET', '/connections?limit=500')).body);
    });
  });

  it('still serves every change, on its own instance, while Redis is unreachable', async () => {
    const noRedis = testConfig({
      DATABASE_URL: database.url,
      REDIS_URL: 'redis://127.0.0.1:1',
      CONNECTION_CACHE_TTL_MS: '600000',
      ADMIN_API_KEY: config.adminApiKey,
      SECRETS_KEY: config.secretsKey.toString('base64'),
    });
    const isolated = await startTestApp(noRedis);
    try {
      const secrets = secretsOf('complycube');
      const created = await call<Connection>('POST', '/connections', { body: { provider: 'complycube', name: unique('offline'), secrets } }, isolated);
      expect(created.status).toBe(201);
      expect((await webhook(created.body, secrets, {}, isolated)).status).toBe(200);
      expect((await call('PATCH', `/connections/${created.body.id}`, { body: { enabled: false } }, isolated)).status).toBe(200);
      expect((await webhook(created.body, secrets, {}, isolated)).status).toBe(404);
    } finally {
      await isolated.close();
    }
  });

  describe('with a second gateway on the same database and Redis', () => {
    let other: TestApp;

    beforeAll(async () => {
      other = await startTestApp(config);
    });

    afterAll(async () => {
      await other?.close();
    });

    it('follows creation, rotation, disabling and deletion made through the first, within 2 s', async () => {
      const secrets = secretsOf('complycube');
      const connection = await create({ provider: 'complycube', name: unique('shared'), secrets });
      // Pushed to the other gateway's cache, not pulled by a webhook for an unknown name.
      await waitFor(() => other.app.get(ConnectionCache).find('complycube', connection.name) !== undefined, 2_000, 'creation not seen');
      expect((await webhook(connection, secrets, {}, other)).status).toBe(200);

      const rotatedSecrets = secretsOf('complycube');
      await call('POST', `/connections/${connection.id}/rotate`, { body: { secrets: rotatedSecrets, graceSeconds: 0 } });
      await waitFor(async () => (await webhook(connection, rotatedSecrets, {}, other)).status === 200, 2_000, 'rotation not seen');
      expect((await webhook(connection, secrets, {}, other)).status).toBe(401);

      await call('PATCH', `/connections/${connection.id}`, { body: { enabled: false } });
      await waitFor(async () => (await webhook(connection, rotatedSecrets, {}, other)).status === 404, 2_000, 'disabling not seen');

      await call('PATCH', `/connections/${connection.id}`, { body: { enabled: true } });
      await waitFor(async () => (await webhook(connection, rotatedSecrets, {}, other)).status === 200, 2_000, 'enabling not seen');
      await call('DELETE', `/connections/${connection.id}`);
      await waitFor(() => other.app.get(ConnectionCache).find('complycube', connection.name) === undefined, 2_000, 'deletion not seen');
      expect((await webhook(connection, rotatedSecrets, {}, other)).status).toBe(404);
    });

    it('changes made through the second reach the first too', async () => {
      const secrets = secretsOf('verifik');
      const answer = await call<Connection>('POST', '/connections', { body: { provider: 'verifik', name: unique('back'), secrets } }, other);
      expect(answer.status).toBe(201);
      await waitFor(() => gateway.app.get(ConnectionCache).find('verifik', answer.body.name) !== undefined, 2_000, 'creation not seen');
      await call('PATCH', `/connections/${answer.body.id}`, { body: { enabled: false } }, other);
      await waitFor(async () => (await webhook(answer.body, secrets)).status === 404, 2_000, 'disabling not seen');
    });
  });
});
