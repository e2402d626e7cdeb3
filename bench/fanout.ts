/**
 * Rough fan-out benchmark: N stored events dispatched by one in-process worker to one queue
 * subscriber, or to a local keep-alive HTTP receiver; prints events/s from the first dispatch to
 * the last succeeded delivery.
 *
 *   npm run bench:fanout -- [--events 5000] [--kind queue|http] [--database postgres://...|sqlite:...]
 */
import 'reflect-metadata';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Worker } from 'bullmq';
import { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { DeliveryEntity, EventStore, SubscriberStore } from '@kyc/persistence';
import { PlatformModule } from '@kyc/platform';
import { EventPublisher, redisOptions } from '@kyc/queue';
import { testConfig } from '@kyc/testing';
import { WorkerFeaturesModule } from '../apps/worker/src/worker.module';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      events: { type: 'string', default: '5000' },
      kind: { type: 'string', default: 'queue' },
      database: { type: 'string' },
    },
  });
  const total = Number(values.events);
  const config = testConfig(values.database ? { DATABASE_URL: values.database } : {});
  @Module({ imports: [PlatformModule.forRoot(config), WorkerFeaturesModule] })
  class BenchModule {}
  const app = await NestFactory.createApplicationContext(BenchModule, { logger: ['error'] });

  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => response.writeHead(200).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const consumer = new Worker('bench-sink', async () => undefined, { connection: redisOptions(config.env.REDIS_URL, 'worker'), prefix: config.env.QUEUE_PREFIX, concurrency: 100 });

  await app.get(SubscriberStore).create(values.kind === 'http' ? { name: 'sink', kind: 'http', url } : { name: 'sink', kind: 'queue', queue: 'bench-sink' });
  const events = app.get(EventStore);
  const ids: string[] = [];
  const receivedAt = new Date(Date.now() + 1_000).toISOString();
  for (let i = 0; i < total; i++) {
    const id = uuidv7();
    ids.push(id);
    await events.record(
      { specVersion: '1', id, provider: 'complycube', connection: 'default', type: 'check.completed', status: null, providerEventId: `evt_${id}`, providerEventType: 'check.completed.clear', subject: { checkId: id }, occurredAt: receivedAt, receivedAt, details: { outcome: 'clear' } },
      { id: `evt_${id}` },
    );
  }
  await new Promise((resolve) => setTimeout(resolve, 2_500)); // subscriber cache reload
  const deliveries = app.get(DataSource).getRepository(DeliveryEntity);
  const started = performance.now();
  for (let i = 0; i < ids.length; i += 500) await app.get(EventPublisher).add(ids.slice(i, i + 500));
  while ((await deliveries.countBy({ status: 'succeeded' })) < total) await new Promise((resolve) => setTimeout(resolve, 100));
  const seconds = (performance.now() - started) / 1000;
  console.log(JSON.stringify({ kind: values.kind, database: config.env.DATABASE_URL.split(':')[0], events: total, seconds: Number(seconds.toFixed(2)), eventsPerSecond: Math.round(total / seconds) }));

  await consumer.close();
  server.close();
  await app.close();
}

main().catch((error: Error) => {
  console.error(`bench: ${error.stack}`);
  process.exitCode = 1;
});
