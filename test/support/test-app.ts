import { INestApplication, Module } from '@nestjs/common';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DestinationStream } from 'pino';
import { AppConfig } from '@kyc/config';
import { PlatformModule } from '@kyc/platform';
import { createHttpApp, GatewayFeaturesModule } from '@kyc/gateway';
import { WorkerFeaturesModule } from '@kyc/worker';

export interface TestApp {
  app: INestApplication;
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Run the worker's processors in the same process. */
  worker?: boolean;
  /** Send the JSON log lines here, at LOG_LEVEL (otherwise only errors reach stdout, unless TEST_LOGS is set). */
  logDestination?: DestinationStream;
}

/** The gateway over real HTTP on a random port, with or without the worker in the same process. */
export async function startTestApp(config: AppConfig, { worker = false, logDestination }: TestAppOptions = {}): Promise<TestApp> {
  @Module({ imports: [PlatformModule.forRoot(config, { destination: logDestination }), GatewayFeaturesModule, ...(worker ? [WorkerFeaturesModule] : [])] })
  class TestRootModule {}

  const app = await createHttpApp(TestRootModule, process.env.TEST_LOGS || logDestination ? undefined : ['error']);
  await app.listen(0, '127.0.0.1');
  const { port } = (app.getHttpServer() as Server).address() as AddressInfo;
  return { app, url: `http://127.0.0.1:${port}`, close: () => app.close() };
}
