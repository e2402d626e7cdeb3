/** Internal queues (under QUEUE_PREFIX). Subscriber queues are named by their subscribers. */
export const EVENTS_QUEUE = 'events';

/** Jobs of the events queue: one per stored event, job id = event id. */
export interface EventsQueueJobs {
  dispatch: { eventId: string };
}
export type EventsJobName = keyof EventsQueueJobs;
export type JobData<Name extends EventsJobName> = EventsQueueJobs[Name];
