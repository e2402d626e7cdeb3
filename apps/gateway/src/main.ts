import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createHttpApp, GatewayModule } from '@kyc/gateway';
import { closeOnSignals, loadConfigOrExit } from '@kyc/platform';

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit();
  const app = await createHttpApp(GatewayModule.forRoot(config));
  const { PORT } = config.env;
  await app.listen(PORT);
  closeOnSignals(app, 'Gateway');
  new Logger('Gateway').log(`listening on http://localhost:${PORT}/webhooks`);
}

void bootstrap();
