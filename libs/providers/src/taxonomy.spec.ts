import { VERIFICATION_STATUSES, type NormalizedEvent, type VerificationStatus } from '@kyc/core';
import { authenticateWith, inboundWebhook } from '@kyc/testing';
import type { ProviderAdapter, VendorEventVariant } from './provider.interface';
import { PROVIDERS } from './registry';

/**
 * contract.md, "Normalized types: one taxonomy for every vendor", checked on every vendor type
 * (and payload variant) of every registered vendor, sent through its simulator, `authenticate`
 * and `normalize`: a vendor added to the registry is walked without touching this file.
 */
const DECISIONS: readonly VerificationStatus[] = ['approved', 'rejected', 'review'];
const LIFECYCLE: readonly VerificationStatus[] = VERIFICATION_STATUSES.filter((status) => !DECISIONS.includes(status));
/** Steps, flags and ComplyCube's session change without an outcome: never a status. */
const STATUSLESS_VERIFICATION_TYPES = ['verification.step_completed', 'verification.step_failed', 'verification.flagged', 'verification.updated'];
/** A vendor type no mapping knows (valid in every vendor's type syntax). */
const UNKNOWN_TYPE = 'taxonomy_probe_unknown';

interface Walked {
  provider: string;
  variant: VendorEventVariant;
  event: NormalizedEvent;
}

function walk(provider: ProviderAdapter, variant: VendorEventVariant): Walked {
  const credentials = { secrets: provider.simulator.generateSecrets(), options: provider.parseOptions({}) };
  const request = provider.simulator.build(variant.eventType, credentials, { payload: variant.payload });
  const decoded = authenticateWith(provider, inboundWebhook(request.body, request.headers), credentials);
  return { provider: provider.name, variant, event: provider.normalize(decoded) };
}

const WALKED: Walked[] = PROVIDERS.flatMap((provider) => provider.knownEvents.map((variant) => walk(provider, variant)));
const label = ({ provider, variant }: Walked) => `${provider} ${variant.eventType} ${JSON.stringify(variant.payload ?? {})}`;

describe('one decision taxonomy for every vendor', () => {
  it('walks every registered vendor, and the variants that change a mapping', () => {
    for (const provider of PROVIDERS) {
      expect({ provider: provider.name, walked: provider.knownEvents.length > 0 }).toEqual({ provider: provider.name, walked: true });
      // Every type the simulator offers is a known one, so the list cannot lag behind the vendor's.
      const known = new Set(provider.knownEvents.map((variant) => variant.eventType));
      expect(provider.simulator.eventTypes.filter((type) => !known.has(type))).toEqual([]);
    }
    expect(WALKED.some(({ event }) => event.type === 'verification.approved')).toBe(true);
  });

  it('a status is carried only by the type of that status: `verification.<status>`, and the reverse', () => {
    for (const walked of WALKED) {
      const { type, status } = walked.event;
      const expectedType = status === null ? undefined : `verification.${status}`;
      const statusOfType = VERIFICATION_STATUSES.find((candidate) => type === `verification.${candidate}`) ?? null;
      expect({ at: label(walked), type, status }).toEqual({ at: label(walked), type: expectedType ?? type, status: statusOfType });
    }
  });

  it('no decision hides under another type', () => {
    for (const walked of WALKED) {
      const { type, status } = walked.event;
      const isDecisionType = DECISIONS.some((decision) => type === `verification.${decision}`);
      const isDecisionStatus = status !== null && DECISIONS.includes(status);
      expect({ at: label(walked), isDecisionType }).toEqual({ at: label(walked), isDecisionType: isDecisionStatus });
    }
  });

  it('lifecycle types carry their status; steps and flags carry none; nothing else is `verification.*`', () => {
    for (const walked of WALKED) {
      const { type, status } = walked.event;
      if (!type.startsWith('verification.')) {
        expect({ at: label(walked), status }).toEqual({ at: label(walked), status: null });
        continue;
      }
      const name = type.slice('verification.'.length);
      const lifecycle = LIFECYCLE.find((candidate) => candidate === name);
      if (lifecycle) expect({ at: label(walked), status }).toEqual({ at: label(walked), status: lifecycle });
      else if (STATUSLESS_VERIFICATION_TYPES.includes(type)) expect({ at: label(walked), status }).toEqual({ at: label(walked), status: null });
      else expect({ at: label(walked), type }).toEqual({ at: label(walked), type: expect.stringMatching(/^verification\.(approved|rejected|review)$/) });
    }
  });

  it('a flag says why, a step says which', () => {
    for (const walked of WALKED) {
      const { type, details } = walked.event;
      if (type === 'verification.flagged') expect({ at: label(walked), reason: details.reason }).toEqual({ at: label(walked), reason: expect.any(String) });
      if (type === 'verification.step_failed') expect({ at: label(walked), step: details.step }).toEqual({ at: label(walked), step: expect.any(String) });
    }
  });

  it.each(PROVIDERS.map((provider) => [provider.name, provider] as const))('an unknown %s type is <provider>.<vendor type>, status null', (name, provider) => {
    const { event } = walk(provider, { eventType: UNKNOWN_TYPE });
    expect({ type: event.type, status: event.status }).toEqual({ type: `${name}.${UNKNOWN_TYPE}`, status: null });
  });
});
