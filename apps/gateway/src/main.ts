import 'reflect-metadata';
import cluster from 'node:cluster';
import { Logger } from '@nestjs/common';
import { createHttpApp, GatewayModule } from '@kyc/gateway';
import { closeOnSignals, loadConfigOrExit, runGatewayCluster } from '@kyc/platform';

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit();
  // GATEWAY_PROCESSES > 1: this process starts and supervises the HTTP processes, each of which
  // runs this file again (as a cluster worker) and goes on below.
  if (config.env.GATEWAY_PROCESSES > 1 && cluster.isPrimary) return runGatewayCluster(config);
  const app = await createHttpApp(GatewayModule.forRoot(config));
  const { PORT } = config.env;
  await app.listen(PORT);
  closeOnSignals(app, 'Gateway');
  new Logger('Gateway').log(`listening on http://localhost:${PORT}/webhooks`);
}

void bootstrap();
