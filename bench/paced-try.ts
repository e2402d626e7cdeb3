import { findProvider } from '@kyc/providers';
import { firePaced, RequestPool } from './load';
async function main() {
  const adapter = findProvider('complycube')!;
  const secret = 'abcdefabcdefabcdefabcdef';
  const requests = RequestPool.build(adapter, { secrets: { webhookSecret: secret }, options: adapter.parseOptions({}) }, 2500).requests;
  const r = await firePaced({ url: process.argv[2], requests, rate: 500, connections: 16, onScheduled: () => undefined, capMs: 60000 });
  console.log(JSON.stringify(r));
}
void main();
