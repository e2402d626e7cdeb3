import { applyDecorators } from '@nestjs/common';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsInt, IsObject, isURL, Matches, Max, Min, ValidateBy, ValidateIf, ValidateNested, ValidationArguments,
} from 'class-validator';
import { TYPE_PATTERN } from '@kyc/core';
import type { BackoffType, SubscriberKind } from '@kyc/persistence';
import { PROVIDERS } from '@kyc/providers';

const KINDS: SubscriberKind[] = ['queue', 'http'];
const BACKOFF_TYPES: BackoffType[] = ['exponential', 'fixed'];

/** Like @IsOptional, but `null` is refused: the store would take it as a value (e.g. a null name). */
const Optional = () => ValidateIf((_object, value) => value !== undefined);

const Nested = (type: () => new () => object) => applyDecorators(IsObject(), ValidateNested(), Type(type));

const Name = () => Matches(/^[A-Za-z0-9_.-]{1,100}$/, { message: 'name must be 1 to 100 letters, digits, _ . or -' });

interface KindField {
  kind: SubscriberKind;
  valid: (value: unknown) => boolean;
  message: string;
}

const QUEUE: KindField = {
  kind: 'queue',
  // No `:`: BullMQ refuses queue names containing it (every delivery would fail).
  valid: (value) => typeof value === 'string' && /^[A-Za-z0-9_.-]{1,200}$/.test(value),
  message: 'queue must be 1 to 200 letters, digits, _ . or - (no spaces or colons)',
};

const URL_FIELD: KindField = {
  kind: 'http',
  valid: (value) => typeof value === 'string' && value.length <= 2000 && isURL(value, { require_tld: false, protocols: ['http', 'https'], require_protocol: true }),
  message: 'url must be an http or https URL of at most 2000 characters',
};

/** The field's own rule, when it is given (update). */
const FieldRule = ({ valid, message }: KindField) => ValidateBy({ name: 'fieldRule', validator: { validate: valid, defaultMessage: () => message } });

/**
 * `queue` belongs to queue subscribers and `url` to http ones: required there, refused elsewhere.
 * One custom rule, so a missing field gets one message ("required"), not one per constraint.
 */
function ForKind({ kind, valid, message }: KindField) {
  const kindOf = (args?: ValidationArguments) => (args?.object as { kind?: unknown }).kind;
  return ValidateBy({
    name: 'forKind',
    validator: {
      validate: (value, args) => (kindOf(args) === kind ? valid(value) : value === undefined),
      defaultMessage: (args) =>
        kindOf(args) !== kind ? `${args?.property} is only allowed when kind is ${kind}` : args?.value === undefined ? `${args?.property} is required when kind is ${kind}` : message,
    },
  });
}

export class BackoffDto {
  @Optional() @IsIn(BACKOFF_TYPES)
  type?: BackoffType;

  @Optional() @IsInt() @Min(100) @Max(86_400_000)
  delayMs?: number;

  @Optional() @IsInt() @Min(1_000) @Max(604_800_000)
  maxDelayMs?: number;
}

export class RetryDto {
  @Optional() @IsInt() @Min(1) @Max(50)
  maxAttempts?: number;

  @Optional() @Nested(() => BackoffDto)
  backoff?: BackoffDto;
}

export class FilterDto {
  /** Empty = every provider. */
  @Optional() @IsArray() @IsIn(PROVIDERS.map((provider) => provider.name), { each: true })
  providers?: string[];

  @Optional() @IsArray() @ArrayMinSize(1) @ArrayMaxSize(50)
  @Matches(TYPE_PATTERN, { each: true, message: 'each value in types must be *, a type (check.completed) or a prefix (verification.*)' })
  types?: string[];
}

/** Fields with defaults, the same in creation and update. */
class SubscriberSettingsDto {
  @Optional() @IsInt() @Min(100) @Max(60_000)
  timeoutMs?: number;

  @Optional() @Nested(() => FilterDto)
  filter?: FilterDto;

  @Optional() @Nested(() => RetryDto)
  retry?: RetryDto;

  @Optional() @IsBoolean()
  enabled?: boolean;
}

export class CreateSubscriberDto extends SubscriberSettingsDto {
  @Name()
  name: string;

  @IsIn(KINDS)
  kind: SubscriberKind;

  @ForKind(QUEUE)
  queue?: string;

  @ForKind(URL_FIELD)
  url?: string;
}

/** Everything optional; `kind` is absent, so the whitelist refuses it (a subscriber keeps its kind). */
export class UpdateSubscriberDto extends SubscriberSettingsDto {
  @Optional() @Name()
  name?: string;

  @Optional() @FieldRule(QUEUE)
  queue?: string;

  @Optional() @FieldRule(URL_FIELD)
  url?: string;
}
