import { applyDecorators, PipeTransform, UseFilters, UseGuards, UsePipes, ValidationError, ValidationPipe } from '@nestjs/common';
import { NotFoundError, ValidationFailedError } from '@kyc/core';
import { AdminAuthGuard } from './admin-auth.guard';
import { AdminErrorFilter } from './admin-error.filter';

/** Each failing field by its full path (`retry.backoff.delayMs`); the filter answers it as a 400. */
const adminValidationPipe = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  exceptionFactory: (errors) => new ValidationFailedError(fieldMessages(errors)),
});

/**
 * Class decorator of every admin controller: the admin key, validated input, and domain errors
 * answered by the one filter (on the controllers, not globally in main, so tests run the same).
 */
export const AdminRoutes = () => applyDecorators(UseGuards(AdminAuthGuard), UsePipes(adminValidationPipe), UseFilters(AdminErrorFilter));

function fieldMessages(errors: ValidationError[], parent = '', fields: Record<string, string[]> = {}): Record<string, string[]> {
  for (const error of errors) {
    const path = parent ? `${parent}.${error.property}` : error.property;
    // class-validator names only the last segment (`delayMs must ...`): name the full path instead.
    const messages = Object.values(error.constraints ?? {}).map((message) => (message.includes(error.property) ? message.replace(error.property, path) : `${path}: ${message}`));
    if (messages.length > 0) (fields[path] ??= []).push(...messages);
    fieldMessages(error.children ?? [], path, fields);
  }
  return fields;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** Ids are UUIDs: anything else names nothing, so it is a 404 like an unknown id (never a database error). */
export class ResourceIdPipe implements PipeTransform<string, string> {
  constructor(private readonly resource: string) {}

  transform(value: string): string {
    if (!isUuid(value)) throw new NotFoundError(`${this.resource} not found`);
    return value;
  }
}
