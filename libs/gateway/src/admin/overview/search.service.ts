import { Injectable } from '@nestjs/common';
import { EventStore, VerificationStore } from '@kyc/persistence';
import { isUuid } from '../admin-validation';
import { toVerificationEventDto } from '../events/event.dto';
import { toVerificationDto } from '../verifications/verification.dto';
import { SEARCH_LIMIT, SearchResultDto } from './overview.dto';

/** The subject ids a search matches, each through the lists' own keyed-digest filter. */
const SUBJECT_FIELDS = ['applicantId', 'externalUserId', 'verificationId'] as const;

/** Unique by id, newest first (ids are UUIDv7, as the lists sort them), at most SEARCH_LIMIT. */
function newestFirst<T extends { id: string }>(found: T[][]): T[] {
  const unique = new Map(found.flat().map((item) => [item.id, item]));
  return [...unique.values()].sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)).slice(0, SEARCH_LIMIT);
}

/**
 * The console's one search box: a value is looked up as an id (exact, only when it is a UUID, so
 * nothing else reaches an id column) and as each subject id through the same filters as
 * GET /admin/events and GET /admin/verifications (blind indexes: the value is never stored, nor
 * logged). Each lookup is one indexed query, at most SEARCH_LIMIT rows.
 */
@Injectable()
export class SearchService {
  constructor(
    private readonly events: EventStore,
    private readonly verifications: VerificationStore,
  ) {}

  async search(query: string): Promise<SearchResultDto> {
    // Ids are stored in lower case; a pasted upper-case one names the same row.
    const id = isUuid(query) ? query.toLowerCase() : undefined;
    const [events, verifications] = await Promise.all([
      Promise.all([id ? this.events.findByIds([id]) : [], ...SUBJECT_FIELDS.map((field) => this.events.search({ [field]: query }, SEARCH_LIMIT))]),
      Promise.all([id ? this.verifications.findById(id).then((found) => (found ? [found] : [])) : [], ...SUBJECT_FIELDS.map((field) => this.verifications.search({ [field]: query }, SEARCH_LIMIT))]),
    ]);
    return { query, events: newestFirst(events).map(toVerificationEventDto), verifications: newestFirst(verifications).map(toVerificationDto) };
  }
}
