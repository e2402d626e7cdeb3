import { ArgumentsHost, Catch, ExceptionFilter, HttpStatus } from '@nestjs/common';
import type { Response } from 'express';
import { DomainError, DomainErrorKind, ValidationFailedError } from '@kyc/core';

const STATUS_OF: Record<DomainErrorKind, { statusCode: number; error: string }> = {
  invalid: { statusCode: HttpStatus.BAD_REQUEST, error: 'Bad Request' },
  not_found: { statusCode: HttpStatus.NOT_FOUND, error: 'Not Found' },
  conflict: { statusCode: HttpStatus.CONFLICT, error: 'Conflict' },
};

/**
 * The one place domain errors become admin API answers, in Nest's error shape: `{statusCode,
 * error, message}`, plus `fields` (each failing field by its path) on a validation failure, whose
 * `message` lists every field's messages. Anything else goes on to Nest's own handling.
 */
@Catch(DomainError)
export class AdminErrorFilter implements ExceptionFilter<DomainError> {
  catch(error: DomainError, host: ArgumentsHost): void {
    const { statusCode, error: name } = STATUS_OF[error.kind];
    const body =
      error instanceof ValidationFailedError
        ? { statusCode, error: name, message: error.messages, fields: error.fields }
        : // The key order of Nest's own HttpException bodies.
          { message: error.message, error: name, statusCode };
    host.switchToHttp().getResponse<Response>().status(statusCode).json(body);
  }
}
