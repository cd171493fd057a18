/**
 * GET /health on the gateway's own store (SQLite here; test:pg runs it on PostgreSQL): 200 while
 * the store takes writes, and the store's own probe names the problem when it cannot be read.
 * PostgreSQL turned read-only or gone while a worker runs is test/pg/store-health.test.ts.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Gateway } from '../../gateway/gateway.js';
import { openSqliteStore } from '../../gateway/store/database.js';
import { startInProcessGateway } from '../sync/gateway-fixture.js';

let gw: Gateway;
beforeAll(async () => {
  gw = await startInProcessGateway();
});
afterAll(async () => {
  await gw?.stop();
});

it('answers 200 and ok while its store takes writes', async () => {
  const r = await fetch(`${gw.httpUrl}/health`);
  expect([r.status, await r.json()]).toEqual([200, { ok: true }]);
  expect(await (await fetch(`${gw.httpUrl}/metrics`)).text()).toMatch(/^hcp_store_up 1$/m);
});

it("documents /health's two answers in the API's OpenAPI document", async () => {
  const doc = (await (await fetch(`${gw.httpUrl}/openapi.json`)).json()) as { paths: Record<string, { get: { responses: Record<string, unknown> } }> };
  expect(Object.keys(doc.paths['/health']!.get.responses).sort()).toEqual(['200', '503']);
});

it('names the problem when a SQLite store cannot be read', async () => {
  const store = openSqliteStore({ file: join(mkdtempSync(join(tmpdir(), 'hcp-health-')), 'gateway.db') });
  expect(await store.health()).toEqual({ ok: true });
  store.sqlite!.close();
  expect(await store.health()).toEqual({ ok: false, problem: expect.stringMatching(/^the SQLite store cannot be read: .*not open/) });
  await store.close().catch(() => undefined);
});
