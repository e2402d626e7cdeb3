import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { AdminRoutes } from '../admin-validation';
import { AdminApi, ApiErrorDto } from '../api-docs';
import { OverviewDto, SearchQuery, SearchResultDto } from './overview.dto';
import { OverviewService } from './overview.service';
import { SearchService } from './search.service';

/** What the operator console's first page shows. */
@Controller('admin/overview')
@AdminApi('overview')
@AdminRoutes()
export class OverviewController {
  constructor(private readonly overview: OverviewService) {}

  @Get()
  @ApiOperation({
    summary: 'Overview: webhooks per minute, refusals, delivery backlog, paused subscribers, connections',
    description:
      'Webhooks stored per provider and minute over the last hour (60 whole minutes, the current one last), refused requests of the last 24 hours by reason, pending and failed deliveries, disabled subscribers, and each connection with its last webhook.',
  })
  @ApiOkResponse({ type: OverviewDto })
  get(): Promise<OverviewDto> {
    return this.overview.overview();
  }
}

/** The console's search box. */
@Controller('admin/search')
@AdminApi('search')
@AdminRoutes()
export class SearchController {
  constructor(private readonly searches: SearchService) {}

  @Get()
  @ApiOperation({
    summary: 'Find events and verifications by any id',
    description:
      "`q` is matched exactly against an event id, a verification id (the gateway's), and the subject ids applicantId, externalUserId and verificationId (the vendor's). Items are those of GET /admin/events and GET /admin/verifications.",
  })
  @ApiOkResponse({ type: SearchResultDto })
  @ApiBadRequestResponse({ type: ApiErrorDto, description: 'q missing, empty (once trimmed) or longer than 200 characters' })
  search(@Query() query: SearchQuery): Promise<SearchResultDto> {
    return this.searches.search(query.q);
  }
}
