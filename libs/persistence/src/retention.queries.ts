import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, IsNull, LessThan, Not, Repository } from 'typeorm';
import { EventEntity } from './entities';

/**
 * Payload retention: the decoded vendor payload is personal data kept only for a while; the event
 * row (sealed VerificationEvent, outbox state) and its delivery history stay.
 */
@Injectable()
export class RetentionQueries {
  constructor(@InjectRepository(EventEntity) private readonly events: Repository<EventEntity>) {}

  /**
   * Purge one batch of payloads of events received before `before`; returns how many were purged.
   * Select-then-update by id works the same on PostgreSQL and SQLite and keeps each write short.
   */
  async purgePayloadsBefore(before: Date, batchSize: number): Promise<number> {
    const rows = await this.events.find({
      select: { id: true },
      where: { receivedAt: LessThan(before), payloadSealed: Not(IsNull()) },
      order: { receivedAt: 'ASC' },
      take: batchSize,
    });
    if (rows.length === 0) return 0;
    const result = await this.events.update({ id: In(rows.map((row) => row.id)), payloadSealed: Not(IsNull()) }, { payloadSealed: null });
    return result.affected ?? rows.length;
  }
}
