import autocannon from 'autocannon';
import { findProvider } from '@kyc/providers';

async function main() {
  const [url, secret, seconds] = [process.argv[2], process.argv[3], Number(process.argv[4] ?? 10)];
  const adapter = findProvider('complycube')!;
  const credentials = { secrets: { webhookSecret: secret }, options: adapter.parseOptions({}) };
  const requests = Array.from({ length: 60_000 }, () => adapter.simulator.build(adapter.simulator.sampleEventType, credentials));
  let i = 0;
  const result = await autocannon({
    url,
    connections: 64,
    duration: seconds,
    requests: [{ method: 'POST', setupRequest: (req: any) => { const r = requests[i++ % requests.length]; return { ...req, headers: r.headers, body: r.body }; } }],
  });
  console.log(JSON.stringify({ rps: result.requests.average, p99: result.latency.p99, p50: result.latency.p50, non2xx: result.non2xx, total: result.requests.total }));
}
void main();
