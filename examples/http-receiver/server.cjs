// @ts-check
/**
 * An HTTP subscriber of the KYC webhook gateway: verifies each delivery's Standard Webhooks
 * signature on the raw body with the consumer package's helper, then handles the event once.
 *
 *   KYC_WEBHOOK_SECRET=whsec_... PORT=3001 node server.cjs
 *
 * Answers 204 when handled (or already handled: delivery is at least once), 401 for a bad
 * signature, 400 for a body that is not a VerificationEvent. Logs ids and types only.
 */
const { createServer } = require('node:http');
const { InvalidDeliverySignatureError, verifyHttpDelivery } = require('@kyc-webhook-gateway/consumer');

const secret = process.env.KYC_WEBHOOK_SECRET ?? '';
if (!secret) throw new Error('KYC_WEBHOOK_SECRET is required (the whsec_ secret the gateway gave for this subscriber)');
const MAX_BODY_BYTES = 1024 * 1024;
/** Event ids already handled; a real service keeps them in its database. */
const handled = new Set();

/** @param {Record<string, unknown>} fields */
const log = (fields) => console.log(JSON.stringify(fields));

/** @param {import('node:http').IncomingMessage} request @returns {Promise<Buffer | undefined>} */
async function readBody(request) {
  const chunks = [];
  let size = 0;
  for await (const chunk of request) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** @param {import('node:http').IncomingMessage} request @param {import('node:http').ServerResponse} response */
async function handle(request, response) {
  if (request.method !== 'POST' || request.url !== '/kyc') return void response.writeHead(404).end();
  const body = await readBody(request);
  if (body === undefined) return void response.writeHead(413).end();
  let event;
  try {
    // The exact bytes received: a re-serialized body would not verify.
    event = verifyHttpDelivery(secret, body, request.headers);
  } catch (error) {
    const status = error instanceof InvalidDeliverySignatureError ? 401 : 400;
    log({ outcome: 'refused', status });
    return void response.writeHead(status).end();
  }
  if (handled.has(event.id)) {
    log({ event: event.id, type: event.type, outcome: 'duplicate' });
    return void response.writeHead(204).end();
  }
  // ...the service's own work goes here; throw (answer 5xx) and the gateway retries.
  handled.add(event.id);
  log({ event: event.id, type: event.type, status: event.status, stale: event.verification?.stale ?? false, outcome: 'accepted' });
  response.writeHead(204).end();
}

const server = createServer((request, response) => {
  // A request cut mid-body, or a bug: a 500 makes the gateway retry; the process stays up.
  handle(request, response).catch(() => response.headersSent || response.writeHead(500).end());
});

server.listen(Number(process.env.PORT ?? 3001), process.env.HOST ?? '127.0.0.1', () => {
  const address = server.address();
  log({ listening: typeof address === 'object' && address ? address.port : address });
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
