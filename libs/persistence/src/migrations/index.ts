import { Initial1763769600000 } from './1763769600000-Initial';
import { Deliveries1763856000000 } from './1763856000000-Deliveries';
import { SubscriberHealth1764028800000 } from './1764028800000-SubscriberHealth';
import { RefusalCount1764201600000 } from './1764201600000-RefusalCount';
import { SubscriberFilterConnections1764288000000 } from './1764288000000-SubscriberFilterConnections';
import { Verifications1764374400000 } from './1764374400000-Verifications';
import { ConnectionActivity1764460800000 } from './1764460800000-ConnectionActivity';
import { RefusalStreaks1764547200000 } from './1764547200000-RefusalStreaks';

/** Every migration, oldest first. */
export const MIGRATIONS = [
  Initial1763769600000,
  Deliveries1763856000000,
  SubscriberHealth1764028800000,
  RefusalCount1764201600000,
  SubscriberFilterConnections1764288000000,
  Verifications1764374400000,
  ConnectionActivity1764460800000,
  RefusalStreaks1764547200000,
];
