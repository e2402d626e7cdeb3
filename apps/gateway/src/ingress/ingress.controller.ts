import { Controller, HttpCode, HttpException, Param, Post, Req, ServiceUnavailableException } from '@nestjs/common';
import type { Request } from 'express';
import { WebhookRejection } from '@kyc/core';
import { StorageUnavailableError } from '@kyc/persistence';
import { IngestAnswer, IngressRoute, IngressService } from './ingress.service';

/** The vendors' front door. Bodies are read raw here (no body parser), so signatures see the exact bytes. */
@Controller('webhooks')
export class IngressController {
  constructor(private readonly ingress: IngressService) {}

  @Post()
  @HttpCode(200)
  receiveAny(@Req() request: Request): Promise<IngestAnswer> {
    return this.receive({}, request);
  }

  @Post(':provider')
  @HttpCode(200)
  receiveForProvider(@Param('provider') provider: string, @Req() request: Request): Promise<IngestAnswer> {
    return this.receive({ provider }, request);
  }

  @Post(':provider/:connection')
  @HttpCode(200)
  receiveForConnection(@Param('provider') provider: string, @Param('connection') connection: string, @Req() request: Request): Promise<IngestAnswer> {
    return this.receive({ provider, connection }, request);
  }

  private async receive(route: IngressRoute, request: Request): Promise<IngestAnswer> {
    try {
      return await this.ingress.receive(route, request);
    } catch (error) {
      if (error instanceof WebhookRejection) {
        throw new HttpException({ statusCode: error.status, error: STATUS_TEXT[error.status], message: error.detail }, error.status);
      }
      if (error instanceof StorageUnavailableError) throw new ServiceUnavailableException('storage unavailable, retry later');
      throw error;
    }
  }
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
};
