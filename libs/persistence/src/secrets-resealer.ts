import { DataSource, IsNull, MoreThan, Repository, type EntityManager, type FindOptionsOrder, type FindOptionsSelect, type FindOptionsWhere } from 'typeorm';
import { SecretBox, type SealContext, type SubjectKeyField, type VerificationEvent, type VerificationSubject } from '@kyc/core';
import { connectionSealContext } from './connection.store';
import { ConnectionEntity, EventEntity, SubscriberEntity, VerificationEntity } from './entities';
import { eventSealContext } from './event.store';
import { subscriberSecretContext } from './subscriber.store';
import { verificationSealContext } from './verification.ledger';

export interface ResealTally {
  /** Rows rewritten with the current key. */
  resealed: number;
  /** Rows changed by the gateway between the read and the write (they were sealed anew): run again to be sure. */
  changedMeanwhile: number;
  /** Ids of rows holding a value no known key opens (missing key in SECRETS_KEY_PREVIOUS, or tampered). */
  unopenable: string[];
}

export interface ResealReport {
  connections: ResealTally;
  subscribers: ResealTally;
  events: ResealTally;
  verifications: ResealTally;
}

const tally = (): ResealTally => ({ resealed: 0, changedMeanwhile: 0, unopenable: [] });

/**
 * Rewrites every sealed value that the current SECRETS_KEY did not seal (v1 values, values of a
 * previous key) with the current key, and recomputes the events' blind indexes with it, so that
 * SECRETS_KEY_PREVIOUS can be dropped afterwards. Safe beside running gateways and workers: each
 * write applies only if the row still holds what was read (else it was rewritten meanwhile, with
 * the current key if those processes run with it). Meant for its own process (secrets:rotate): on
 * SQLite its transactions would otherwise take in the gateway's statements on the shared connection.
 */
export class SecretsResealer {
  constructor(
    private readonly dataSource: DataSource,
    private readonly box: SecretBox,
    private readonly batchSize = 200,
  ) {}

  async run(): Promise<ResealReport> {
    return { connections: await this.connections(), subscribers: await this.subscribers(), events: await this.events(), verifications: await this.verifications() };
  }

  private async connections(): Promise<ResealTally> {
    const result = tally();
    const repository = this.dataSource.getRepository(ConnectionEntity);
    for (const row of await repository.find({ order: { id: 'ASC' } })) {
      let changes: Partial<ConnectionEntity>;
      try {
        changes = this.resealConnection(row);
      } catch {
        result.unopenable.push(row.id);
        continue;
      }
      if (Object.keys(changes).length === 0) continue;
      const { affected } = await repository.update(
        { id: row.id, secretsSealed: row.secretsSealed, previousSecretsSealed: row.previousSecretsSealed ?? IsNull(), updatedAt: row.updatedAt },
        // `as never`: TypeORM's deep-partial update type does not take a Record<string, unknown> column.
        changes as never,
      );
      if (affected === 1) result.resealed += 1;
      else result.changedMeanwhile += 1;
    }
    return result;
  }

  private resealConnection(row: ConnectionEntity): Partial<ConnectionEntity> {
    const changes: Partial<ConnectionEntity> = {};
    const reseal = (sealed: string, context: SealContext) => this.box.seal(this.box.open(sealed, context), context);
    if (this.box.needsReseal(row.secretsSealed)) changes.secretsSealed = reseal(row.secretsSealed, connectionSealContext.secrets(row.id));
    if (row.previousSecretsSealed && this.box.needsReseal(row.previousSecretsSealed)) {
      changes.previousSecretsSealed = reseal(row.previousSecretsSealed, connectionSealContext.previousSecrets(row.id));
    }
    const headers = row.options.requiredHeaders;
    if (headers !== null && typeof headers === 'object' && !Array.isArray(headers)) {
      let headersChanged = false;
      const resealed = Object.fromEntries(
        Object.entries(headers as Record<string, unknown>).map(([header, value]) => {
          if (typeof value !== 'string') return [header, value];
          const context = connectionSealContext.requiredHeader(row.id, header);
          // A plain value (stored before header values were sealed) is sealed now as well.
          if (!this.box.isSealed(value)) {
            headersChanged = true;
            return [header, this.box.seal(value, context)];
          }
          if (!this.box.needsReseal(value)) return [header, value];
          headersChanged = true;
          return [header, reseal(value, context)];
        }),
      );
      if (headersChanged) changes.options = { ...row.options, requiredHeaders: resealed };
    }
    return changes;
  }

