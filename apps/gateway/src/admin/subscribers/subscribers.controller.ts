import { Body, ConflictException, Controller, Delete, Get, HttpCode, NotFoundException, Param, Patch, Post, Query, UseGuards, UsePipes } from '@nestjs/common';
import {
  ApiBadRequestResponse, ApiConflictResponse, ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import { AppConfig } from '@kyc/config';
import { Subscriber, SubscriberNameTakenError, SubscriberStore } from '@kyc/persistence';
import { AdminAuthGuard } from '../admin-auth.guard';
import { adminValidationPipe, ResourceIdPipe, validationFailed } from '../admin-validation';
import { AdminApi, ApiErrorDto, ApiPageQuery, ApiPageResponse } from '../api-docs';
import { Page, PageQuery, paginate } from '../pagination';
import { isRefusedHost } from './private-host';
import { CreateSubscriberDto, UpdateSubscriberDto } from './subscriber.dto';
import { CreatedSubscriberView, SubscriberView } from './subscriber.responses';

const SubscriberId = new ResourceIdPipe('subscriber');
const ApiSubscriberId = () => ApiParam({ name: 'id', format: 'uuid', description: 'Subscriber id (anything else is a 404)' });
const invalid = { type: ApiErrorDto, description: 'Invalid input; `fields` names each failing field' };
const unknown = { type: ApiErrorDto, description: 'No such subscriber' };
const nameTaken = { type: ApiErrorDto, description: 'A subscriber with this name exists' };

@Controller('admin/subscribers')
@AdminApi('subscribers')
@UseGuards(AdminAuthGuard)
@UsePipes(adminValidationPipe)
export class SubscribersController {
  constructor(
    private readonly subscribers: SubscriberStore,
    private readonly config: AppConfig,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List subscribers', description: 'Ordered by creation.' })
  @ApiPageQuery()
  @ApiPageResponse(SubscriberView)
  @ApiBadRequestResponse(invalid)
  list(@Query() query: PageQuery): Promise<Page<Subscriber>> {
    return paginate(query, (take, afterId) => this.subscribers.list(take, afterId));
  }

  /** The http signing secret is shown here, once; afterwards only its fingerprint. */
  @Post()
  @ApiOperation({ summary: 'Create a subscriber', description: 'An http subscriber gets its `whsec_` signing secret in this answer, and never again.' })
  @ApiCreatedResponse({ type: CreatedSubscriberView })
  @ApiBadRequestResponse(invalid)
  @ApiConflictResponse(nameTaken)
  @ApiUnsupportedMediaTypeResponse({ type: ApiErrorDto, description: 'Body is not JSON' })
  async create(@Body() body: CreateSubscriberDto): Promise<Subscriber & { secret?: string }> {
    await this.refusePrivateUrl(body.url);
    const { subscriber, secret } = await this.subscribers.create(body).catch(nameConflict);
    return secret === undefined ? subscriber : { ...subscriber, secret };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a subscriber' })
  @ApiSubscriberId()
  @ApiOkResponse({ type: SubscriberView })
  @ApiNotFoundResponse(unknown)
  async get(@Param('id', SubscriberId) id: string): Promise<Subscriber> {
    return (await this.subscribers.get(id)) ?? notFound();
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a subscriber', description: 'Only the fields given change; the kind cannot.' })
  @ApiSubscriberId()
  @ApiOkResponse({ type: SubscriberView })
  @ApiBadRequestResponse(invalid)
  @ApiNotFoundResponse(unknown)
  @ApiConflictResponse(nameTaken)
  async update(@Param('id', SubscriberId) id: string, @Body() body: UpdateSubscriberDto): Promise<Subscriber> {
    const current = (await this.subscribers.get(id)) ?? notFound();
    // The store would silently ignore the other kind's field; say so instead.
    const foreign = current.kind === 'queue' ? 'url' : 'queue';
    if (body[foreign] !== undefined) throw validationFailed({ [foreign]: [`${foreign} does not apply to a ${current.kind} subscriber`] });
    await this.refusePrivateUrl(body.url);
    return (await this.subscribers.update(id, body).catch(nameConflict)) ?? notFound();
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a subscriber', description: 'Its pending deliveries are abandoned.' })
  @ApiSubscriberId()
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiNotFoundResponse(unknown)
  async remove(@Param('id', SubscriberId) id: string): Promise<void> {
    if (!(await this.subscribers.delete(id))) notFound();
  }

  /**
   * Checked here rather than in the DTO because it depends on the configuration and on DNS. The
   * worker checks again each time it connects (the name may resolve elsewhere by then).
   */
  private async refusePrivateUrl(url: string | undefined): Promise<void> {
    if (url === undefined || this.config.env.ALLOW_PRIVATE_SUBSCRIBER_URLS) return;
    if (await isRefusedHost(hostnameOf(url))) {
      throw validationFailed({ url: ['url must not point to localhost or a loopback, private, link-local or metadata address, nor to a name resolving to one (ALLOW_PRIVATE_SUBSCRIBER_URLS)'] });
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
