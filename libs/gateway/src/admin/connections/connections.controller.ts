import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { AdminRoutes, ResourceIdPipe } from '../admin-validation';
import { ConnectionDto, ConnectionPageDto, ConnectionQuery, CreateConnectionDto, RotateConnectionDto, SecretFingerprintDto, UpdateConnectionDto } from './connection.dto';
import { ConnectionsService } from './connections.service';

const ConnectionId = new ResourceIdPipe('connection');
const INVALID = 'Invalid input; `fields` names each failing field by its path (e.g. `secrets.cryptoKey`, `options.encryptionMethod`).';
const NOT_FOUND = 'No connection with this id.';

/** Vendor connections. Secrets are write-only: answers show fingerprints, never values. */
@ApiTags('connections')
@ApiBearerAuth()
@ApiExtraModels(SecretFingerprintDto)
@ApiUnauthorizedResponse({ description: 'Missing or invalid admin API key.' })
@Controller('admin/connections')
@AdminRoutes()
export class ConnectionsController {
  constructor(private readonly connections: ConnectionsService) {}

  @Get()
  @ApiOperation({ summary: 'List connections, optionally of one provider' })
  @ApiOkResponse({ type: ConnectionPageDto })
  @ApiBadRequestResponse({ description: INVALID })
  list(@Query() query: ConnectionQuery): Promise<ConnectionPageDto> {
    return this.connections.list(query);
  }

  @Post()
  @ApiOperation({ summary: 'Create a connection; the answer holds its ingress URL' })
  @ApiCreatedResponse({ type: ConnectionDto })
  @ApiBadRequestResponse({ description: INVALID })
  @ApiConflictResponse({ description: 'A connection of this provider has this name already.' })
  create(@Body() body: CreateConnectionDto): Promise<ConnectionDto> {
    return this.connections.create(body);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a connection' })
  @ApiOkResponse({ type: ConnectionDto })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  get(@Param('id', ConnectionId) id: string): Promise<ConnectionDto> {
    return this.connections.get(id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change enabled, options or secrets (replaced at once; rotate for a grace period)' })
  @ApiOkResponse({ type: ConnectionDto })
  @ApiBadRequestResponse({ description: `${INVALID} Provider and name cannot be changed.` })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  update(@Param('id', ConnectionId) id: string, @Body() body: UpdateConnectionDto): Promise<ConnectionDto> {
    return this.connections.update(id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a connection: its webhooks get 404 from then on' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  remove(@Param('id', ConnectionId) id: string): Promise<void> {
    return this.connections.remove(id);
  }

  @Post(':id/rotate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Rotate secrets: the new ones apply at once, the old ones keep verifying for graceSeconds' })
  @ApiOkResponse({ type: ConnectionDto })
  @ApiBadRequestResponse({ description: INVALID })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  rotate(@Param('id', ConnectionId) id: string, @Body() body: RotateConnectionDto): Promise<ConnectionDto> {
    return this.connections.rotate(id, body);
  }
}
