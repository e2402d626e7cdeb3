import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBadRequestResponse, ApiNotFoundResponse, ApiOperation, ApiParam } from '@nestjs/swagger';
import { ValidationFailedError } from '@kyc/core';
import { DeliveryStore } from '@kyc/persistence';
import { ReplayService } from '@kyc/queue';
import { AdminRoutes, ResourceIdPipe } from '../admin-validation';
import { AdminApi, ApiErrorDto, ApiPageQuery, ApiPageResponse } from '../api-docs';
import { Page, paginate } from '../pagination';
import { BulkRetryService } from './bulk-retry.service';
import { BulkRetryDto, BulkRetryResultDto, DeliveryDto, DeliveryListQuery, deliverySearch, toDeliveryDto } from './delivery.dto';

const DeliveryId = new ResourceIdPipe('delivery');
const invalid = { type: ApiErrorDto, description: 'Invalid input; `fields` names each failing field' };

@Controller('admin/deliveries')
@AdminApi('deliveries')
@AdminRoutes()
export class DeliveriesController {
  constructor(
    private readonly deliveries: DeliveryStore,
    private readonly replay: ReplayService,
    private readonly bulkRetry: BulkRetryService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List deliveries', description: 'Newest first; `from` / `to` apply to createdAt.' })
  @ApiPageQuery()
  @ApiPageResponse(DeliveryDto)
  @ApiBadRequestResponse(invalid)
  async list(@Query() query: DeliveryListQuery): Promise<Page<DeliveryDto>> {
    const search = deliverySearch(query);
    const page = await paginate(query, (take, before) => this.deliveries.search(search, take, before));
    return { data: page.data.map(toDeliveryDto), nextCursor: page.nextCursor };
  }

  @Post('retry')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Retry every delivery matching a filter, whatever its status',
    description:
      'At least one filter is required (e.g. `{subscriberId, status: "failed"}`, or `{from, to}` to recover a time range). ' +
      'Answers with the number of matching deliveries; up to 500 are restarted before the answer, more in the background.',
  })
  @ApiAcceptedResponse({ type: BulkRetryResultDto })
  @ApiBadRequestResponse({ type: ApiErrorDto, description: 'No filter, or an invalid one (named in `fields`)' })
  async retryMatching(@Body() body: BulkRetryDto = {}): Promise<BulkRetryResultDto> {
    // Retrying every delivery ever made is never what a missing filter meant.
    if (Object.values(body).every((value) => value === undefined)) {
      throw new ValidationFailedError({ body: ['give at least one of status, subscriberId, eventId, from, to'] });
    }
    return { queued: await this.bulkRetry.retryMatching(deliverySearch(body)) };
  }

  @Post(':id/retry')
  @HttpCode(202)
  @ApiOperation({ summary: 'Retry one delivery', description: 'A new round of attempts, whatever its status (e.g. a failed one).' })
  @ApiParam({ name: 'id', format: 'uuid', description: 'Delivery id (anything else is a 404)' })
  @ApiAcceptedResponse({ type: DeliveryDto })
  @ApiNotFoundResponse({ type: ApiErrorDto, description: 'No such delivery' })
  async retry(@Param('id', DeliveryId) id: string): Promise<DeliveryDto> {
    return toDeliveryDto(await this.replay.retryDelivery(id));
  }
}
