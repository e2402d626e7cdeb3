import type { ArgumentsHost } from '@nestjs/common';
import { ConflictError, DomainError, NotFoundError, ValidationFailedError } from '@kyc/core';
import { AdminErrorFilter } from './admin-error.filter';

function answer(error: DomainError): { status: number; body: unknown } {
  const sent = { status: 0, body: undefined as unknown };
  const response = {
    status: (status: number) => ((sent.status = status), response),
    json: (body: unknown) => (sent.body = body),
  };
  new AdminErrorFilter().catch(error, { switchToHttp: () => ({ getResponse: () => response }) } as unknown as ArgumentsHost);
  return sent;
}

describe('AdminErrorFilter', () => {
  it('answers a validation failure 400 with every message and the failing fields', () => {
    const fields = { 'retry.backoff.delayMs': ['retry.backoff.delayMs must not be less than 100'], url: ['url must be an http or https URL'] };
    expect(answer(new ValidationFailedError(fields))).toEqual({
      status: 400,
      body: { statusCode: 400, error: 'Bad Request', message: [...fields['retry.backoff.delayMs'], ...fields.url], fields },
    });
  });

  it('answers not found 404 and conflict 409 with the message, without fields', () => {
    expect(answer(new NotFoundError('subscriber not found'))).toEqual({ status: 404, body: { statusCode: 404, error: 'Not Found', message: 'subscriber not found' } });
    expect(answer(new ConflictError('NAME_TAKEN', 'a subscriber named billing exists already'))).toEqual({
      status: 409,
      body: { statusCode: 409, error: 'Conflict', message: 'a subscriber named billing exists already' },
    });
  });
});
