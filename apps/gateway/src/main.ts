import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { closeOnSignals, loadConfigOrExit } from '@kyc/platform';
import { GatewayModule } from './gateway.module';
import { createHttpApp } from './http-app';

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit();
  const app = await createHttpApp(GatewayModule.forRoot(config));
  const { PORT } = config.env;
  await app.listen(PORT);
  closeOnSignals(app, 'Gateway');
  new Logger('Gateway').log(`listening on http://localhost:${PORT}/webhooks`);
}

void bootstrap();
