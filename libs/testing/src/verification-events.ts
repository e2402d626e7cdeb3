import { v7 as uuidv7 } from 'uuid';
import type { VerificationEvent } from '@kyc/core';

/** A ComplyCube `check.completed` VerificationEvent with a fresh id, for tests that store events directly. */
export function testVerificationEvent(providerEventId: string, overrides: Partial<VerificationEvent> = {}): VerificationEvent {
  const now = new Date().toISOString();
  return {
    specVersion: '1',
    id: uuidv7(),
    provider: 'complycube',
    connection: 'default',
    type: 'check.completed',
    status: null,
    providerEventId,
    providerEventType: 'check.completed.clear',
    subject: { applicantId: 'client-1' },
    occurredAt: now,
    receivedAt: now,
    details: { outcome: 'clear' },
    verification: null,
    ...overrides,
  };
}
