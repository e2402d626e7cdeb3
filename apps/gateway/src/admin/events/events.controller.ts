import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam } from '@nestjs/swagger';
import { NotFoundError } from '@kyc/core';
import { DeliveryAttemptEntity, DeliveryStore, EventStore } from '@kyc/persistence';
import { ReplayService } from '@kyc/queue';
import { AdminRoutes, ResourceIdPipe } from '../admin-validation';
import { AdminApi, ApiErrorDto, ApiPageQuery, ApiPageResponse } from '../api-docs';
import { toAttemptDto, toDeliveryDto } from '../deliveries/delivery.dto';
import { Page, paginate } from '../pagination';
import { EventDetailDto, EventListQuery, eventSearch, ReplayDto, ReplayResultDto, toVerificationEventDto, VerificationEventDto } from './event.dto';

const EventId = new ResourceIdPipe('event');
const ApiEventId = () => ApiParam({ name: 'id', format: 'uuid', description: 'Event id (anything else is a 404)' });
const invalid = { type: ApiErrorDto, description: 'Invalid input; `fields` names each failing field' };

/** Stored events as VerificationEvents. The decoded vendor payload (personal data) is never shown. */
@Controller('admin/events')
@AdminApi('events')
@AdminRoutes()
export class EventsController {
  constructor(
    private readonly events: EventStore,
    private readonly deliveries: DeliveryStore,
    private readonly replay: ReplayService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List events', description: 'Newest first. New events never shift the pages of a cursor (they sort before its first page).' })
  @ApiPageQuery()
  @ApiPageResponse(VerificationEventDto)
  @ApiBadRequestResponse(invalid)
  async list(@Query() query: EventListQuery): Promise<Page<VerificationEventDto>> {
    const search = eventSearch(query);
    const page = await paginate(query, (take, before) => this.events.search(search, take, before));
    return { data: page.data.map(toVerificationEventDto), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get an event with its deliveries and their attempts' })
  @ApiEventId()
  @ApiOkResponse({ type: EventDetailDto })
  @ApiNotFoundResponse({ type: ApiErrorDto, description: 'No such event' })
  async get(@Param('id', EventId) id: string): Promise<EventDetailDto> {
    const event = await this.events.findById(id);
    if (!event) throw new NotFoundError('event not found');
    const deliveries = await this.deliveries.forEvent(id);
    const attempts = new Map<string, DeliveryAttemptEntity[]>();
    for (const attempt of await this.deliveries.attemptsOfDeliveries(deliveries.map((delivery) => delivery.id))) {
      attempts.set(attempt.deliveryId, [...(attempts.get(attempt.deliveryId) ?? []), attempt]);
    }
    return {
      event: toVerificationEventDto(event),
      deliveries: deliveries.map((delivery) => ({ ...toDeliveryDto(delivery), attemptLog: (attempts.get(delivery.id) ?? []).map(toAttemptDto) })),
    };
  }

  @Post(':id/replay')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Deliver an event again',
    description: 'A new round of attempts for every subscriber whose filter matches the event now, or for `subscriberIds`. A queue subscriber gets a new job `<eventId>:replay:<n>`.',
  })
  @ApiEventId()
  @ApiAcceptedResponse({ type: ReplayResultDto })
  @ApiBadRequestResponse(invalid)
  @ApiNotFoundResponse({ type: ApiErrorDto, description: 'No such event or subscriber' })
  async replayEvent(@Param('id', EventId) id: string, @Body() body: ReplayDto = {}): Promise<ReplayResultDto> {
    const deliveries = await this.replay.replayEvent(id, body.subscriberIds);
    return { deliveries: deliveries.map(toDeliveryDto) };
  }
}
