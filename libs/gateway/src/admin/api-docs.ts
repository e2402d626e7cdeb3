import { applyDecorators, Type } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiExtraModels,
  ApiOkResponse,
  ApiProperty,
  ApiPropertyOptional,
  ApiQuery,
  ApiSchema,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import type { OpenAPIObject } from '@nestjs/swagger';

/** Name of the bearer scheme in the OpenAPI document: @ApiBearerAuth()'s default, so a bare one matches. */
export const ADMIN_BEARER = 'bearer';

/** Every error answer of the admin API: Nest's shape, plus `fields` on a validation failure. */
@ApiSchema({ name: 'ApiError' })
export class ApiErrorDto {
  @ApiProperty({ example: 400 })
  statusCode: number;

  @ApiProperty({ example: 'Bad Request' })
  error: string;

  @ApiProperty({ oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }], example: ['retry.backoff.delayMs must not be less than 100'] })
  message: string | string[];

  @ApiPropertyOptional({
    description: 'Validation failures (400 only): each failing field by its full path',
    type: 'object',
    additionalProperties: { type: 'array', items: { type: 'string' } },
    example: { 'retry.backoff.delayMs': ['retry.backoff.delayMs must not be less than 100'] },
  })
  fields?: Record<string, string[]>;
}

/** Class decorator of an admin controller: its tag, the bearer key, and the answers any route may give. */
export const AdminApi = (tag: string) =>
  applyDecorators(
    ApiTags(tag),
    ApiBearerAuth(ADMIN_BEARER),
    ApiExtraModels(ApiErrorDto),
    ApiUnauthorizedResponse({ description: 'Missing or invalid admin API key', type: ApiErrorDto }),
    ApiTooManyRequestsResponse({ description: 'More than ADMIN_RATE_LIMIT_PER_MINUTE requests per minute from this address', type: ApiErrorDto }),
  );

/** `limit` and `cursor` of every list. */
export const ApiPageQuery = () =>
  applyDecorators(
    ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 } }),
    ApiQuery({ name: 'cursor', required: false, schema: { type: 'string' }, description: 'nextCursor of the previous page' }),
  );

/** 200 with `{data: [item...], nextCursor}`. */
export const ApiPageResponse = (item: Type) =>
  applyDecorators(
    ApiExtraModels(item),
    ApiOkResponse({
      description: 'One page; pass nextCursor back as cursor for the next (null on the last page)',
      schema: {
        type: 'object',
        required: ['data', 'nextCursor'],
        properties: { data: { type: 'array', items: { $ref: getSchemaPath(item) } }, nextCursor: { type: 'string', nullable: true } },
      },
    }),
  );

const errorAnswer = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: getSchemaPath(ApiErrorDto) } } } });

/**
 * The published document is the admin API's (the contract's "OpenAPI UI of the admin API"):
 * ingress, probes and metrics are left out. Every admin operation is marked as needing the key and
 * answering 401/429, also on a controller that forgot @AdminApi (the guards apply to all), and
 * every error answer declared without a body gets the common error shape.
 */
export function adminDocument(document: OpenAPIObject): OpenAPIObject {
  const paths = Object.fromEntries(Object.entries(document.paths).filter(([path]) => path === '/admin' || path.startsWith('/admin/')));
  for (const item of Object.values(paths)) {
    for (const method of ['get', 'put', 'post', 'delete', 'patch'] as const) {
      const operation = item[method];
      if (!operation) continue;
      operation.security ??= [{ [ADMIN_BEARER]: [] }];
      operation.responses['401'] ??= errorAnswer('Missing or invalid admin API key');
      operation.responses['429'] ??= errorAnswer('Rate limited');
      for (const [status, answer] of Object.entries(operation.responses)) {
        if (status.startsWith('4') && answer && !('$ref' in answer) && !answer.content) operation.responses[status] = errorAnswer(answer.description);
      }
    }
  }
  return { ...document, paths };
}
