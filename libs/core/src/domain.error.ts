/** What kind of failure a domain error is: each transport maps it to its own terms (the admin API: HTTP statuses). */
export type DomainErrorKind = 'invalid' | 'not_found' | 'conflict';

/**
 * A failure the caller caused, raised where the domain lives (stores, queues, services) without
 * knowing about HTTP. `code` names the failure precisely and stays stable; `kind` is what a
 * transport needs to answer it.
 */
export abstract class DomainError extends Error {
  abstract readonly kind: DomainErrorKind;

  protected constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Input that breaks a rule, with each failing field by its full path (`retry.backoff.delayMs`). */
export class ValidationFailedError extends DomainError {
  readonly kind = 'invalid';

  constructor(readonly fields: Record<string, string[]>) {
    super('VALIDATION_FAILED', Object.values(fields).flat().join('; '));
  }

  /** Every message, field after field. */
  get messages(): string[] {
    return Object.values(this.fields).flat();
  }
}

/** What was asked for does not exist; the message names it (`subscriber not found`). */
export class NotFoundError extends DomainError {
  readonly kind = 'not_found';

  constructor(message: string, code = 'NOT_FOUND') {
    super(code, message);
  }
}

/** The change would clash with what exists (a name taken). */
export class ConflictError extends DomainError {
  readonly kind = 'conflict';

  constructor(code: string, message: string) {
    super(code, message);
  }
}
