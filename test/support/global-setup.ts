import { randomBytes } from 'node:crypto';

/** One id per jest run: its suites queue under `test-<run>-…`, and the teardown removes only those. */
export default function globalSetup(): void {
  process.env.KYC_TEST_RUN = randomBytes(3).toString('hex');
}
