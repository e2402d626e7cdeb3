import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { useAppLogger } from '@kyc/observability';
import { closeOnSignals, loadConfigOrExit } from '@kyc/platform';
import { WorkerModule } from '@kyc/worker';

async function bootstrap(): Promise<void> {
  // Boot logs are buffered until the pino logger (JSON lines, LOG_LEVEL) takes over.
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(loadConfigOrExit()), { bufferLogs: true });
  useAppLogger(app);
  closeOnSignals(app, 'Worker');
}

void bootstrap();
