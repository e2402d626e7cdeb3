import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { InboundRefusalEntity } from './entities';

export type InboundRefusal = Omit<InboundRefusalEntity, 'id'>;

/** Log of refused ingress requests (no bodies), for operators. */
@Injectable()
export class InboundRefusalStore {
  constructor(@InjectRepository(InboundRefusalEntity) private readonly refusals: Repository<InboundRefusalEntity>) {}

  async record(refusal: InboundRefusal): Promise<void> {
    await this.refusals.insert({ id: uuidv7(), ...refusal, detail: refusal.detail.slice(0, 300) });
  }
}
