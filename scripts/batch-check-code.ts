/**
 * The installed gateway's compiled batch check, written out as code at build time
 * (gateway/ingest/compiled-batch-check.ts says why): Ajv's standalone code of the function the
 * checking thread would otherwise compile when it starts, from the same schema and options
 * (gateway/ingest/batch-json-schema.ts). test/gateway/batch-schema.test.ts holds this code to zod's
 * verdicts as it holds the function compiled at run time.
 */
import standalone from 'ajv/dist/standalone/index.js';
import { batchAjv, batchJsonSchema } from '../gateway/ingest/batch-json-schema.js';

/**
 * An ES module exporting `validate`. Ajv's ES module output still takes its run-time helpers
 * (counting a string's characters, ucs2length) by `require`, which an ES module does not have: the
 * module makes its own, from node:module, for those alone.
 */
export function batchCheckModuleCode(): string {
  const ajv = batchAjv({ source: true, esm: true });
  // A CommonJS module: its function is also its `default`, which is what TypeScript sees.
  const code = standalone.default(ajv, ajv.compile(batchJsonSchema())).replace(/^"use strict";/, '');
  const body = code.replace(/\brequire\("(ajv\/dist\/runtime\/[\w/]+)"\)/g, 'requireAjvRuntime("$1")');
  if (/\brequire\(/.test(body)) throw new Error('Ajv standalone code requires a module other than its run-time helpers: see scripts/batch-check-code.ts');
  return `import { createRequire } from 'node:module';\nconst requireAjvRuntime = createRequire(import.meta.url);\n${body}`;
}
