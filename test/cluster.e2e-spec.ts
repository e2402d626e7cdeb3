import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { findProvider } from '@kyc/providers';
import { createTestDatabase, DATABASE_KINDS, testConfig, waitFor } from '@kyc/testing';
import { freePort, GatewayProcess, storedEventIds } from './support/worker-process';

const SECRET = 'cc-cluster';
const complycube = findProvider('complycube')!;

type Seen = { status: number; eventId?: string } | { error: string };

/** One request; `agent` false for a new connection, which round-robin hands to the next process. */
function send(url: string, method: 'GET' | 'POST', path: string, agent: HttpAgent | false = false): Promise<Seen & { text?: string }> {
  const { headers, body } =
    method === 'POST' ? complycube.simulator.build('check.completed.clear', { secrets: { webhookSecret: SECRET }, options: complycube.parseOptions({}) }) : { headers: {}, body: undefined };
  return new Promise((resolve) => {
    const outgoing = httpRequest(`${url}${path}`, { method, headers, agent }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => {
        const status = response.statusCode ?? 0;
        if (method === 'GET') return resolve({ status, text });
        resolve({ status, ...(status === 200 ? { eventId: (JSON.parse(text) as { eventId: string }).eventId } : {}) });
      });
      response.on('error', (error) => resolve({ error: String(error) }));
    });
    outgoing.on('error', (error) => resolve({ error: (error as { code?: string }).code ?? String(error) }));
    outgoing.end(body);
  });
}

const webhooks = (url: string, count: number, agent: HttpAgent | false = false) => Promise.all(Array.from({ length: count }, () => send(url, 'POST', '/webhooks/complycube', agent)));
const ACCEPTED = { status: 200, eventId: expect.any(String) };

/** Pids of the gateway processes the primary has reported listening, in order. */
const listeningPids = (output: string) => [...output.matchAll(/gateway process (\d+) listening/g)].map((match) => Number(match[1]));
/** Pids of the processes that logged the completion of a webhook request. */
const webhookServers = (output: string) => new Set([...output.matchAll(/"pid":(\d+),[^\n]*"url":"\/webhooks\/complycube"[^\n]*"request completed"/g)].map((match) => Number(match[1])));
/** A sample's value in Prometheus text, or undefined. */
const sample = (text: string, name: string) => {
  const line = text.split('\n').find((one) => one.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
};

describe.each(DATABASE_KINDS)('a gateway of GATEWAY_PROCESSES=2 on %s', (kind) => {
  it('serves and stores webhooks from both processes, reports the whole gateway on /metrics, replaces a killed process, and drains every request on SIGTERM', async () => {
    const database = await createTestDatabase(kind);
    const config = testConfig({ DATABASE_URL: database.url, COMPLYCUBE_WEBHOOK_SECRET: SECRET, GATEWAY_PROCESSES: '2', LOG_LEVEL: 'info' });
    const gateway = new GatewayProcess(config, await freePort());
    const agent = new HttpAgent({ keepAlive: true, maxSockets: 64 });
    const acknowledged: string[] = [];
    const accept = (seen: Seen[]) => {
      for (const one of seen) expect(one).toEqual(ACCEPTED);
      acknowledged.push(...seen.flatMap((one) => ('eventId' in one && one.eventId ? [one.eventId] : [])));
    };
    try {
      gateway.start();
      await gateway.ready();
      // Migrated once by the primary, then both children booted at once (on SQLite too).
      await waitFor(() => gateway.output.includes('2 gateway processes serving'), 30_000, `not both processes up:\n${gateway.output}`);
      const [first, second] = listeningPids(gateway.output);

      // New connections alternate between the processes: both serve.
      accept(await webhooks(gateway.url, 40));
      await waitFor(() => webhookServers(gateway.output).size === 2, 5_000, 'one process served every webhook');
      expect(webhookServers(gateway.output)).toEqual(new Set([first, second]));

      // Whichever process answers the scrape, it reports both: counters summed, and the gauges
      // read from the database not counted twice (no worker runs: all 40 are still undispatched).
      for (let scrape = 0; scrape < 6; scrape++) {
        const metrics = await send(gateway.url, 'GET', '/metrics');
        expect(metrics).toMatchObject({ status: 200 });
        expect(sample(metrics.text!, 'kyc_webhooks_received_total{provider="complycube",outcome="accepted"}')).toBe(40);
        expect(sample(metrics.text!, 'kyc_ingress_duration_seconds_count{provider="complycube"}')).toBe(40);
        expect(sample(metrics.text!, 'kyc_relay_backlog')).toBe(40);
      }

      // A process killed outright is replaced; the other serves meanwhile.
      process.kill(first, 'SIGKILL');
      await waitFor(() => gateway.output.includes(`gateway process ${first} exited unexpectedly (signal SIGKILL)`), 5_000, 'the death went unnoticed');
      accept(await webhooks(gateway.url, 10));
      await waitFor(() => listeningPids(gateway.output).length === 3, 30_000, `no replacement:\n${gateway.output}`);
      const replacement = listeningPids(gateway.output)[2];
      accept(await webhooks(gateway.url, 20));
      await waitFor(() => webhookServers(gateway.output).has(replacement), 5_000, 'the replacement served nothing');

      // SIGTERM while 50 webhooks are in flight on kept-alive connections (to both processes):
      // every one answered, then every process drained and the gateway exits 0.
      const warmUp = await Promise.all(Array.from({ length: 50 }, () => send(gateway.url, 'GET', '/health/live', agent)));
      expect(warmUp.every((seen) => 'status' in seen && seen.status === 200)).toBe(true);
      const burst = Array.from({ length: 50 }, () => send(gateway.url, 'POST', '/webhooks/complycube', agent));
      await Promise.race(burst);
      const exited = await gateway.terminate('SIGTERM');
      accept(await Promise.all(burst));
      expect({ code: exited.code, signal: exited.signal }).toEqual({ code: 0, signal: null });
      expect(exited.ms).toBeLessThan(5_000);
      expect(gateway.output).toContain(`gateway process ${second} exited (code 0)`);
      expect(gateway.output).toContain(`gateway process ${replacement} exited (code 0)`);
      if (process.env.TEST_FIGURES) process.stdout.write(`${kind}: 2 processes, ${acknowledged.length} webhooks acknowledged, SIGTERM to exit 0 in ${exited.ms} ms\n`);

      // Acknowledged means stored, whichever process answered.
      const stored = await storedEventIds(database.url);
      expect(acknowledged).toHaveLength(120);
      expect(acknowledged.filter((eventId) => !stored.has(eventId))).toEqual([]);
    } finally {
      agent.destroy();
      await gateway.kill();
      await database.drop();
    }
  });
});
