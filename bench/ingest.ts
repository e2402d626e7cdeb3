/**
 * Rough ingest benchmark against a running gateway: autocannon with a unique, correctly
 * signed/encrypted body per request (no dedup shortcut).
 *
 *   npm run bench:ingest -- [--url http://localhost:3000] [--provider complycube] [--type <vendor type>]
 *                           [--connections 64] [--duration 10]
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { findProvider } from '@kyc/providers';
import { localCredentials } from '../scripts/local-connection';

const DEFAULT_TYPES: Record<string, string> = { allpass: 'applicantApproved', complycube: 'check.completed.clear', verifik: 'verification.completed' };

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string', default: 'http://localhost:3000' },
      provider: { type: 'string', default: 'complycube' },
      type: { type: 'string' },
      connection: { type: 'string', default: 'default' },
      connections: { type: 'string', default: '64' },
      duration: { type: 'string', default: '10' },
    },
  });
  const adapter = findProvider(values.provider);
  if (!adapter) throw new Error(`unknown provider ${values.provider}`);
  const credentials = await localCredentials(adapter, values.connection);
  const vendorType = values.type ?? DEFAULT_TYPES[adapter.name];

  // Bodies are built before the run, so the load generator spends its CPU on sending.
  const bodies = Array.from({ length: 50_000 }, () => adapter.simulator.build(vendorType, credentials));
  let next = 0;
  const result = await autocannon({
    url: `${values.url}/webhooks/${adapter.name}/${values.connection}`,
    connections: Number(values.connections),
    duration: Number(values.duration),
    requests: [
      {
        method: 'POST',
        setupRequest: (request) => {
          const built = bodies[next++ % bodies.length];
          return { ...request, headers: built.headers, body: built.body };
        },
      },
    ],
  });
  const line = {
    provider: adapter.name,
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    total: result.requests.total,
  };
  console.log(JSON.stringify(line));
  if (result.requests.total > bodies.length) console.warn('note: more requests than unique bodies; later ones were duplicates');
}

main().catch((error: Error) => {
  console.error(`bench: ${error.message}`);
  process.exitCode = 1;
});
