import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { join } from 'node:path';
import { CONSOLE_PUBLIC_DIR, ConsoleAssets, PREACT_HTM_FILE } from './console-assets';

/**
 * The operator console: a page that needs no key (it holds none until the operator signs in)
 * and talks to the admin API with the key typed in, as `Authorization: Bearer`.
 */
@ApiExcludeController()
@Controller('console')
export class ConsoleController {
  constructor(private readonly assets: ConsoleAssets) {}

  @Get()
  index(@Req() request: Request, @Res() response: Response): Promise<void> {
    return this.assets.send(request, response, join(CONSOLE_PUBLIC_DIR, 'index.html'));
  }

  @Get('vendor/preact-htm.js')
  vendor(@Req() request: Request, @Res() response: Response): Promise<void> {
    return this.assets.send(request, response, PREACT_HTM_FILE);
  }

  @Get('app/*path')
  file(@Param('path') path: string[] | string, @Req() request: Request, @Res() response: Response): Promise<void> {
    return this.assets.sendPublic(request, response, Array.isArray(path) ? path : path.split('/'));
  }
}
