import { ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsObject, Matches, Max, Min, ValidateBy, ValidateIf } from 'class-validator';
import { PROVIDERS } from '@kyc/providers';
import { PageQuery } from '../pagination';

const PROVIDER_NAMES = PROVIDERS.map((provider) => provider.name);
export const DEFAULT_GRACE_SECONDS = 86_400;
const MAX_GRACE_SECONDS = 30 * 86_400;
const MAX_SECRET_LENGTH = 4_096;

/** Like @IsOptional, but `null` is refused: the store would take it as a value. */
const Optional = () => ValidateIf((_object, value) => value !== undefined);

/** The name is a path segment of the ingress URL: `.` and `..` would be resolved away by clients. */
const NAME = /^(?!\.{1,2}$)[A-Za-z0-9_.-]{1,100}$/;

/** An object of strings; which fields a provider takes is checked against its adapter afterwards. */
const SecretValues = () =>
  ValidateBy({
    name: 'secretValues',
    validator: {
      validate: (value) =>
        value !== null &&
        typeof value === 'object' &&
        !Array.isArray(value) &&
        Object.values(value as Record<string, unknown>).every((secret) => typeof secret === 'string' && secret.length <= MAX_SECRET_LENGTH),
      defaultMessage: (args) => `${args?.property} must be an object of strings (at most ${MAX_SECRET_LENGTH} characters each)`,
    },
  });

/** Provider and name make the ingress URL vendors were given: changing them would break it. */
const Fixed = () =>
  ValidateBy({
    name: 'fixed',
    validator: {
      validate: (value) => value === undefined,
      defaultMessage: (args) => `${args?.property} cannot be changed: it is part of the ingress URL (create a new connection instead)`,
    },
  });

const fieldList = (fields: readonly string[], optional: readonly string[] = []) => [...fields, ...optional.map((field) => `${field}?`)].join(', ');

const SECRETS_DOC = {
  type: 'object',
  additionalProperties: { type: 'string' },
  description: `Write-only. ${PROVIDERS.map((provider) => `${provider.displayName} \`{${fieldList(provider.secretFields.required, provider.secretFields.optional)}}\``).join(', ')}.`,
  example: { webhookSecret: '<the secret the vendor shows>' },
} as const;

const OPTIONS_DOC = {
  type: 'object',
  additionalProperties: true,
  description:
    "Per-vendor choices, each explained in the vendor's MAPPING.md: " +
    PROVIDERS.map((provider) => [provider.displayName, provider.optionNames.filter((option) => option !== 'requiredHeaders')] as const)
      .filter(([, options]) => options.length > 0)
      .map(([vendor, options]) => `${vendor} \`${fieldList(options)}\``)
      .join('; ') +
    '; every vendor `requiredHeaders` (header name → exact value, write-only). Unknown names are refused.',
  example: { encryptionMethod: 'aes-256-gcm', requiredHeaders: { authorization: 'Bearer s3cret' } },
} as const;

export class ConnectionQuery extends PageQuery {
  @ApiPropertyOptional({ enum: PROVIDER_NAMES })
  @Optional()
  @IsIn(PROVIDER_NAMES)
  provider?: string;
}

export class CreateConnectionDto {
  @ApiProperty({ enum: PROVIDER_NAMES })
  @IsIn(PROVIDER_NAMES)
  provider: string;

  @ApiProperty({ pattern: NAME.source, example: 'eu-app', description: 'The last segment of the ingress URL `/webhooks/<provider>/<name>`.' })
  @Matches(NAME, { message: 'name must be 1 to 100 letters, digits, _ . or - (not . or ..)' })
  name: string;

  @ApiPropertyOptional({ default: true })
  @Optional()
  @IsBoolean()
  enabled?: boolean;

  @ApiProperty(SECRETS_DOC)
  @SecretValues()
  secrets: Record<string, string>;

  @ApiPropertyOptional(OPTIONS_DOC)
  @Optional()
  @IsObject()
  options?: Record<string, unknown>;
}

export class UpdateConnectionDto {
  @ApiPropertyOptional({ readOnly: true, description: 'Cannot be changed (400).' })
  @Fixed()
  provider?: string;

  @ApiPropertyOptional({ readOnly: true, description: 'Cannot be changed (400): it is part of the ingress URL.' })
  @Fixed()
  name?: string;

  @ApiPropertyOptional()
  @Optional()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({ ...SECRETS_DOC, description: `${SECRETS_DOC.description} Replaces the secrets at once, without grace (use rotate for a grace).` })
  @Optional()
  @SecretValues()
  secrets?: Record<string, string>;

  @ApiPropertyOptional({ ...OPTIONS_DOC, description: `${OPTIONS_DOC.description} Merged over the current options; \`null\` resets one to its default.` })
  @Optional()
  @IsObject()
  options?: Record<string, unknown>;
}

export class RotateConnectionDto {
  @ApiProperty(SECRETS_DOC)
  @SecretValues()
  secrets: Record<string, string>;

  @ApiPropertyOptional({ default: DEFAULT_GRACE_SECONDS, minimum: 0, maximum: MAX_GRACE_SECONDS, description: 'How long the previous secrets keep verifying.' })
  @Optional()
  @IsInt()
  @Min(0)
  @Max(MAX_GRACE_SECONDS)
  graceSeconds?: number;
}

export class SecretFingerprintDto {
  @ApiProperty({ example: '3f9a1c0b7d2e', description: 'Keyed digest of the secret: tells secrets apart, reveals nothing.' })
  fingerprint: string;
}

const FINGERPRINTS = { type: 'object', additionalProperties: { $ref: getSchemaPath(SecretFingerprintDto) } } as const;

export class ConnectionDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: PROVIDER_NAMES })
  provider: string;

  @ApiProperty({ example: 'eu-app' })
  name: string;

  @ApiProperty()
  enabled: boolean;

  @ApiProperty({ example: '/webhooks/allpass/eu-app', description: "Where the vendor must send this connection's webhooks." })
  ingressUrl: string;

  @ApiProperty({ ...FINGERPRINTS, description: 'Secret name → fingerprint; values are never returned.' })
  secrets: Record<string, SecretFingerprintDto>;

  @ApiProperty({ ...FINGERPRINTS, nullable: true, description: 'During a rotation grace: the previous secrets, still verifying.' })
  previousSecrets: Record<string, SecretFingerprintDto> | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  previousSecretsExpireAt: string | null;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'As set; `requiredHeaders` values as `{fingerprint}`.' })
  options: Record<string, unknown>;

  @ApiProperty({
    type: [String],
    example: ['AES-256-CBC without an HMAC key is unauthenticated; set the HMAC key or a required custom header (requiredHeaders)'],
    description:
      'Weaknesses of this configuration, for the operator to fix (e.g. Allpass CBC allowed without an HMAC key or a required header ' +
      'through `allowUnauthenticatedCbc`). Empty when there are none; never contains a secret.',
  })
  warnings: string[];

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export class ConnectionPageDto {
  @ApiProperty({ type: [ConnectionDto] })
  data: ConnectionDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last one.' })
  nextCursor: string | null;
}
