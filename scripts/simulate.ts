/**
 * Send a realistic, correctly signed/encrypted vendor webhook to a running gateway.
 *
 *   npm run simulate -- <provider> <vendor-type> [--url http://localhost:3000/webhooks] [--connection default] [--count 1]
 *
 * Secrets come from the local configuration: the connection as stored in the gateway's database
 * (opened with the local SECRETS_KEY). Outside production a missing connection is created with
 * generated secrets, so a fresh `npm start` can be tried at once.
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { findProvider, PROVIDERS } from '@kyc/providers';
import { localCredentials } from './local-connection';

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      url: { type: 'string', default: 'http://localhost:3000/webhooks' },
      connection: { type: 'string', default: 'default' },
      count: { type: 'string', default: '1' },
    },
  });
  const [providerName, eventType] = positionals;
  const adapter = providerName ? findProvider(providerName) : undefined;
  if (!adapter || !eventType) return usage();

  const credentials = await localCredentials(adapter, values.connection);
  for (let i = 0; i < Number(values.count); i++) {
    const request = adapter.simulator.build(eventType, credentials);
    const started = performance.now();
    const response = await fetch(values.url, { method: 'POST', headers: request.headers, body: request.body });
    const answer = await response.text();
    console.log(`${adapter.name} ${eventType} → ${response.status} ${answer} (${(performance.now() - started).toFixed(1)} ms)`);
  }
}

function usage(): void {
  console.error('usage: npm run simulate -- <provider> <vendor-type> [--url URL] [--connection NAME] [--count N]\n');
  for (const provider of PROVIDERS) console.error(`${provider.name}:\n  ${provider.simulator.eventTypes.join('\n  ')}\n`);
  process.exitCode = 2;
}

main().catch((error: Error) => {
  console.error(`simulate: ${error.message}`);
  process.exitCode = 1;
});
