import 'reflect-metadata';
import { Logger, Module } from '@nestjs/common';
import { createHttpApp, GatewayFeaturesModule } from '@kyc/gateway';
import { closeOnSignals, loadConfigOrExit, PlatformModule } from '@kyc/platform';
import { WorkerFeaturesModule } from '@kyc/worker';

/** `npm start`: gateway and worker in one process, on the embedded defaults (SQLite + local Redis). */
async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit();
  @Module({ imports: [PlatformModule.forRoot(config), GatewayFeaturesModule, WorkerFeaturesModule] })
  class StandaloneModule {}

  const app = await createHttpApp(StandaloneModule);
  await app.listen(config.env.PORT);
  closeOnSignals(app, 'Gateway');
  const logger = new Logger('Gateway');
  logger.log(`gateway and worker running; webhooks to http://localhost:${config.env.PORT}/webhooks`);
  if (config.env.GATEWAY_PROCESSES > 1) logger.warn('GATEWAY_PROCESSES applies to `npm run start:gateway`; `npm start` runs one process');
}

void bootstrap();
