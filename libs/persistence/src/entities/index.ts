import { ConnectionEntity } from './connection.entity';
import { EventEntity } from './event.entity';
import { InboundRefusalEntity } from './inbound-refusal.entity';

export { ConnectionEntity, EventEntity, InboundRefusalEntity };
export const ENTITIES = [ConnectionEntity, EventEntity, InboundRefusalEntity];
