import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, LessThan, Repository } from 'typeorm';
import { InboundRefusalEntity } from './entities';
import { bulkInsert } from './bulk-insert';

export type InboundRefusal = InboundRefusalEntity;

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

  /** One multi-row INSERT for many (aggregated) refusals; ids are UUIDv7 of their first refusal's time. */
  async recordMany(refusals: InboundRefusal[]): Promise<void> {
    if (refusals.length === 0) return;
    await bulkInsert(
      this.refusals,
      refusals.map((refusal) => this.refusals.create({ ...refusal, detail: refusal.detail.slice(0, 300) })),
    );
  }

  /** Delete one batch of refusals received before `before`; returns how many were deleted. */
  async purgeBefore(before: Date, batchSize: number): Promise<number> {
    const rows = await this.refusals.find({ select: { id: true }, where: { receivedAt: LessThan(before) }, order: { receivedAt: 'ASC' }, take: batchSize });
    if (rows.length === 0) return 0;
    const result = await this.refusals.delete({ id: In(rows.map((row) => row.id)) });
    return result.affected ?? rows.length;
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
