import { isRecord } from '@kyc/core';

/** Internal queues (under QUEUE_PREFIX). Subscriber queues are named by their subscribers. */
export const EVENTS_QUEUE = 'events';
export const DELIVERIES_QUEUE = 'deliveries';

/**
 * Names a subscriber's queue may not take: they share QUEUE_PREFIX with the gateway's own, so a
 * subscriber named `events` would feed forged dispatch jobs to the worker. Compared exactly, as
 * BullMQ does (`Events` is another queue).
 */
export const RESERVED_QUEUE_NAMES: readonly string[] = [EVENTS_QUEUE, DELIVERIES_QUEUE];

export function isReservedQueueName(name: string): boolean {
  return RESERVED_QUEUE_NAMES.includes(name);
}

/**
 * Jobs of the events queue: one per batch of events stored together. `eventId` is the one-event
 * form of earlier versions, still read so that jobs queued before an upgrade are dispatched.
 */
export interface EventsQueueJobs {
  dispatch: { eventIds: string[] } | { eventId: string };
}

/** The event ids of a dispatch job, whichever form it has; undefined when the data holds no valid ids. */
export function readDispatchJob(data: unknown): string[] | undefined {
  if (!isRecord(data)) return undefined;
  const eventIds = 'eventIds' in data ? data.eventIds : [data.eventId];
  return Array.isArray(eventIds) && eventIds.length > 0 && eventIds.every(isRowId) ? eventIds : undefined;
}
export type EventsJobName = keyof EventsQueueJobs;
export type JobData<Name extends EventsJobName> = EventsQueueJobs[Name];

/**
 * Jobs of the deliveries queue: one per attempt, job id `<deliveryId>:<replays>:<attempts>`, so
 * the same attempt is never queued twice and a stale job can tell it is stale.
 */
export interface DeliveryJob {
  deliveryId: string;
  replays: number;
  attempts: number;
}

/** The attempt a deliveries job names; undefined when its data is not one. */
export function readDeliveryJob(data: unknown): DeliveryJob | undefined {
  if (!isRecord(data) || !isRowId(data.deliveryId) || !isCount(data.replays) || !isCount(data.attempts)) return undefined;
  return { deliveryId: data.deliveryId, replays: data.replays, attempts: data.attempts };
}

/** Row ids are UUIDs in varchar(36) columns: anything else can never be found. */
function isRowId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 36;
}

function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

export function deliveryJobId(job: DeliveryJob): string {
  return `${job.deliveryId}:${job.replays}:${job.attempts}`;
}

/** Jobs we put on subscriber queues: kept long enough that the job id deduplicates redeliveries. */
export const SUBSCRIBER_JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: { age: 7 * 24 * 3600, count: 100_000 },
  removeOnFail: { age: 30 * 24 * 3600 },
} as const;
