import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { EventEntity } from './entities';

/** Read-only questions about the outbox, for metrics (the relay itself uses EventStore). */
@Injectable()
export class OutboxQueries {
  constructor(@InjectRepository(EventEntity) private readonly events: Repository<EventEntity>) {}

  /** Events stored but not yet fanned out (served by the partial index on undispatched rows). */
  countUndispatched(): Promise<number> {
    return this.events.countBy({ dispatchedAt: IsNull() });
  }
}
