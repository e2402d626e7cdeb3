import { ConnectionEntity } from './connection.entity';
import { DeliveryAttemptEntity } from './delivery-attempt.entity';
import { DELIVERIES_UNIQUE_INDEX, DeliveryEntity } from './delivery.entity';
import { EventEntity, EVENTS_DEDUP_INDEX } from './event.entity';
import { InboundRefusalEntity } from './inbound-refusal.entity';
import { SubscriberEntity } from './subscriber.entity';
import { VerificationEntity } from './verification.entity';

export { ConnectionEntity, DELIVERIES_UNIQUE_INDEX, DeliveryAttemptEntity, DeliveryEntity, EventEntity, EVENTS_DEDUP_INDEX, InboundRefusalEntity, SubscriberEntity, VerificationEntity };
export type { DeliveryStatus } from './delivery.entity';
export type { BackoffType, SubscriberKind } from './subscriber.entity';
export const ENTITIES = [ConnectionEntity, EventEntity, InboundRefusalEntity, SubscriberEntity, DeliveryEntity, DeliveryAttemptEntity, VerificationEntity];
