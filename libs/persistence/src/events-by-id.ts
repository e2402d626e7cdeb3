import type { EntityManager } from 'typeorm';
import { EventEntity } from './entities/event.entity';

/**
 * Sets `dispatched_at` of these events where it is not set yet, found by primary key alone.
 * Not `... AND dispatched_at IS NULL`: PostgreSQL then likes the partial index of undispatched
 * events, whose dead entries (every event ever dispatched, until VACUUM) it scans whole, so the
 * statement grew slower with the table (the dispatch pass of the PostgreSQL latency regression).
 */
export async function markEventsDispatched(manager: EntityManager, ids: readonly string[], at: Date): Promise<void> {
  if (ids.length === 0) return;
  await manager
    .createQueryBuilder()
    .update(EventEntity)
    .set({ dispatchedAt: () => 'COALESCE(dispatched_at, :at)' })
    .setParameter('at', at.getTime())
    .whereInIds([...ids])
    .execute();
}
