import { Body, ConflictException, Controller, Delete, Get, HttpCode, NotFoundException, Param, Patch, Post, Query, UseGuards, UsePipes } from '@nestjs/common';
import { AppConfig } from '@kyc/config';
import { Subscriber, SubscriberNameTakenError, SubscriberStore } from '@kyc/persistence';
import { AdminAuthGuard } from '../admin-auth.guard';
import { adminValidationPipe, ResourceIdPipe, validationFailed } from '../admin-validation';
import { Page, PageQuery, paginate } from '../pagination';
import { isPrivateHost } from './private-host';
import { CreateSubscriberDto, UpdateSubscriberDto } from './subscriber.dto';

const SubscriberId = new ResourceIdPipe('subscriber');

@Controller('admin/subscribers')
@UseGuards(AdminAuthGuard)
@UsePipes(adminValidationPipe)
export class SubscribersController {
  constructor(
    private readonly subscribers: SubscriberStore,
    private readonly config: AppConfig,
  ) {}

  @Get()
  list(@Query() query: PageQuery): Promise<Page<Subscriber>> {
    return paginate(query, (take, afterId) => this.subscribers.list(take, afterId));
  }

  /** The http signing secret is shown here, once; afterwards only its fingerprint. */
  @Post()
  async create(@Body() body: CreateSubscriberDto): Promise<Subscriber & { secret?: string }> {
    this.refusePrivateUrl(body.url);
    const { subscriber, secret } = await this.subscribers.create(body).catch(nameConflict);
    return secret === undefined ? subscriber : { ...subscriber, secret };
  }

  @Get(':id')
  async get(@Param('id', SubscriberId) id: string): Promise<Subscriber> {
    return (await this.subscribers.get(id)) ?? notFound();
  }

  @Patch(':id')
  async update(@Param('id', SubscriberId) id: string, @Body() body: UpdateSubscriberDto): Promise<Subscriber> {
    const current = (await this.subscribers.get(id)) ?? notFound();
    // The store would silently ignore the other kind's field; say so instead.
    const foreign = current.kind === 'queue' ? 'url' : 'queue';
    if (body[foreign] !== undefined) throw validationFailed({ [foreign]: [`${foreign} does not apply to a ${current.kind} subscriber`] });
    this.refusePrivateUrl(body.url);
    return (await this.subscribers.update(id, body).catch(nameConflict)) ?? notFound();
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Param('id', SubscriberId) id: string): Promise<void> {
    if (!(await this.subscribers.delete(id))) notFound();
  }

  /** Checked here rather than in the DTO because it depends on the configuration. */
  private refusePrivateUrl(url: string | undefined): void {
    if (url === undefined || this.config.env.ALLOW_PRIVATE_SUBSCRIBER_URLS) return;
    if (isPrivateHost(hostnameOf(url))) {
      throw validationFailed({ url: ['url must not point to localhost or a loopback, private or link-local address (ALLOW_PRIVATE_SUBSCRIBER_URLS)'] });
    }
  }
}

/** The WHATWG parser (the one delivery uses) may refuse what @IsUrl accepted: still a 400, not a 500. */
function hostnameOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    throw validationFailed({ url: ['url must be an http or https URL'] });
  }
}

function notFound(): never {
  throw new NotFoundException('subscriber not found');
}

function nameConflict(error: unknown): never {
  if (error instanceof SubscriberNameTakenError) throw new ConflictException(error.message);
  throw error;
}
