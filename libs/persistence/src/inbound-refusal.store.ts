import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { InboundRefusalEntity } from './entities';

export type InboundRefusal = Omit<InboundRefusalEntity, 'id'>;

/** Filters of the admin refusal log; every one given must match. */
export interface InboundRefusalSearch {
  provider?: string;
  reason?: string;
  /** receivedAt >= from */
  from?: Date;
  /** receivedAt < to */
  to?: Date;
}

/** Log of refused ingress requests (no bodies), for operators. */
@Injectable()
export class InboundRefusalStore {
  constructor(@InjectRepository(InboundRefusalEntity) private readonly refusals: Repository<InboundRefusalEntity>) {}

  async record(refusal: InboundRefusal): Promise<void> {
    await this.refusals.insert({ id: uuidv7(), ...refusal, detail: refusal.detail.slice(0, 300) });
  }

  /** Refusals matching `search`, newest first (UUIDv7 ids), older than the refusal `before`. */
  search(search: InboundRefusalSearch, limit: number, before?: string): Promise<InboundRefusalEntity[]> {
    const query = this.refusals.createQueryBuilder('refusal').orderBy('refusal.id', 'DESC').limit(limit);
    if (before !== undefined) query.andWhere('refusal.id < :before', { before });
    if (search.provider !== undefined) query.andWhere('refusal.provider = :provider', { provider: search.provider });
    if (search.reason !== undefined) query.andWhere('refusal.reason = :reason', { reason: search.reason });
    // Times are epoch milliseconds (column-types.ts); query-builder parameters skip the transformer.
    if (search.from !== undefined) query.andWhere('refusal.receivedAt >= :from', { from: search.from.getTime() });
    if (search.to !== undefined) query.andWhere('refusal.receivedAt < :to', { to: search.to.getTime() });
    return query.getMany();
  }
}
