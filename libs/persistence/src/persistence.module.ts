import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '@kyc/config';
import { ConnectionStore } from './connection.store';
import { databaseOptions, initializeDataSource } from './database-options';
import { ENTITIES } from './entities';
import { EventStore } from './event.store';
import { InboundRefusalStore } from './inbound-refusal.store';
import { OutboxQueries } from './outbox.queries';
import { OpsQueries } from './ops.queries';
import { OverviewQueries } from './overview.queries';
import { RetentionQueries } from './retention.queries';
import { DeliveryStore } from './delivery.store';
import { SubscriberStore } from './subscriber.store';
import { VerificationLedger } from './verification.ledger';
import { VerificationStore } from './verification.store';

const STORES = [EventStore, ConnectionStore, InboundRefusalStore, SubscriberStore, DeliveryStore, VerificationLedger, VerificationStore];
/** Read-only and maintenance queries beside the stores (metrics, the console's overview, payload retention, operational checks). */
const QUERIES = [OutboxQueries, OverviewQueries, RetentionQueries, OpsQueries];

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        ...databaseOptions({ url: config.env.DATABASE_URL, migrate: config.env.DATABASE_MIGRATE, statementTimeoutMs: config.env.DATABASE_STATEMENT_TIMEOUT_MS }),
        // Boot fails clearly instead of retrying silently: a bad DATABASE_URL is an operator error.
        retryAttempts: 2,
        retryDelay: 1_000,
      }),
      dataSourceFactory: async (options) => initializeDataSource(options!),
    }),
    TypeOrmModule.forFeature(ENTITIES),
  ],
  providers: [...STORES, ...QUERIES],
  exports: [TypeOrmModule, ...STORES, ...QUERIES],
})
export class PersistenceModule {}
