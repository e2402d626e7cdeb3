import { takeDeliveredEvents, verificationEventChecker } from '@kyc/testing';

/**
 * After each e2e suite: every event it received as a subscriber (queue jobs, HTTP bodies; see
 * recordDeliveredEvent) must match the published JSON Schema and pass the consumer package's
 * validator. Checked in the suite's own process, so a failure names the suite that produced it.
 */
afterAll(() => {
  const delivered = takeDeliveredEvents();
  if (delivered.length === 0) return;
  const check = verificationEventChecker();
  const failures = delivered.flatMap(({ channel, event }) => {
    const violations = [...check.jsonSchema(event), ...check.parser(event).map((field) => `parseVerificationEvent: ${field}`)];
    const type = (event as { type?: unknown } | null)?.type;
    return violations.length === 0 ? [] : [`${channel} ${typeof type === 'string' ? type : '(no type)'}: ${violations.join(', ')}`];
  });
  if (failures.length > 0) {
    throw new Error(`${failures.length} of ${delivered.length} delivered events do not match /schemas/verification-event.json:\n${[...new Set(failures)].join('\n')}`);
  }
});
