import 'reflect-metadata';
import { resealTallies, rotateSecrets } from '@kyc/worker';

/** `npm run secrets:rotate` (see rotateSecrets). */
rotateSecrets()
  .then((report) => {
    const left = resealTallies(report).some(([, tally]) => tally.unopenable.length > 0 || tally.changedMeanwhile > 0);
    process.stdout.write(left ? 'some values are left: keep SECRETS_KEY_PREVIOUS and run again\n' : 'done: SECRETS_KEY_PREVIOUS may be removed\n');
    process.exit(left ? 1 : 0);
  })
  .catch((error: Error) => {
    process.stderr.write(`secrets:rotate failed: ${error.message}\n`);
    process.exit(1);
  });
