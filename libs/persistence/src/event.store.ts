import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, LessThan, Repository, In } from 'typeorm';
import { SecretBox, type VerificationEvent } from '@kyc/core';
import { EventEntity } from './entities';
import { isUniqueViolation, StorageUnavailableError } from './storage-errors';

export interface RecordResult {
  /** The stored event's id: the new one, or the first one's for a redelivery. */
  eventId: string;
  duplicate: boolean;
}

/** Durable store of accepted events, and the outbox the relay drains. */
@Injectable()
export class EventStore {
  constructor(
    @InjectRepository(EventEntity) private readonly events: Repository<EventEntity>,
    private readonly box: SecretBox,
  ) {}

  /**
   * Store an event once per (provider, connection, providerEventId). A single INSERT: the event
   * and its outbox marker land atomically, and the unique index catches concurrent redeliveries.
   * Throws StorageUnavailableError for anything but a dedup conflict.
   */
  async record(event: VerificationEvent, payload: Record<string, unknown>): Promise<RecordResult> {
    try {
      await this.events.insert(this.toRow(event, payload));
      return { eventId: event.id, duplicate: false };
    } catch (error) {
      if (!isUniqueViolation(error)) throw new StorageUnavailableError(error);
    }
    try {
      const first = await this.events.findOne({
        select: { id: true },
        where: { provider: event.provider, connection: event.connection, providerEventId: event.providerEventId },
      });
      if (!first) throw new Error('dedup conflict without a stored event');
      return { eventId: first.id, duplicate: true };
    } catch (error) {
      throw new StorageUnavailableError(error);
    }
  }

  async findById(id: string): Promise<VerificationEvent | null> {
    const row = await this.events.findOne({ select: { id: true, eventSealed: true }, where: { id } });
    return row ? this.box.openJson<VerificationEvent>(row.eventSealed) : null;
  }

  async findByIds(ids: string[]): Promise<VerificationEvent[]> {
    if (ids.length === 0) return [];
    const rows = await this.events.find({ select: { id: true, eventSealed: true }, where: { id: In(ids) } });
    return rows.map((row) => this.box.openJson<VerificationEvent>(row.eventSealed));
  }

  /** The decoded vendor payload, while retention keeps it. */
  async findPayload(id: string): Promise<Record<string, unknown> | null> {
    const row = await this.events.findOne({ select: { id: true, payloadSealed: true }, where: { id } });
    return row?.payloadSealed ? this.box.openJson<Record<string, unknown>>(row.payloadSealed) : null;
  }

  /** Outbox: ids of events not yet dispatched, received before `before`, oldest first. */
  async findUndispatched(before: Date, limit: number): Promise<string[]> {
    const rows = await this.events.find({
      select: { id: true },
      where: { dispatchedAt: IsNull(), receivedAt: LessThan(before) },
      order: { receivedAt: 'ASC' },
      take: limit,
    });
    return rows.map((row) => row.id);
  }

  async markDispatched(ids: string[], at = new Date()): Promise<void> {
    if (ids.length === 0) return;
    await this.events.update({ id: In(ids), dispatchedAt: IsNull() }, { dispatchedAt: at });
  }

  /** Blind index of a subject id, for searching without storing it in clear. */
  subjectRef(value: string | undefined): string | null {
    return value ? this.box.blindIndex(value) : null;
  }

  private toRow(event: VerificationEvent, payload: Record<string, unknown>): EventEntity {
    return this.events.create({
      id: event.id,
      provider: event.provider,
      connection: event.connection,
      type: event.type,
      status: event.status,
      providerEventId: event.providerEventId,
      providerEventType: event.providerEventType.slice(0, 200),
      applicantRef: this.subjectRef(event.subject.applicantId),
      externalUserRef: this.subjectRef(event.subject.externalUserId),
      occurredAt: new Date(event.occurredAt),
      receivedAt: new Date(event.receivedAt),
      eventSealed: this.box.sealJson(event),
      payloadSealed: this.box.sealJson(payload),
      dispatchedAt: null,
    });
  }
}
