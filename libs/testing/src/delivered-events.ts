/** How an event reached a test's subscriber. */
export type DeliveryChannel = 'queue' | 'http';

const delivered: { channel: DeliveryChannel; event: unknown }[] = [];

/**
 * Keep an event a suite received as a subscriber (a queue job's data, an HTTP body): after each
 * e2e suite, test/support/delivered-events.setup.ts checks them all against the published JSON
 * Schema, so that the schema cannot drift from what the gateway sends.
 */
export function recordDeliveredEvent(channel: DeliveryChannel, event: unknown): void {
  delivered.push({ channel, event });
}

/** The events recorded since the last call. */
export function takeDeliveredEvents(): { channel: DeliveryChannel; event: unknown }[] {
  return delivered.splice(0);
}
