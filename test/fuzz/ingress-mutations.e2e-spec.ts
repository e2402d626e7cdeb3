import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { EventStore, ConnectionStore } from '@kyc/persistence';
import { findProvider, PROVIDERS, SimulatedRequest } from '@kyc/providers';
import { ALLPASS_SIGNATURE_HEADER, createTestDatabase, testConfig, TestDatabase } from '@kyc/testing';

/** Verifik's two documented shapes, as its simulator builds them: shape A types are dotted, shape B's are snake case. */
const VERIFIK_TYPES = findProvider('verifik')!.simulator.eventTypes;
const VERIFIK_SHAPE_A_TYPES = VERIFIK_TYPES.filter((type) => type.includes('.'));
const VERIFIK_SHAPE_B_EXAMPLES = VERIFIK_TYPES.filter((type) => !type.includes('.'));
import { ConnectionCache } from '@kyc/gateway';
import { startTestApp, TestApp } from '../support/test-app';
import { check, closeAgent, configureFuzz, flipBit, isNestError, RawAnswer, send } from './fuzz-support';

/**
 * Valid requests of every vendor and configuration, built by the simulators with known secrets,
 * then changed in one place: one bit of the body, of the signature/tag header, of the IV, the
 * ciphertext or the trailing GCM tag (inside the decoded `data`); the Allpass `time` moved; the
 * request sent to another connection or another provider. No such request is ever accepted as a
 * new event, none gets a 5xx, and the unmutated request is accepted (sanity). The one exception is
 * what the Allpass default dedup key (`time+payload`) promises: a request whose only change is the
 * unauthenticated envelope `time` is another event (and a retry of it a duplicate); with
 * `dedupKey: payload` it is the same event as the original.
 *
 * Allpass CBC without an HMAC key is left out of the property: it is malleable (the documented
 * weakness, see the last test), so it is only a target of swapped requests here.
 */
const RUNS = 300;
const TOLERANCE_SECONDS = 300;

type Mutation = 'body-bit' | 'signature-bit' | 'signature-drop' | 'iv-bit' | 'ciphertext-bit' | 'tag-bit' | 'time-shift' | 'swap-connection' | 'swap-provider';

interface Envelope {
  dataEncoding: 'hex' | 'base64';
  ivBytes: 12 | 16;
  /** GCM: the tag is the last 16 bytes of `data` (otherwise in the header, or CBC). */
  tagInData: boolean;
}

interface Target {
  label: string;
  provider: string;
  connection: string;
  secrets: Record<string, string>;
  /** Options of the connection in the gateway. */
  options: Record<string, unknown>;
  /** Options the simulator builds with (where the vendor's side differs, e.g. where it puts the tag). */
  simulatorOptions?: Record<string, unknown>;
  eventTypes: readonly string[];
  /** The header that authenticates the request. */
  signature?: { header: string };
  envelope?: Envelope;
  mutations: Mutation[];
}

const hexKey = () => randomBytes(32).toString('hex');
const b64Key = () => randomBytes(32).toString('base64');
const common: Mutation[] = ['body-bit', 'swap-connection', 'swap-provider'];
const allpassTypes = findProvider('allpass')!.simulator.eventTypes;
const complycubeTypes = findProvider('complycube')!.simulator.eventTypes;

