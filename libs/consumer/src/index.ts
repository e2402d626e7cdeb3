export { VERIFICATION_STATUSES, type EventVerification, type VerificationEvent, type VerificationStatus, type VerificationSubject } from './verification-event';
export { GATEWAY_SOURCE, isOpsEvent, isOpsType, OPS_EVENT_TYPES, OPS_TYPE_PREFIX, type OpsEvent, type OpsEventDetails, type OpsEventType } from './ops-event';
export { InvalidVerificationEventError, parseVerificationEvent, type VerificationEventIssue } from './verification-event.schema';
export { verificationEventJsonSchema, type JsonSchema } from './verification-event.json-schema';
export * from './queue-consumer';
export * from './http-delivery';
