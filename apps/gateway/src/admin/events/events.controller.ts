import { Body, Controller, Get, HttpCode, NotFoundException, Param, Post, Query, UseGuards, UsePipes } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam } from '@nestjs/swagger';
import type { VerificationEvent } from '@kyc/core';
import { DeliveryAttemptEntity, DeliveryStore, EventStore } from '@kyc/persistence';
import { ReplayService, ReplayTargetNotFoundError } from '@kyc/queue';
import { AdminAuthGuard } from '../admin-auth.guard';
import { adminValidationPipe, ResourceIdPipe } from '../admin-validation';
import { AdminApi, ApiErrorDto, ApiPageQuery, ApiPageResponse } from '../api-docs';
import { toAttemptDto, toDeliveryDto } from '../deliveries/delivery.dto';
import { Page, paginate } from '../pagination';
import { EventDetailDto, EventListQuery, eventSearch, ReplayDto, ReplayResultDto, VerificationEventDto } from './event.dto';

const EventId = new ResourceIdPipe('event');
const ApiEventId = () => ApiParam({ name: 'id', format: 'uuid', description: 'Event id (anything else is a 404)' });
const invalid = { type: ApiErrorDto, description: 'Invalid input; `fields` names each failing field' };

/** Stored events as VerificationEvents. The decoded vendor payload (personal data) is never shown. */
@Controller('admin/events')
@AdminApi('events')
@UseGuards(AdminAuthGuard)
@UsePipes(adminValidationPipe)
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
  list(@Query() query: EventListQuery): Promise<Page<VerificationEvent>> {
    const search = eventSearch(query);
    return paginate(query, (take, before) => this.events.search(search, take, before));
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get an event with its deliveries and their attempts' })
  @ApiEventId()
  @ApiOkResponse({ type: EventDetailDto })
  @ApiNotFoundResponse({ type: ApiErrorDto, description: 'No such event' })
  async get(@Param('id', EventId) id: string): Promise<EventDetailDto> {
    const event = await this.events.findById(id);
    if (!event) throw new NotFoundException('event not found');
    const deliveries = await this.deliveries.forEvent(id);
    const attempts = new Map<string, DeliveryAttemptEntity[]>();
    for (const attempt of await this.deliveries.attemptsOfDeliveries(deliveries.map((delivery) => delivery.id))) {
      attempts.set(attempt.deliveryId, [...(attempts.get(attempt.deliveryId) ?? []), attempt]);
    }
    return {
      event,
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
    try {
      const deliveries = await this.replay.replayEvent(id, body.subscriberIds);
      return { deliveries: deliveries.map(toDeliveryDto) };
    } catch (error) {
      // Its message says which: the event, or a subscriber id.
      if (error instanceof ReplayTargetNotFoundError) throw new NotFoundException(error.message);
      throw error;
    }
  }
}
