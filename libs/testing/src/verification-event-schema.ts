import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { InvalidVerificationEventError, parseVerificationEvent, verificationEventJsonSchema } from '@kyc/consumer';

/** Why an event fails: JSON pointers and rules only, never the values (payloads carry personal data). */
export type SchemaViolations = string[];

/**
 * A check of a value against the published JSON Schema of VerificationEvent (ajv, strict, with
 * the formats), and against the consumer's hand-written validator; `[]` when both accept it.
 */
export function verificationEventChecker(schema: object = verificationEventJsonSchema()): { jsonSchema: (value: unknown) => SchemaViolations; parser: (value: unknown) => SchemaViolations } {
  const ajv = new Ajv({ allErrors: true, strict: true });
  addFormats(ajv);
  const validate = ajv.compile(schema);
  return {
    jsonSchema: (value) => (validate(value) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? error.keyword}`)),
    parser: (value) => {
      try {
        parseVerificationEvent(value);
        return [];
      } catch (error) {
        if (error instanceof InvalidVerificationEventError) return error.fields;
        throw error;
      }
    },
  };
}
