import { Injectable } from '@nestjs/common';
import { AppConfig } from '@kyc/config';
import { NotFoundError, ValidationFailedError } from '@kyc/core';
import { SubscriberStore, type SubscriberInput } from '@kyc/persistence';
import { Page, PageQuery, paginate } from '../pagination';
import { isRefusedHost } from './private-host';
import { CreateSubscriberDto, UpdateSubscriberDto } from './subscriber.dto';
import { CreatedSubscriberView, SubscriberView, toSubscriberView } from './subscriber.responses';

/**
 * Subscribers through the admin API: the rules the DTOs cannot check (a field of the other kind,
 * URLs to private addresses). Workers pick changes up at their periodic subscriber reload.
 */
@Injectable()
export class SubscribersService {
  constructor(
    private readonly store: SubscriberStore,
    private readonly config: AppConfig,
  ) {}

  async list(query: PageQuery): Promise<Page<SubscriberView>> {
    const page = await paginate(query, (take, afterId) => this.store.list(take, afterId));
    return { data: page.data.map(toSubscriberView), nextCursor: page.nextCursor };
  }

  /** The http signing secret is in this answer, once; afterwards only its fingerprint. */
  async create(body: CreateSubscriberDto): Promise<CreatedSubscriberView> {
    await this.refusePrivateUrl(body.url);
    // The DTO's validation guarantees the field of its kind.
    const input: SubscriberInput = body.kind === 'queue' ? { ...body, kind: 'queue', queue: body.queue! } : { ...body, kind: 'http', url: body.url! };
    const { subscriber, secret } = await this.store.create(input);
    return secret === undefined ? toSubscriberView(subscriber) : { ...toSubscriberView(subscriber), secret };
  }

  async get(id: string): Promise<SubscriberView> {
    return toSubscriberView((await this.store.get(id)) ?? notFound());
  }

  async update(id: string, body: UpdateSubscriberDto): Promise<SubscriberView> {
    const current = (await this.store.get(id)) ?? notFound();
    // The store would silently ignore the other kind's field; say so instead.
    const foreign = current.kind === 'queue' ? 'url' : 'queue';
    if (body[foreign] !== undefined) throw new ValidationFailedError({ [foreign]: [`${foreign} does not apply to a ${current.kind} subscriber`] });
    await this.refusePrivateUrl(body.url);
    return toSubscriberView((await this.store.update(id, body)) ?? notFound());
  }

  async remove(id: string): Promise<void> {
    if (!(await this.store.delete(id))) notFound();
  }

  /**
   * Checked here rather than in the DTO because it depends on the configuration and on DNS. The
   * worker checks again each time it connects (the name may resolve elsewhere by then).
   */
  private async refusePrivateUrl(url: string | undefined): Promise<void> {
    if (url === undefined || this.config.env.ALLOW_PRIVATE_SUBSCRIBER_URLS) return;
    if (await isRefusedHost(hostnameOf(url))) {
      throw new ValidationFailedError({
        url: ['url must not point to localhost or a loopback, private, link-local or metadata address, nor to a name resolving to one (ALLOW_PRIVATE_SUBSCRIBER_URLS)'],
      });
    }
  }
}

/** The WHATWG parser (the one delivery uses) may refuse what @IsUrl accepted: still a 400, not a 500. */
function hostnameOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    throw new ValidationFailedError({ url: ['url must be an http or https URL'] });
  }
}

function notFound(): never {
  throw new NotFoundError('subscriber not found');
}
