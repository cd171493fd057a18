/**
 * The console's API types are the gateway's OpenAPI document run through openapi-typescript. If a
 * route changes shape and nobody regenerates them, the console would type-check against an API that
 * no longer exists: this fails until `npm run console:api-schema` is run.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { consoleApiTypes, SCHEMA_FILE } from '../../scripts/console-api-schema.js';

describe("the console's API types", () => {
  it("match the gateway's OpenAPI document", async () => {
    const fresh = await consoleApiTypes();
    expect(fresh).toContain('"/api/live/summary"');
    expect(readFileSync(SCHEMA_FILE, 'utf8') === fresh, 'gateway/console/src/api/schema.d.ts is out of date: run npm run console:api-schema').toBe(true);
  }, 60_000);
});