  private async subscribers(): Promise<ResealTally> {
    const result = tally();
    const repository = this.dataSource.getRepository(SubscriberEntity);
    const rows = await repository.find({ select: { id: true, secretSealed: true }, order: { id: 'ASC' } });
    for (const row of rows) {
      if (!row.secretSealed || !this.box.needsReseal(row.secretSealed)) continue;
      const context = subscriberSecretContext(row.id);
      let secretSealed: string;
      try {
        secretSealed = this.box.seal(this.box.open(row.secretSealed, context), context);
      } catch {
        result.unopenable.push(row.id);
        continue;
      }
      const { affected } = await repository.update({ id: row.id, secretSealed: row.secretSealed }, { secretSealed });
      if (affected === 1) result.resealed += 1;
      else result.changedMeanwhile += 1;
    }
    return result;
  }

  /** The sealed subject and every blind index (the subject key's too: the ledger finds rows by it) under the current key. */
  private async verifications(): Promise<ResealTally> {
    const result = tally();
    const repository = this.dataSource.getRepository(VerificationEntity);
    for await (const rows of this.inIdOrder(repository, { id: true, subjectField: true, subjectSealed: true })) {
      for (const row of rows.filter((each) => this.box.needsReseal(each.subjectSealed))) {
        let changes: Partial<VerificationEntity>;
        try {
          const context = verificationSealContext(row.id);
          const subject = this.box.openJson<VerificationSubject>(row.subjectSealed, context);
          const ref = (value: string | undefined) => (value ? this.box.blindIndex(value) : null);
          changes = {
            subjectSealed: this.box.sealJson(subject, context),
            subjectRef: this.box.blindIndex(`${row.subjectField}:${subject[row.subjectField as SubjectKeyField]}`),
            applicantRef: ref(subject.applicantId),
            externalUserRef: ref(subject.externalUserId),
            verificationRef: ref(subject.verificationId),
          };
        } catch {
          result.unopenable.push(row.id);
          continue;
        }
        // Compare-and-set on the subject: the ledger may have added an id to it meanwhile.
        const { affected } = await repository.update({ id: row.id, subjectSealed: row.subjectSealed }, changes);
        if (affected === 1) result.resealed += 1;
        else result.changedMeanwhile += 1;
      }
    }
    return result;
  }

  /** A table's rows in batches, in id order (ids are UUIDv7 or random: rows added meanwhile are simply met or not). */
  private async *inIdOrder<Entity extends { id: string }>(repository: Repository<Entity>, select: FindOptionsSelect<Entity>): AsyncGenerator<Entity[]> {
    let after = '';
    for (;;) {
      const rows = await repository.find({ select, where: { id: MoreThan(after) } as FindOptionsWhere<Entity>, order: { id: 'ASC' } as FindOptionsOrder<Entity>, take: this.batchSize });
      if (rows.length === 0) return;
      after = rows[rows.length - 1].id;
      yield rows;
    }
  }

  /** In id order, a batch per transaction (one commit per batch, not per row). */
  private async events(): Promise<ResealTally> {
    const result = tally();
    for await (const rows of this.inIdOrder(this.dataSource.getRepository(EventEntity), { id: true, eventSealed: true, payloadSealed: true })) {
      const stale = rows.filter((row) => this.box.needsReseal(row.eventSealed) || (row.payloadSealed !== null && this.box.needsReseal(row.payloadSealed)));
      if (stale.length > 0) await this.dataSource.transaction((manager) => this.resealEvents(manager, stale, result));
    }
    return result;
  }

  private async resealEvents(manager: EntityManager, rows: EventEntity[], result: ResealTally): Promise<void> {
    for (const row of rows) {
      let changes: Partial<EventEntity>;
      try {
        const eventContext = eventSealContext.event(row.id);
        const payloadContext = eventSealContext.payload(row.id);
        const opened = this.box.open(row.eventSealed, eventContext);
        const event = JSON.parse(opened.toString('utf8')) as VerificationEvent;
        changes = {
          eventSealed: this.box.seal(opened, eventContext),
          payloadSealed: row.payloadSealed === null ? null : this.box.seal(this.box.open(row.payloadSealed, payloadContext), payloadContext),
          // Blind indexes under the current key, so searches still find the event once the old key is gone.
          applicantRef: event.subject.applicantId ? this.box.blindIndex(event.subject.applicantId) : null,
          externalUserRef: event.subject.externalUserId ? this.box.blindIndex(event.subject.externalUserId) : null,
        };
      } catch {
        result.unopenable.push(row.id);
        continue;
      }
      const { affected } = await manager.getRepository(EventEntity).update({ id: row.id, eventSealed: row.eventSealed, payloadSealed: row.payloadSealed ?? IsNull() }, changes);
      if (affected === 1) result.resealed += 1;
      else result.changedMeanwhile += 1;
    }
  }
}
