/**
 * The batch schema as Ajv compiles it, from the contract's zod schema (batch-schema.ts says why Ajv,
 * and what these options keep equal to zod). One definition for both ways it is compiled: when the
 * checking thread loads it in development and tests (compiled-batch-check.ts), and at build time,
 * written out as code for the installed gateway (scripts/batch-check-code.ts).
 */
import { Ajv2020, type Options } from 'ajv/dist/2020.js';
import { z } from 'zod';
import { RecordBatchSchema } from '@hcp/contract';

type JsonSchema = Record<string, unknown>;

/** zod's JSON Schema of the batch, with the records' union told which key discriminates it. */
export function batchJsonSchema(): JsonSchema {
  const schema = z.toJSONSchema(RecordBatchSchema, { io: 'input', unrepresentable: 'throw' }) as JsonSchema;
  const records = (schema.properties as Record<string, JsonSchema>).records!;
  const items = records.items as JsonSchema;
  if (!Array.isArray(items.oneOf)) throw new Error('RecordBatchSchema.records is no longer a union of record kinds: see gateway/ingest/batch-schema.ts');
  records.items = { type: 'object', required: ['kind'], discriminator: { propertyName: 'kind' }, oneOf: items.oneOf };
  return schema;
}

/** `code`: Ajv's code options (the build asks for the compiled function's source, as an ES module). */
export function batchAjv(code: Options['code'] = {}): Ajv2020 {
  return new Ajv2020({ strict: false, allErrors: false, validateFormats: false, removeAdditional: 'all', discriminator: true, code });
}