const TARGETS: Target[] = [
  {
    label: 'allpass GCM, tag in header, hex',
    provider: 'allpass',
    connection: 'gcm-header',
    secrets: { cryptoKey: hexKey() },
    options: { encryptionMethod: 'aes-256-gcm' },
    eventTypes: allpassTypes,
    signature: { header: ALLPASS_SIGNATURE_HEADER },
    envelope: { dataEncoding: 'hex', ivBytes: 12, tagInData: false },
    mutations: [...common, 'signature-bit', 'signature-drop', 'iv-bit', 'ciphertext-bit', 'tag-bit', 'time-shift'],
  },
  {
    label: 'allpass GCM, tag at the end of data, base64',
    provider: 'allpass',
    connection: 'gcm-tail',
    secrets: { cryptoKey: b64Key() },
    // `auto`: the tag comes from the header when there is one, else from the end of `data`.
    options: { encryptionMethod: 'aes-256-gcm', dataEncoding: 'base64' },
    simulatorOptions: { encryptionMethod: 'aes-256-gcm', dataEncoding: 'base64', gcmTagSource: 'data' },
    eventTypes: allpassTypes,
    envelope: { dataEncoding: 'base64', ivBytes: 12, tagInData: true },
    // signature-bit here = a forged tag header added to a request that had none.
    mutations: [...common, 'signature-bit', 'iv-bit', 'ciphertext-bit', 'tag-bit', 'time-shift'],
  },
  {
    label: 'allpass GCM, 16-byte IV, tag in header, base64',
    provider: 'allpass',
    connection: 'gcm-iv16',
    secrets: { cryptoKey: hexKey() },
    options: { encryptionMethod: 'aes-256-gcm', gcmIvBytes: 16, gcmTagSource: 'header', dataEncoding: 'base64' },
    eventTypes: allpassTypes,
    signature: { header: ALLPASS_SIGNATURE_HEADER },
    envelope: { dataEncoding: 'base64', ivBytes: 16, tagInData: false },
    mutations: [...common, 'signature-bit', 'signature-drop', 'iv-bit', 'ciphertext-bit', 'tag-bit', 'time-shift'],
  },
  {
    label: 'allpass CBC with HMAC key, hex',
    provider: 'allpass',
    connection: 'cbc-hmac',
    secrets: { cryptoKey: hexKey(), hmacKey: randomBytes(16).toString('base64url') },
    options: { encryptionMethod: 'aes-256-cbc' },
    eventTypes: allpassTypes,
    signature: { header: ALLPASS_SIGNATURE_HEADER },
    envelope: { dataEncoding: 'hex', ivBytes: 16, tagInData: false },
    mutations: [...common, 'signature-bit', 'signature-drop', 'iv-bit', 'ciphertext-bit', 'time-shift'],
  },
  {
    label: 'allpass CBC with HMAC key, base64',
    provider: 'allpass',
    connection: 'cbc-hmac-b64',
    secrets: { cryptoKey: b64Key(), hmacKey: randomBytes(24).toString('hex') },
    options: { encryptionMethod: 'aes-256-cbc', dataEncoding: 'base64' },
    eventTypes: allpassTypes,
    signature: { header: ALLPASS_SIGNATURE_HEADER },
    envelope: { dataEncoding: 'base64', ivBytes: 16, tagInData: false },
    mutations: [...common, 'signature-bit', 'signature-drop', 'iv-bit', 'ciphertext-bit', 'time-shift'],
  },
  {
    label: 'allpass GCM, dedup key on the payload alone',
    provider: 'allpass',
    connection: 'gcm-payload-key',
    secrets: { cryptoKey: hexKey() },
    options: { encryptionMethod: 'aes-256-gcm', dedupKey: 'payload' },
    eventTypes: allpassTypes,
    signature: { header: ALLPASS_SIGNATURE_HEADER },
    envelope: { dataEncoding: 'hex', ivBytes: 12, tagInData: false },
    mutations: [...common, 'signature-bit', 'signature-drop', 'iv-bit', 'ciphertext-bit', 'tag-bit', 'time-shift'],
  },
  {
    label: 'complycube',
    provider: 'complycube',
    connection: 'cc-main',
    secrets: { webhookSecret: randomBytes(24).toString('base64url') },
    options: {},
    eventTypes: complycubeTypes,
    signature: { header: 'complycube-signature' },
    mutations: [...common, 'signature-bit', 'signature-drop'],
  },
  {
    label: 'complycube with a required header',
    provider: 'complycube',
    connection: 'cc-second',
    secrets: { webhookSecret: randomBytes(24).toString('base64url') },
    options: { requiredHeaders: { authorization: `Bearer ${randomBytes(8).toString('hex')}` } },
    eventTypes: complycubeTypes,
    signature: { header: 'complycube-signature' },
    mutations: [...common, 'signature-bit', 'signature-drop'],
  },
  {
    label: 'verifik shape A',
    provider: 'verifik',
    connection: 'vk-main',
    secrets: { webhookSecret: `whsec_${randomBytes(24).toString('base64')}` },
    options: {},
    eventTypes: VERIFIK_SHAPE_A_TYPES,
    signature: { header: 'x-verifik-signature' },
    mutations: [...common, 'signature-bit', 'signature-drop'],
  },
  {
    label: 'verifik shape B',
    provider: 'verifik',
    connection: 'vk-second',
    secrets: { webhookSecret: `whsec_${randomBytes(24).toString('base64')}` },
    options: {},
    eventTypes: VERIFIK_SHAPE_B_EXAMPLES,
    signature: { header: 'x-verifik-signature' },
    mutations: [...common, 'signature-bit', 'signature-drop'],
  },
  // Every other registered vendor, signed in a header and mutated like ComplyCube: on its defaults,
  // and a second connection with a required header (so a request can be swapped between the two).
  ...PROVIDERS.filter((provider) => !['allpass', 'complycube', 'verifik'].includes(provider.name)).flatMap((provider) =>
    [{}, { requiredHeaders: { authorization: `Bearer ${randomBytes(8).toString('hex')}` } }].map((options, index): Target => ({
      label: index === 0 ? provider.name : `${provider.name} with a required header`,
      provider: provider.name,
      connection: `${provider.name}-${index === 0 ? 'main' : 'second'}`,
      secrets: provider.simulator.generateSecrets(),
      options,
      eventTypes: provider.simulator.eventTypes,
      signature: { header: provider.signatureHeaders[0] },
      mutations: [...common, 'signature-bit', 'signature-drop'],
    })),
  ),
];

