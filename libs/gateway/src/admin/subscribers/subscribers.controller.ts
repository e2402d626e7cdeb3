import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import { AdminRoutes, ResourceIdPipe } from '../admin-validation';
import { AdminApi, ApiErrorDto, ApiPageQuery, ApiPageResponse } from '../api-docs';
import { Page, PageQuery } from '../pagination';
import { CreateSubscriberDto, UpdateSubscriberDto } from './subscriber.dto';
import { CreatedSubscriberView, SubscriberView } from './subscriber.responses';
import { SubscribersService } from './subscribers.service';

const SubscriberId = new ResourceIdPipe('subscriber');
const ApiSubscriberId = () => ApiParam({ name: 'id', format: 'uuid', description: 'Subscriber id (anything else is a 404)' });
const invalid = { type: ApiErrorDto, description: 'Invalid input; `fields` names each failing field' };
const unknown = { type: ApiErrorDto, description: 'No such subscriber' };
const nameTaken = { type: ApiErrorDto, description: 'A subscriber with this name exists' };

@Controller('admin/subscribers')
@AdminApi('subscribers')
@AdminRoutes()
export class SubscribersController {
  constructor(private readonly subscribers: SubscribersService) {}

  @Get()
  @ApiOperation({ summary: 'List subscribers', description: 'Ordered by creation.' })
  @ApiPageQuery()
  @ApiPageResponse(SubscriberView)
  @ApiBadRequestResponse(invalid)
  list(@Query() query: PageQuery): Promise<Page<SubscriberView>> {
    return this.subscribers.list(query);
  }

  @Post()
  @ApiOperation({ summary: 'Create a subscriber', description: 'An http subscriber gets its `whsec_` signing secret in this answer, and never again.' })
  @ApiCreatedResponse({ type: CreatedSubscriberView })
  @ApiBadRequestResponse(invalid)
  @ApiConflictResponse(nameTaken)
  @ApiUnsupportedMediaTypeResponse({ type: ApiErrorDto, description: 'Body is not JSON' })
  create(@Body() body: CreateSubscriberDto): Promise<CreatedSubscriberView> {
    return this.subscribers.create(body);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a subscriber' })
  @ApiSubscriberId()
  @ApiOkResponse({ type: SubscriberView })
  @ApiNotFoundResponse(unknown)
  get(@Param('id', SubscriberId) id: string): Promise<SubscriberView> {
    return this.subscribers.get(id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a subscriber', description: 'Only the fields given change; the kind cannot.' })
  @ApiSubscriberId()
  @ApiOkResponse({ type: SubscriberView })
  @ApiBadRequestResponse(invalid)
  @ApiNotFoundResponse(unknown)
  @ApiConflictResponse(nameTaken)
  update(@Param('id', SubscriberId) id: string, @Body() body: UpdateSubscriberDto): Promise<SubscriberView> {
    return this.subscribers.update(id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a subscriber', description: 'Its pending deliveries are abandoned.' })
  @ApiSubscriberId()
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiNotFoundResponse(unknown)
  remove(@Param('id', SubscriberId) id: string): Promise<void> {
    return this.subscribers.remove(id);
  }
}
