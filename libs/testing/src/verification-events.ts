import { randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import type { VerificationEvent } from '@kyc/core';
import type { SubscriberInput } from '@kyc/persistence';

type QueueSubscriberInput = Extract<SubscriberInput, { kind: 'queue' }>;

/** A ComplyCube `check.completed` VerificationEvent with a fresh id, for tests that store events directly. */
export function aVerificationEvent(providerEventId: string, overrides: Partial<VerificationEvent> = {}): VerificationEvent {
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

/** A queue subscriber receiving everything, with a unique name; `overrides` set any field (an http subscriber: `{kind: 'http', url}`). */
export function aSubscriber(overrides: Partial<QueueSubscriberInput> = {}): QueueSubscriberInput {
  const name = overrides.name ?? `subscriber-${randomBytes(4).toString('hex')}`;
  return { name, kind: 'queue', queue: name, ...overrides };
}
