import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsInt, IsObject, isURL, Matches, Max, Min, ValidateBy, ValidateIf, ValidateNested, ValidationArguments } from 'class-validator';
import { CONNECTION_FILTER_PATTERN, TYPE_PATTERN } from '@kyc/core';
import type { BackoffType, SubscriberKind } from '@kyc/persistence';
import { PROVIDERS } from '@kyc/providers';
import { isReservedQueueName, RESERVED_QUEUE_NAMES } from '@kyc/queue';

const KINDS: SubscriberKind[] = ['queue', 'http'];
const BACKOFF_TYPES: BackoffType[] = ['exponential', 'fixed'];

/** Like @IsOptional, but `null` is refused: the store would take it as a value (e.g. a null name). */
const Optional = () => ValidateIf((_object, value) => value !== undefined);

const Nested = (type: () => new () => object) => applyDecorators(IsObject(), ValidateNested(), Type(type));

const Name = () => Matches(/^[A-Za-z0-9_.-]{1,100}$/, { message: 'name must be 1 to 100 letters, digits, _ . or -' });

interface KindField {
  kind: SubscriberKind;
  valid: (value: unknown) => boolean;
  message: (value: unknown) => string;
}

const QUEUE: KindField = {
  kind: 'queue',
  // No `:`: BullMQ refuses queue names containing it (every delivery would fail).
  valid: (value) => typeof value === 'string' && /^[A-Za-z0-9_.-]{1,200}$/.test(value) && !isReservedQueueName(value),
  message: (value) =>
    typeof value === 'string' && isReservedQueueName(value)
      ? `queue must not be one of the gateway's own queues (${RESERVED_QUEUE_NAMES.join(', ')})`
      : 'queue must be 1 to 200 letters, digits, _ . or - (no spaces or colons)',
};

const URL_FIELD: KindField = {
  kind: 'http',
  valid: (value) =>
    typeof value === 'string' && value.length <= 2000 && isURL(value, { require_tld: false, protocols: ['http', 'https'], require_protocol: true, disallow_auth: true }) && !hasUserinfo(value),
  message: (value) => (typeof value === 'string' && hasUserinfo(value) ? 'url must not carry a user name or password (user:pass@host)' : 'url must be an http or https URL of at most 2000 characters'),
};

/**
 * `user:pass@` in a subscriber URL: refused, since parsers disagree on where its host begins
 * (`https://trusted.example@10.0.0.1/` is an SSRF classic) and it would put a credential in the
 * stored URL, shown by the admin API. Judged by WHATWG URL, the parser delivery uses, and by any
 * `@` before the path, which catches what that parser folds away (`https://@host/`).
 */
function hasUserinfo(value: string): boolean {
  const authority = /^[A-Za-z][A-Za-z0-9+.-]*:[\\/]*([^/\\?#]*)/.exec(value)?.[1] ?? '';
  if (authority.includes('@')) return true;
  try {
    const url = new URL(value);
    return url.username !== '' || url.password !== '';
  } catch {
    return false;
  }
}

/** The field's own rule, when it is given (update). */
const FieldRule = ({ valid, message }: KindField) => ValidateBy({ name: 'fieldRule', validator: { validate: valid, defaultMessage: (args) => message(args?.value) } });

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
        kindOf(args) !== kind ? `${args?.property} is only allowed when kind is ${kind}` : args?.value === undefined ? `${args?.property} is required when kind is ${kind}` : message(args?.value),
    },
  });
}

const NAME_DOC = { pattern: '^[A-Za-z0-9_.-]{1,100}$', example: 'billing', description: 'Unique' };
const QUEUE_DOC = { pattern: '^[A-Za-z0-9_.-]{1,200}$', example: 'kyc-billing', description: "BullMQ queue (under QUEUE_PREFIX), not `events` or `deliveries` (the gateway's own); kind queue only" };
const URL_DOC = { format: 'uri', maxLength: 2000, example: 'https://crm.example.com/kyc', description: 'http or https, without user:password@; kind http only' };

@ApiSchema({ name: 'SubscriberBackoff' })
export class BackoffDto {
  @ApiPropertyOptional({ enum: BACKOFF_TYPES, default: 'exponential' })
  @Optional()
  @IsIn(BACKOFF_TYPES)
  type?: BackoffType;

  @ApiPropertyOptional({ minimum: 100, maximum: 86_400_000, default: 1_000, description: 'First (exponential) or every (fixed) delay' })
  @Optional()
  @IsInt()
  @Min(100)
  @Max(86_400_000)
  delayMs?: number;

