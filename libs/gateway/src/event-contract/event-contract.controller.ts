import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { verificationEventJsonSchema } from '@kyc/consumer/verification-event.json-schema';
import { ASYNCAPI_DOCUMENT_PATH, asyncApiDocument, VERIFICATION_EVENT_SCHEMA_PATH } from './asyncapi-document';

/** Serialized once: both documents are fixed for the life of the process (express adds the ETag). */
const verificationEventSchemaJson = JSON.stringify(verificationEventJsonSchema());
const asyncApiJson = JSON.stringify(asyncApiDocument());

/**
 * The outbound contract as data, for downstream teams and their tools. The JSON Schema is public
 * (it maps nothing of this deployment) and cacheable by anyone; the AsyncAPI document sits under
 * /docs and is guarded with it (METRICS_TOKEN or the admin key in production, see http-app.ts).
 */
@ApiExcludeController()
@Controller()
export class EventContractController {
  @Get(VERIFICATION_EVENT_SCHEMA_PATH)
  @Header('Content-Type', 'application/schema+json; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=3600')
  // Schema validators and editors fetch it from browsers too.
  @Header('Access-Control-Allow-Origin', '*')
  verificationEventSchema(): string {
    return verificationEventSchemaJson;
  }

  @Get(ASYNCAPI_DOCUMENT_PATH)
  @Header('Content-Type', 'application/json; charset=utf-8')
  @Header('Cache-Control', 'private, max-age=300')
  asyncApi(): string {
    return asyncApiJson;
  }
}