/** Not in the property (malleable by design, allowed only explicitly), but present: a target of swapped requests. */
const CBC_PLAIN = { connection: 'cbc-plain', secrets: { cryptoKey: hexKey() }, options: { encryptionMethod: 'aes-256-cbc', allowUnauthenticatedCbc: true } };
const ROUTES: Array<{ provider: string; connection: string }> = [...TARGETS, { provider: 'allpass', ...CBC_PLAIN }];

function build(target: Target): SimulatedRequest {
  const adapter = findProvider(target.provider)!;
  const options = adapter.parseOptions(target.simulatorOptions ?? target.options);
  return adapter.simulator.build(target.eventTypes[Math.floor(Math.random() * target.eventTypes.length)], { secrets: target.secrets, options });
}

interface Plan {
  target: Target;
  mutation: Mutation;
  /** Which bit, which other route, how far to shift: taken modulo what applies. */
  bit: number;
  pick: number;
  shiftSeconds: number;
  singleUrl: boolean;
}

const plan: fc.Arbitrary<Plan> = fc.constantFrom(...TARGETS).chain((target) =>
  fc.record({
    target: fc.constant(target),
    mutation: fc.constantFrom(...target.mutations),
    bit: fc.nat(),
    pick: fc.nat(),
    shiftSeconds: fc.oneof(fc.integer({ min: TOLERANCE_SECONDS + 2, max: 3_600 }), fc.integer({ min: 3_600, max: 10 * 365 * 86_400 })).chain((s) => fc.constantFrom(s, -s)),
    // The single URL, where every enabled connection of the provider is tried, a quarter of the time.
    singleUrl: fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
  }),
);

/** The Allpass envelope `time` of a body as the gateway reads it (undefined when absent or not JSON). */
function envelopeTime(body: string | Buffer): unknown {
  try {
    return (JSON.parse(body.toString()) as { time?: unknown }).time;
  } catch {
    return undefined;
  }
}

/** An Allpass connection whose dedup key covers the envelope `time` (the default). */
const keysOnTime = (target: Target) => target.provider === 'allpass' && (target.options.dedupKey ?? 'time+payload') === 'time+payload';

interface Mutated {
  path: string;
  headers: Record<string, string>;
  body: string | Buffer;
}

