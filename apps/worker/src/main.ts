import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { closeOnSignals, loadConfigOrExit } from '@kyc/platform';
import { WorkerModule } from './worker.module';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(loadConfigOrExit()));
  closeOnSignals(app, 'Worker');
}

void bootstrap();
