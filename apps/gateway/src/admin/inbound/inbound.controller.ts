import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOperation } from '@nestjs/swagger';
import { InboundRefusalStore } from '@kyc/persistence';
import { AdminRoutes } from '../admin-validation';
import { AdminApi, ApiErrorDto, ApiPageQuery, ApiPageResponse } from '../api-docs';
import { Page, paginate } from '../pagination';
import { InboundListQuery, InboundRefusalDto, inboundSearch, toInboundRefusalDto } from './inbound.dto';

@Controller('admin/inbound')
@AdminApi('inbound')
@AdminRoutes()
export class InboundController {
  constructor(private readonly refusals: InboundRefusalStore) {}

  @Get()
  @ApiOperation({ summary: 'List refused ingress requests with their reasons', description: 'Newest first; never their bodies.' })
  @ApiPageQuery()
  @ApiPageResponse(InboundRefusalDto)
  @ApiBadRequestResponse({ type: ApiErrorDto, description: 'Invalid input; `fields` names each failing field' })
  async list(@Query() query: InboundListQuery): Promise<Page<InboundRefusalDto>> {
    const search = inboundSearch(query);
    const page = await paginate(query, (take, before) => this.refusals.search(search, take, before));
    return { data: page.data.map(toInboundRefusalDto), nextCursor: page.nextCursor };
  }
}