/** Flip one bit inside [start, end) of the decoded envelope `data`, re-encoded the same way. */
function mutateData(request: SimulatedRequest, envelope: Envelope, region: 'iv' | 'ciphertext' | 'tag', bit: number): string {
  const body = JSON.parse(request.body) as Record<string, unknown>;
  const bytes = Buffer.from(body.data as string, envelope.dataEncoding);
  const tagLength = envelope.tagInData ? 16 : 0;
  const [start, end] = region === 'iv' ? [0, envelope.ivBytes] : region === 'tag' ? [bytes.length - 16, bytes.length] : [envelope.ivBytes, bytes.length - tagLength];
  const flipped = Buffer.concat([bytes.subarray(0, start), flipBit(bytes.subarray(start, end), bit), bytes.subarray(end)]);
  return JSON.stringify({ ...body, data: flipped.toString(envelope.dataEncoding) });
}

/** One bit flipped in every digest of a header value (`sha256=<hex>`, `t=...,v1=<hex>,v1=<hex>`, a bare hex tag). */
function flipSignature(value: string, bit: number): string {
  return value.replace(/[0-9a-fA-F]{32,}/g, (digest) => flipBit(Buffer.from(digest, 'hex'), bit).toString('hex'));
}

function mutate(request: SimulatedRequest, { target, mutation, bit, pick, shiftSeconds, singleUrl }: Plan): Mutated {
  const own = singleUrl ? '/webhooks' : `/webhooks/${target.provider}/${target.connection}`;
  const headers = { ...request.headers };
  switch (mutation) {
    case 'body-bit':
      return { path: own, headers, body: flipBit(Buffer.from(request.body, 'utf8'), bit) };
    case 'signature-bit': {
      if (!target.signature) return { path: own, headers: { ...headers, [ALLPASS_SIGNATURE_HEADER]: randomBytes(16).toString('hex') }, body: request.body };
      const { header } = target.signature;
      return { path: own, headers: { ...headers, [header]: flipSignature(headers[header], bit) }, body: request.body };
    }
    case 'signature-drop': {
      delete headers[target.signature!.header];
      return { path: own, headers, body: request.body };
    }
    case 'iv-bit':
      return { path: own, headers, body: mutateData(request, target.envelope!, 'iv', bit) };
    case 'ciphertext-bit':
      return { path: own, headers, body: mutateData(request, target.envelope!, 'ciphertext', bit) };
    case 'tag-bit':
      if (!target.envelope!.tagInData) return { path: own, headers: { ...headers, [ALLPASS_SIGNATURE_HEADER]: flipSignature(headers[ALLPASS_SIGNATURE_HEADER], bit) }, body: request.body };
      return { path: own, headers, body: mutateData(request, target.envelope!, 'tag', bit) };
    case 'time-shift': {
      const body = JSON.parse(request.body) as { time: string };
      const time = new Date(Date.parse(body.time) + shiftSeconds * 1_000).toISOString();
      return { path: own, headers, body: JSON.stringify({ ...body, time }) };
    }
    case 'swap-connection': {
      const others = ROUTES.filter((route) => route.provider === target.provider && route.connection !== target.connection);
      const other = others[pick % others.length];
      return { path: `/webhooks/${other.provider}/${other.connection}`, headers, body: request.body };
    }
    case 'swap-provider': {
      const others = ROUTES.filter((route) => route.provider !== target.provider);
      const other = others[pick % others.length];
      return { path: pick % 2 === 0 ? `/webhooks/${other.provider}/${other.connection}` : `/webhooks/${other.provider}`, headers, body: request.body };
    }
  }
}

/** What each mutation may be answered with; 200 only where noted in the property. */
const EXPECTED: Record<Mutation, number[]> = {
  'body-bit': [400, 401],
  'signature-bit': [401],
  'signature-drop': [401],
  'iv-bit': [401],
  'ciphertext-bit': [401],
  'tag-bit': [401],
  'time-shift': [401],
  'swap-connection': [400, 401],
  'swap-provider': [400, 401, 404],
};

