import { Module } from '@nestjs/common';
import { OverviewController, SearchController } from './overview.controller';
import { OverviewService } from './overview.service';
import { SearchService } from './search.service';

/** `/admin/overview` and `/admin/search`: the aggregates and the one search box of the operator console. */
@Module({
  controllers: [OverviewController, SearchController],
  providers: [OverviewService, SearchService],
})
export class OverviewAdminModule {}
