import { Controller, Get, Param, Query } from '@nestjs/common';
import { NotFoundError } from '@kyc/core';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam } from '@nestjs/swagger';
import { VerificationStore } from '@kyc/persistence';
import { AdminRoutes, ResourceIdPipe } from '../admin-validation';
import { AdminApi, ApiErrorDto, ApiPageQuery, ApiPageResponse } from '../api-docs';
import { Page, paginate } from '../pagination';
import { toTimelineEntryDto, toVerificationDto, VerificationDetailDto, VerificationDto, VerificationListQuery, verificationSearch } from './verification.dto';

const VerificationId = new ResourceIdPipe('verification');

/** Each subject's verification as the ordering guard holds it, with its timeline. */
@Controller('admin/verifications')
@AdminApi('verifications')
@AdminRoutes()
export class VerificationsController {
  constructor(private readonly verifications: VerificationStore) {}

  @Get()
  @ApiOperation({ summary: 'List verifications', description: 'Newest first (by creation).' })
  @ApiPageQuery()
  @ApiPageResponse(VerificationDto)
  @ApiBadRequestResponse({ type: ApiErrorDto, description: 'Invalid input; `fields` names each failing field' })
  async list(@Query() query: VerificationListQuery): Promise<Page<VerificationDto>> {
    const search = verificationSearch(query);
    const page = await paginate(query, (take, before) => this.verifications.search(search, take, before));
    return { data: page.data.map(toVerificationDto), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a verification with its timeline (every event in vendor-time order)' })
  @ApiParam({ name: 'id', format: 'uuid', description: 'Verification id (`verification.id` of its events; anything else is a 404)' })
  @ApiOkResponse({ type: VerificationDetailDto })
  @ApiNotFoundResponse({ type: ApiErrorDto, description: 'No such verification' })
  async get(@Param('id', VerificationId) id: string): Promise<VerificationDetailDto> {
    const verification = await this.verifications.findById(id);
    if (!verification) throw new NotFoundError('verification not found');
    return { ...toVerificationDto(verification), timeline: (await this.verifications.timeline(id)).map(toTimelineEntryDto) };
  }
}