describe('ingress fuzzing: mutations of valid requests (sqlite)', () => {
  let database: TestDatabase;
  let gateway: TestApp;

  beforeAll(async () => {
    configureFuzz('ingress-mutations', RUNS);
    database = await createTestDatabase('sqlite');
    gateway = await startTestApp(testConfig({ DATABASE_URL: database.url }));
    const connections = gateway.app.get(ConnectionStore);
    for (const target of TARGETS) await connections.createIfMissing(target.provider, target.connection, target.secrets, target.options);
    await connections.createIfMissing('allpass', CBC_PLAIN.connection, CBC_PLAIN.secrets, CBC_PLAIN.options);
    await gateway.app.get(ConnectionCache).reload();
  });

  afterAll(async () => {
    closeAgent();
    await gateway?.close();
    await database?.drop();
  });

  const post = (request: Mutated): Promise<RawAnswer> => send(gateway.url, { path: request.path, headers: request.headers, body: request.body });

  it('accepts every unmutated request (sanity: otherwise the property below is vacuous)', async () => {
    for (const target of TARGETS) {
      for (const singleUrl of [false, true]) {
        const answer = await post({ path: singleUrl ? '/webhooks' : `/webhooks/${target.provider}/${target.connection}`, ...build(target) });
        expect({ target: target.label, singleUrl, status: answer.status, duplicate: (answer.json as { duplicate?: boolean }).duplicate }).toEqual({
          target: target.label,
          singleUrl,
          status: 200,
          duplicate: false,
        });
      }
    }
  });

  it(`never accepts a mutated request as a new event, never answers 5xx (${RUNS} runs)`, async () => {
    const tally = new Map<string, number>();
    const count = (key: string) => tally.set(key, (tally.get(key) ?? 0) + 1);
    await check(
      'ingress-mutations',
      fc.asyncProperty(plan, async (p) => {
        const original = build(p.target);
        const mutated = mutate(original, p);
        const label = `${p.target.label} / ${p.mutation} (bit ${p.bit}, pick ${p.pick}, shift ${p.shiftSeconds} s, ${mutated.path})`;

        const answer = await post(mutated);
        if (answer.status !== 200) count(`${p.mutation} ${answer.status}`);
        if (answer.status >= 500) throw new Error(`${label}: ${answer.status} ${answer.text}`);
        if (answer.status !== 200 && !isNestError(answer)) throw new Error(`${label}: not Nest's error shape: ${answer.text}`);

        // The unmutated request, sent afterwards: accepted, and new unless the mutated one was
        // the very same event (only possible where the bit is outside what Allpass authenticates:
        // the envelope's status/statusCode/time, or the case of a hex digit in `data`).
        const sane = await post({ path: `/webhooks/${p.target.provider}/${p.target.connection}`, headers: original.headers, body: original.body });
        if (sane.status !== 200) throw new Error(`${label}: the unmutated request got ${sane.status} ${sane.text}`);
        const saneBody = sane.json as { eventId: string; duplicate: boolean };

        if (answer.status === 200) {
          const accepted = answer.json as { eventId: string; duplicate: boolean };
          // An Allpass envelope `time` is not authenticated and, with no window (the default), any
          // time is accepted. Under the default dedup key another `time` is another event (MAPPING.md,
          // "Dedup key": the documented replay risk); a retry of it, same `time`, is a duplicate.
          const outsideAuthenticated = p.mutation === 'body-bit' || p.mutation === 'time-shift';
          const movedTime = envelopeTime(mutated.body) !== envelopeTime(original.body);
          if (outsideAuthenticated && movedTime && keysOnTime(p.target)) {
            if (accepted.duplicate || saneBody.duplicate || saneBody.eventId === accepted.eventId) {
              throw new Error(`${label}: another envelope time should be another event: ${answer.text} / ${sane.text}`);
            }
            const retry = await post(mutated);
            const retryBody = retry.json as { eventId?: string; duplicate?: boolean };
            if (retry.status !== 200 || retryBody.duplicate !== true || retryBody.eventId !== accepted.eventId) {
              throw new Error(`${label}: a retry of the shifted request should be a duplicate: ${retry.status} ${retry.text}`);
            }
            count(`${p.mutation} 200 (a new event: only the unauthenticated time moved, dedupKey time+payload)`);
            return;
          }
          // Otherwise the change was outside what counts: the same event, which the unmutated one repeats.
          const sameEvent = p.target.provider === 'allpass' && outsideAuthenticated && saneBody.duplicate && saneBody.eventId === accepted.eventId;
          if (!sameEvent) throw new Error(`${label}: the mutated request was accepted as a new event ${answer.text}`);
          count(`${p.mutation} 200 (the same event: the change was outside the authenticated data)`);
        } else {
          // On the single URL every connection of the provider is tried, and the most telling refusal
          // wins: another connection's "cannot decrypt" (400) outranks this one's bad tag (401).
          const expected = p.singleUrl ? [...EXPECTED[p.mutation], 400, 401] : EXPECTED[p.mutation];
          if (!expected.includes(answer.status)) throw new Error(`${label}: ${answer.status}, expected one of ${expected.join('/')}: ${answer.text}`);
          if (saneBody.duplicate) throw new Error(`${label}: refused, yet the unmutated request was a duplicate`);
        }
      }),
    );
    console.log(`[fuzz] ingress-mutations outcomes: ${JSON.stringify(Object.fromEntries([...tally].sort()))}`);
  }, 120_000);

  it('keys Allpass dedup on time + payload by default (a new time is a new event) and on the payload alone with dedupKey payload', async () => {
    const adapter = findProvider('allpass')!;
    const shifted = (body: string) => {
      const envelope = JSON.parse(body) as { time: string };
      return JSON.stringify({ ...envelope, time: new Date(Date.parse(envelope.time) + 3_600_000).toISOString() });
    };
    for (const [connection, newEvent] of [
      ['gcm-header', true],
      ['gcm-payload-key', false],
    ] as const) {
      const target = TARGETS.find((candidate) => candidate.connection === connection)!;
      const request = adapter.simulator.build('applicantInReview', { secrets: target.secrets, options: adapter.parseOptions(target.options) });
      const path = `/webhooks/allpass/${connection}`;
      const first = (await send(gateway.url, { path, headers: request.headers, body: request.body })).json as { eventId: string; duplicate: boolean };
      const retry = (await send(gateway.url, { path, headers: request.headers, body: request.body })).json as { eventId: string; duplicate: boolean };
      const later = (await send(gateway.url, { path, headers: request.headers, body: shifted(request.body) })).json as { eventId: string; duplicate: boolean };
      expect({ connection, first: first.duplicate, retry: [retry.duplicate, retry.eventId === first.eventId] }).toEqual({ connection, first: false, retry: [true, true] });
      expect({ connection, laterIsNew: !later.duplicate && later.eventId !== first.eventId }).toEqual({ connection, laterIsNew: newEvent });
    }
  });

  it('documents the weakness of Allpass CBC without an HMAC key: an IV bit flip is accepted and changes the event type', async () => {
    // Plaintext starts `{"type":"applica…`: flipping bit 2 of IV byte 9 turns the `a` into `e` after
    // decryption, and CBC has nothing to notice it. GCM (tag) or an HMAC key (see the property) refuse it.
    const adapter = findProvider('allpass')!;
    const request = adapter.simulator.build('applicantApproved', { secrets: CBC_PLAIN.secrets, options: adapter.parseOptions(CBC_PLAIN.options) });
    const envelope = JSON.parse(request.body) as { data: string };
    const bytes = Buffer.from(envelope.data, 'hex');
    bytes[9] ^= 0x04;
    const forged = JSON.stringify({ ...envelope, data: bytes.toString('hex') });
    const answer = await send(gateway.url, { path: `/webhooks/allpass/${CBC_PLAIN.connection}`, headers: request.headers, body: forged });
    expect(answer.status).toBe(200);
    const event = await gateway.app.get(EventStore).findById((answer.json as { eventId: string }).eventId);
    expect(event).toMatchObject({ providerEventType: 'epplicantApproved', type: 'allpass.epplicantApproved' });
    // The adapter says so at boot for this configuration.
    expect(adapter.securityWarnings({ secrets: CBC_PLAIN.secrets, options: adapter.parseOptions(CBC_PLAIN.options) })).toEqual([expect.stringContaining('unauthenticated')]);
  });
});
