import { hmacSha256 } from '@kyc/core';
import { AppConfig } from '@kyc/config';
import { EventStore } from '@kyc/persistence';
import { findProvider } from '@kyc/providers';
import { testConfig, waitFor } from '@kyc/testing';
import { post } from './support/http';
import { startTestApp, TestApp } from './support/test-app';

/**
 * What reaches the logs: JSON lines with request ids, and never a secret, a signature, an admin key
 * or payload data. Its own file: nestjs-pino keeps its out-of-request logger per process module
 * registry, so the capturing app must be the first in it.
 */
describe('structured logs', () => {
  const SECRET = 'cc-logging-secret-value';
  const APPLICANT_ID = 'applicant-0f5e1d2c3b4a';
  const lines: string[] = [];
  let config: AppConfig;
  let gateway: TestApp;

  beforeAll(async () => {
    config = testConfig({ COMPLYCUBE_WEBHOOK_SECRET: SECRET, LOG_LEVEL: 'debug' });
    gateway = await startTestApp(config, { logDestination: { write: (line: string) => void lines.push(line) } });
  });

  afterAll(() => gateway?.close());

  it('logs requests with their id and without signatures, keys, secrets or payload data', async () => {
    const complycube = findProvider('complycube')!;
    const request = complycube.simulator.build('check.completed.clear', { secrets: { webhookSecret: SECRET }, options: complycube.parseOptions({}) }, { payload: { clientId: APPLICANT_ID } });
    const signature = request.headers['complycube-signature'];
    const accepted = await post(`${gateway.url}/webhooks/complycube`, { ...request, headers: { ...request.headers, 'x-request-id': 'trace-accepted-1' } });
    expect(accepted.status).toBe(200);
    // The applicant id did travel in the payload: it must show up nowhere in the logs.
    expect((await gateway.app.get(EventStore).findById(accepted.body.eventId as string))?.subject.applicantId).toBe(APPLICANT_ID);

    // A refusal logs a warning inside the request, with the same id.
    const badSignature = hmacSha256('wrong', request.body).toString('hex');
    const refused = await post(`${gateway.url}/webhooks/complycube`, { body: request.body, headers: { ...request.headers, 'complycube-signature': badSignature, 'x-request-id': 'trace-refused-1' } });
    expect(refused.status).toBe(401);

    const key = config.adminApiKey;
    await fetch(`${gateway.url}/admin/subscribers`, { headers: { authorization: `Bearer ${key}` } });
    await fetch(`${gateway.url}/admin/queues?key=${encodeURIComponent(key)}`);
    await fetch(`${gateway.url}/admin/subscribers?cursor=${APPLICANT_ID}`, { headers: { authorization: `Bearer ${key}` } });
    await fetch(`${gateway.url}/health/live`);
    // Completion lines are written on 'finish', after the answer: wait for the last logged request's (health is not logged).
    await waitFor(() => lines.filter((line) => line.includes('"request completed"') && line.includes('/admin/subscribers')).length >= 2, 5_000);

    const records = lines.map((line) => JSON.parse(line) as { reqId?: string; msg?: string; context?: string; req?: { url: string } });
    const completed = (id: string) => records.find((record) => record.reqId === id && record.msg === 'request completed');
    expect(completed('trace-accepted-1')?.req?.url).toBe('/webhooks/complycube');
    expect(completed('trace-refused-1')).toBeDefined();
    expect(records.find((record) => record.reqId === 'trace-refused-1' && record.context === 'Ingress')?.msg).toMatch(/^refused complycube\/default 401 invalid_signature/);
    expect(records.some((record) => record.req?.url === '/admin/queues')).toBe(true);
    expect(records.some((record) => record.req?.url?.startsWith('/health'))).toBe(false);

    const text = lines.join('');
    for (const secret of [signature, badSignature, APPLICANT_ID, key, SECRET]) expect(text).not.toContain(secret);
  });
});
