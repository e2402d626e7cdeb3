import { Injectable, Logger, NotFoundException, OnModuleInit } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, extname, join, resolve, sep } from 'node:path';
import type { Request, Response } from 'express';

/**
 * The console's own files: beside this module in the sources (`npm start`, tests) and copied
 * beside its compiled form by nest-cli.json's `assets` (`npm run build`), so `__dirname` finds
 * them in both.
 */
export const CONSOLE_PUBLIC_DIR = join(__dirname, 'public');

/**
 * Preact + hooks + htm in one ES module, from the installed `htm` package (no CDN, no build step).
 * Its package exports no such subpath, so the path is found from the package's main file.
 */
export const PREACT_HTM_FILE = join(dirname(require.resolve('htm')), '..', 'preact', 'standalone.module.js');

/** The Content-Security-Policy of every /console answer: nothing inline, nothing from elsewhere. */
export const CONSOLE_CSP_DIRECTIVES: Record<string, string[]> = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  'frame-ancestors': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'self'"],
};

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** One path segment of a console file: no dot files, no `..`. */
const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,99}$/;

/** Serves the console's files: known types only, from its folder only, revalidated on every load. */
@Injectable()
export class ConsoleAssets implements OnModuleInit {
  private readonly logger = new Logger('Console');

  onModuleInit(): void {
    // Not fatal: the gateway's real work is the ingress. Said once, loudly, at boot.
    if (!existsSync(join(CONSOLE_PUBLIC_DIR, 'index.html'))) this.logger.error(`console files not found in ${CONSOLE_PUBLIC_DIR}: /console will answer 404 (was the build's assets step skipped?)`);
    if (!existsSync(PREACT_HTM_FILE)) this.logger.error(`${PREACT_HTM_FILE} not found: the console cannot start (is the htm package installed?)`);
  }

  /** A file below the public folder, by its path segments (`['pages', 'overview.js']`). */
  async sendPublic(request: Request, response: Response, segments: string[]): Promise<void> {
    if (segments.length === 0 || segments.length > 4 || !segments.every((segment) => SEGMENT.test(segment))) throw notFound();
    const file = resolve(CONSOLE_PUBLIC_DIR, ...segments);
    if (!file.startsWith(CONSOLE_PUBLIC_DIR + sep)) throw notFound();
    await this.send(request, response, file);
  }

  async send(request: Request, response: Response, file: string): Promise<void> {
    const type = CONTENT_TYPES[extname(file)];
    if (type === undefined) throw notFound();
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'EISDIR') throw notFound();
      throw error;
    }
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
    // no-cache: the browser may keep a copy but asks each time (a 304 when unchanged), so a new
    // version of the gateway never runs with yesterday's scripts.
    response.set({ 'Content-Type': type, 'Cache-Control': 'no-cache', ETag: etag, 'X-Content-Type-Options': 'nosniff' });
    if (request.headers['if-none-match'] === etag) {
      response.status(304).end();
      return;
    }
    response.status(200).send(body);
  }
}

function notFound(): NotFoundException {
  return new NotFoundException('no such console file');
}
