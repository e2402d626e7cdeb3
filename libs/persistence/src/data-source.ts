/**
 * For the TypeORM CLI only, e.g.
 *   DATABASE_URL=postgres://... npx typeorm-ts-node-commonjs -d libs/persistence/src/data-source.ts migration:show
 * The apps build their data source from the validated configuration instead.
 */
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { validateEnvironment } from '@kyc/config';
import { databaseOptions } from './database-options';

const env = validateEnvironment(process.env);
export default new DataSource(databaseOptions({ url: env.DATABASE_URL, migrate: false }));
