/**
 * The benchmark's yardstick: a bare `node:http` server doing the least a webhook receiver must
 * do (read the body, check the ComplyCube HMAC in constant time, answer 200), with nothing
 * stored. The gateway's ingest rate divided by this one's, measured in the same run on the same
 * machine, is the figure that survives a noisy machine.
 *
 *   BASELINE_SECRET=<webhook secret> node -r ts-node/register/transpile-only bench/baseline-server.ts
 * prints `listening <port>` once ready.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const secret = process.env.BASELINE_SECRET ?? '';

const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const body = Buffer.concat(chunks);
    const expected = createHmac('sha256', secret).update(body).digest();
    const given = Buffer.from(String(request.headers['complycube-signature'] ?? ''), 'hex');
    const valid = given.length === expected.length && timingSafeEqual(given, expected);
    response.writeHead(valid ? 200 : 401, { 'content-type': 'application/json' });
    response.end(valid ? '{"received":true}' : '{"received":false}');
  });
});

server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`listening ${(server.address() as AddressInfo).port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
