// @ts-check
/**
 * A downstream service that keeps an applicant table up to date from a queue subscriber of the
 * KYC webhook gateway. The table is a JSON file (a real service would use its database the same way).
 *
 *   REDIS_URL=redis://127.0.0.1:6379 QUEUE=kyc-applicants node main.mjs
 *
 * - Idempotent on event.id: delivery is at least once (retries, redeliveries, an operator's replay).
 * - Ignores stale events: a vendor's late retry of an older status, flagged by the gateway, would
 *   otherwise roll a decision back. (The gateway sends them only to subscribers that ask for them
 *   with `includeStale: true`; ignoring them here is safe either way.)
 * - Logs ids and types only: the events carry personal data.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { consumeVerificationEvents, isOpsEvent } from '@kyc-webhook-gateway/consumer';

const tableFile = process.env.APPLICANTS_FILE ?? 'applicants.json';

/**
 * @typedef {{ provider: string, connection: string, applicantId?: string, externalUserId?: string,
 *   status: string | null, statusAt: string, lastEventId: string }} Applicant
 * @typedef {{ applicants: Record<string, Applicant>, processedEventIds: string[] }} Table
 */

/** @returns {Promise<Table>} */
async function loadTable() {
  try {
    return JSON.parse(await readFile(tableFile, 'utf8'));
  } catch (error) {
    if (/** @type {NodeJS.ErrnoException} */ (error).code === 'ENOENT') return { applicants: {}, processedEventIds: [] };
    throw error;
  }
}

/** Written to a temporary file, then renamed: a crash never leaves half a table. @param {Table} table */
async function saveTable(table) {
  await writeFile(`${tableFile}.tmp`, JSON.stringify(table, null, 2));
  await rename(`${tableFile}.tmp`, tableFile);
}

const table = await loadTable();
const processed = new Set(table.processedEventIds);

/** @param {Record<string, unknown>} fields */
const log = (fields) => console.log(JSON.stringify(fields));

const worker = consumeVerificationEvents({
  queue: process.env.QUEUE ?? 'kyc-applicants',
  connection: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  prefix: process.env.QUEUE_PREFIX, // the gateway's QUEUE_PREFIX; undefined means its default, 'kyc'
  handler: async (event, { isReplay, isStale }) => {
    const seen = { event: event.id, type: event.type, replay: isReplay, stale: isStale };
    if (processed.has(event.id)) return log({ ...seen, outcome: 'duplicate' });
    if (isOpsEvent(event)) return log({ ...seen, outcome: 'operational' });

    // The subject's verification status as the gateway tracks it once this event is applied.
    const status = event.verification?.status ?? event.status;
    let outcome = 'recorded';
    if (isStale) outcome = 'stale';
    else if (event.verification && status !== null) {
      table.applicants[event.verification.id] = {
        provider: event.provider,
        connection: event.connection,
        applicantId: event.subject.applicantId,
        externalUserId: event.subject.externalUserId,
        status,
        statusAt: event.occurredAt,
        lastEventId: event.id,
      };
      outcome = 'applied';
    }
    processed.add(event.id);
    table.processedEventIds.push(event.id);
    // Saved before the job completes: if this throws, BullMQ retries the job and nothing is lost.
    await saveTable(table);
    log({ ...seen, outcome });
  },
});

worker.on('ready', () => log({ ready: true }));
for (const signal of /** @type {const} */ (['SIGTERM', 'SIGINT'])) {
  // Let the running job finish, then leave.
  process.once(signal, () => void worker.close().then(() => process.exit(0)));
}