  @ApiPropertyOptional({ minimum: 1_000, maximum: 604_800_000, default: 3_600_000, description: 'Cap of the exponential delay' })
  @Optional()
  @IsInt()
  @Min(1_000)
  @Max(604_800_000)
  maxDelayMs?: number;
}

@ApiSchema({ name: 'SubscriberRetry' })
export class RetryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 50, default: 10 })
  @Optional()
  @IsInt()
  @Min(1)
  @Max(50)
  maxAttempts?: number;

  @ApiPropertyOptional({ type: () => BackoffDto })
  @Optional()
  @Nested(() => BackoffDto)
  backoff?: BackoffDto;
}

const CONNECTIONS_MESSAGE = 'each value in connections must be a connection name or provider/name, with a known provider';

/** `name`, or `provider/name` naming a provider the gateway has (a typo would silently match nothing). */
function isConnectionEntry(entry: unknown): boolean {
  if (typeof entry !== 'string' || !CONNECTION_FILTER_PATTERN.test(entry)) return false;
  const slash = entry.indexOf('/');
  return slash < 0 || PROVIDERS.some((provider) => provider.name === entry.slice(0, slash));
}

@ApiSchema({ name: 'SubscriberFilter' })
export class FilterDto {
  /** Empty = every provider. */
  @ApiPropertyOptional({ enum: PROVIDERS.map((provider) => provider.name), isArray: true, description: 'Empty or absent: every provider' })
  @Optional()
  @IsArray()
  @IsIn(PROVIDERS.map((provider) => provider.name), { each: true })
  providers?: string[];

  @ApiPropertyOptional({
    type: [String],
    maxItems: 50,
    example: ['complycube/default', 'eu-app'],
    description: 'Connections: a name (at any provider) or `provider/name`. Empty or absent: every connection',
  })
  @Optional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateBy({ name: 'connectionEntries', validator: { validate: (value) => Array.isArray(value) && value.every(isConnectionEntry), defaultMessage: () => CONNECTIONS_MESSAGE } })
  connections?: string[];

  @ApiPropertyOptional({ type: [String], minItems: 1, maxItems: 50, default: ['*'], example: ['verification.*', 'check.completed'], description: '`*`, a prefix (`verification.*`) or a type' })
  @Optional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @Matches(TYPE_PATTERN, { each: true, message: 'each value in types must be *, a type (check.completed) or a prefix (verification.*)' })
  types?: string[];

  @ApiPropertyOptional({ default: false, description: 'Also receive stale status events (`verification.stale: true`: older than the status their verification already holds; they changed nothing)' })
  @Optional()
  @IsBoolean()
  includeStale?: boolean;
}

/** Fields with defaults, the same in creation and update. */
class SubscriberSettingsDto {
  @ApiPropertyOptional({ minimum: 100, maximum: 60_000, default: 10_000, description: 'http: time allowed for a 2xx answer' })
  @Optional()
  @IsInt()
  @Min(100)
  @Max(60_000)
  timeoutMs?: number;

  @ApiPropertyOptional({ type: () => FilterDto })
  @Optional()
  @Nested(() => FilterDto)
  filter?: FilterDto;

  @ApiPropertyOptional({ type: () => RetryDto })
  @Optional()
  @Nested(() => RetryDto)
  retry?: RetryDto;

  @ApiPropertyOptional({ default: true, description: 'A disabled subscriber receives nothing; its deliveries wait' })
  @Optional()
  @IsBoolean()
  enabled?: boolean;
}

@ApiSchema({ name: 'CreateSubscriber' })
export class CreateSubscriberDto extends SubscriberSettingsDto {
  @ApiProperty(NAME_DOC)
  @Name()
  name: string;

  @ApiProperty({ enum: KINDS })
  @IsIn(KINDS)
  kind: SubscriberKind;

  @ApiPropertyOptional(QUEUE_DOC)
  @ForKind(QUEUE)
  queue?: string;

  @ApiPropertyOptional(URL_DOC)
  @ForKind(URL_FIELD)
  url?: string;
}

/** Everything optional; `kind` is absent, so the whitelist refuses it (a subscriber keeps its kind). */
@ApiSchema({ name: 'UpdateSubscriber' })
export class UpdateSubscriberDto extends SubscriberSettingsDto {
  @ApiPropertyOptional(NAME_DOC)
  @Optional()
  @Name()
  name?: string;

  @ApiPropertyOptional(QUEUE_DOC)
  @Optional()
  @FieldRule(QUEUE)
  queue?: string;

  @ApiPropertyOptional(URL_DOC)
  @Optional()
  @FieldRule(URL_FIELD)
  url?: string;
}
