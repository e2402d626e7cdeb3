import { SecretBox } from '@kyc/core';
import { loadConfigOrExit } from '@kyc/platform';
import { databaseOptions, initializeDataSource, SecretsResealer, type ResealReport, type ResealTally } from '@kyc/persistence';

/**
 * `npm run secrets:rotate`: re-seal every stored secret and personal-data value with the current
 * SECRETS_KEY (opening older values with SECRETS_KEY_PREVIOUS), and recompute the blind indexes.
 * Exits 0 when nothing is left that needs a previous key, so it may then be dropped; 1 otherwise.
 * Prints counts and row ids only, never a value.
 */
export async function rotateSecrets(log: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Promise<ResealReport> {
  const config = loadConfigOrExit();
  const dataSource = await initializeDataSource(databaseOptions({ url: config.env.DATABASE_URL, migrate: config.env.DATABASE_MIGRATE }));
  try {
    const box = new SecretBox(config.secretsKey, config.previousSecretsKeys);
    log(`re-sealing with key ${box.keyId} (${config.previousSecretsKeys.length} previous key(s) accepted for opening)`);
    const report = await new SecretsResealer(dataSource, box).run();
    for (const [table, tally] of resealTallies(report)) {
      log(`${table}: ${tally.resealed} re-sealed, ${tally.changedMeanwhile} changed meanwhile, ${tally.unopenable.length} not openable`);
      if (tally.unopenable.length > 0) log(`  not openable (${table} ids): ${tally.unopenable.slice(0, 20).join(', ')}${tally.unopenable.length > 20 ? ', ...' : ''}`);
    }
    return report;
  } finally {
    await dataSource.destroy();
  }
}

/** Each table's tally (Object.entries types an interface's values as any). */
export function resealTallies(report: ResealReport): Array<[keyof ResealReport, ResealTally]> {
  return Object.entries(report) as Array<[keyof ResealReport, ResealTally]>;
}
