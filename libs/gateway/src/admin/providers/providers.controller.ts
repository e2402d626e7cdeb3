import { Controller, Get, Module } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty } from '@nestjs/swagger';
import { PROVIDERS, type ProviderAdapter } from '@kyc/providers';
import { AdminRoutes } from '../admin-validation';
import { AdminApi } from '../api-docs';

class ProviderSecretsDto {
  @ApiProperty({ type: [String], example: ['webhookSecret'] }) required: string[];
  @ApiProperty({ type: [String], example: [] }) optional: string[];
}

class ProviderDto {
  @ApiProperty({ example: 'complycube', description: 'route segment and VerificationEvent.provider' }) name: string;
  @ApiProperty({ example: 'ComplyCube' }) displayName: string;
  @ApiProperty({ type: ProviderSecretsDto, description: "the names a connection's `secrets` takes" }) secrets: ProviderSecretsDto;
  @ApiProperty({ type: [String], example: ['requiredHeaders'], description: "the names a connection's `options` takes (each vendor's MAPPING.md explains them)" }) options: string[];
  @ApiProperty({ type: [String], example: ['complycube-signature'], description: 'headers that carry its signature; POST /webhooks recognises the vendor by them' }) signatureHeaders: string[];
  @ApiProperty({ type: [String], description: 'vendor event types its mapping documents (npm run simulate builds each)' }) eventTypes: string[];
}

class ProviderListDto {
  @ApiProperty({ type: [ProviderDto] }) data: ProviderDto[];
}

const toProviderDto = (provider: ProviderAdapter): ProviderDto => ({
  name: provider.name,
  displayName: provider.displayName,
  secrets: { required: [...provider.secretFields.required], optional: [...provider.secretFields.optional] },
  options: [...provider.optionNames],
  signatureHeaders: [...provider.signatureHeaders],
  eventTypes: [...provider.simulator.eventTypes],
});

/** `/admin/providers`: the registered vendors and what a connection of each takes, read from the registry. */
@Controller('admin/providers')
@AdminApi('providers')
@AdminRoutes()
export class ProvidersController {
  @Get()
  @ApiOperation({ summary: 'List the supported vendors', description: 'From the provider registry: what a connection of each takes (secrets, options), how it is recognised, its event types.' })
  @ApiOkResponse({ type: ProviderListDto })
  list(): ProviderListDto {
    return { data: PROVIDERS.map(toProviderDto) };
  }
}

@Module({ controllers: [ProvidersController] })
export class ProvidersAdminModule {}
