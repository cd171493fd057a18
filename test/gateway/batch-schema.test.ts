/**
 * The compiled batch schema (gateway/ingest/batch-schema.ts) against the contract's zod schema it
 * is made from: over a full batch and hundreds of damaged copies of it, the compiled check accepts
 * exactly what zod accepts, and yields the same data (unknown keys dropped as zod drops them). Both
 * forms of it: compiled when the module loads (development, tests) and written out as code, as the
 * build puts it in the installed gateway (scripts/batch-check-code.ts).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordBatchSchema } from '@hcp/contract';
import { keyFingerprint } from '@hcp/contract/chain';
import { compiledBatchCheck as checkCompiledOnLoad, parseRecordBatch } from '../../gateway/ingest/batch-schema.js';
import { batchCheckModuleCode } from '../../scripts/batch-check-code.js';
import { REPO_ROOT } from '../support/device-process.js';
import { ScriptedDevice } from '../support/scripted-device.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function fullBatch(): Json {
  const d = new ScriptedDevice('dev-schema-01');
  const rated = d.rating(2, { caseNo: 'C-2026-0001', itemCode: '11100000MB0143' });
  const detail = d.seal({
    kind: 'detail',
    id: '0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b',
    deviceId: d.deviceId,
    seq: d.head.seq + 1,
    prevHash: d.head.hash,
    at: '2026-11-30T09:15:00.123+08:00',
    ratingId: rated.id,
    reasons: [201, 305],
    comment: '等了很久 😀',
    contact: { alg: 'x25519-aes256gcm', keyId: 'hall-2026', epk: 'ZXBr', iv: 'aXY=', ct: 'Y3Q=', tag: 'dGFn' },
  });
  const plain = d.rating(
    5,
    {},
    { staffId: null, facts: { msFromInvitation: 10, staffLoggedIn: false, unarmedPressesBefore: 2, ratingsInLastMinute: 7, flags: ['fast-press', 'burst'] } },
  );
  return JSON.parse(
    JSON.stringify({
      batchId: '0193a2b4-5c6d-7e8f-8a0b-1c2d3e4f5a6b',
      deviceId: d.deviceId,
      records: [rated, detail, plain],
      sentAt: new Date().toISOString(),
      keyFingerprint: keyFingerprint(d.publicKeyPem),
      clocks: [{ fromSeq: 1, current: true, offsetMs: null }],
    }),
  ) as Json;
}

/** Every place in the batch, as a path of keys and indexes. */
function paths(v: Json, at: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [at];
  if (Array.isArray(v)) for (const [i, x] of v.entries()) out.push(...paths(x, [...at, i]));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...at, k]));
  return out;
}

/** What a device, a bug or an attacker could put in a place instead of what is there. */
function replacements(v: Json): (Json | undefined)[] {
  const common: (Json | undefined)[] = [undefined, null, true, 0, -1, 1.5, 2 ** 53, '', 'x', [], {}];
  if (typeof v === 'string')
    return [
      ...common,
      `${v}x`,
      v.toUpperCase(),
      v.slice(1),
      ' '.repeat(v.length),
      'x'.repeat(65),
      'x'.repeat(501),
      '😀'.repeat(32),
      '😀'.repeat(33),
      '😀'.repeat(500),
      '😀'.repeat(501),
      `${v}\n`,
    ];
  if (typeof v === 'number') return [...common, v + 1, v - 1, -v, 0.5, String(v), 99, 600, 100];
  if (Array.isArray(v)) return [...common, [...v, ...v], v.slice(1), Array.from({ length: 17 }, () => v[0] ?? 0), Array.from({ length: 65 }, () => v[0] ?? 0)];
  if (v && typeof v === 'object') return [...common, { ...v, extra: 1 }, { ...v, kind: 'detail' }, { ...v, kind: 'rating' }, { ...v, kind: 'other' }];
  return common;
}

function setAt(root: Json, path: (string | number)[], value: Json | undefined): Json {
  const copy = structuredClone(root);
  if (path.length === 0) return (value ?? null) as Json;
  let o = copy as Record<string | number, Json>;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string | number, Json>;
  const last = path[path.length - 1]!;
  if (value === undefined) {
    if (Array.isArray(o)) o.splice(last as number, 1);
    else delete o[last];
  } else o[last] = value;
  return copy;
}

const written: string[] = [];
afterAll(() => {
  for (const dir of written) rmSync(dir, { recursive: true, force: true });
});

/** The build's code of the check, loaded from a file inside node_modules, where its `require` of Ajv's helper finds ajv as the installed gateway's does. */
async function checkAsBuilt(): Promise<ValidateFunction<unknown>> {
  mkdirSync(join(REPO_ROOT, 'node_modules', '.cache'), { recursive: true });
  const dir = mkdtempSync(join(REPO_ROOT, 'node_modules', '.cache', 'batch-check-'));
  written.push(dir);
  writeFileSync(join(dir, 'compiled-batch-check.mjs'), batchCheckModuleCode());
  return ((await import(join(dir, 'compiled-batch-check.mjs'))) as { validate: ValidateFunction<unknown> }).validate;
}

describe.each([
  ['compiled when it loads', async () => checkCompiledOnLoad as ValidateFunction<unknown>],
  ['written out as code by the build', checkAsBuilt],
])('the compiled batch schema, %s', (_, load) => {
  const base = fullBatch();
  let compiledBatchCheck: ValidateFunction<unknown>;
  beforeAll(async () => {
    compiledBatchCheck = await load();
  });

  it('accepts a full batch, as zod does, with the same data', () => {
    const copy = structuredClone(base);
    expect(RecordBatchSchema.safeParse(base).success).toBe(true);
    expect(compiledBatchCheck(copy)).toBe(true);
    expect(copy).toEqual(RecordBatchSchema.parse(base));
  });

  it('gives zod’s verdict and zod’s data for every damaged copy of it', () => {
    let cases = 0;
    let refused = 0;
    for (const path of paths(base))
      for (const value of replacements(path.reduce<Json>((v, k) => (v as Record<string | number, Json>)[k]!, base))) {
        const input = setAt(base, path, value);
        const byZod = RecordBatchSchema.safeParse(structuredClone(input));
        const copy = structuredClone(input);
        const where = `${path.join('.') || '(the batch)'} = ${JSON.stringify(value)}`;
        expect(compiledBatchCheck(copy), `${where}: ${JSON.stringify(compiledBatchCheck.errors)}`).toBe(byZod.success);
        if (byZod.success) expect(copy, where).toEqual(byZod.data);
        else refused++;
        cases++;
      }
    // The damage is real: most copies are refused, and there are many of them.
    expect(cases).toBeGreaterThan(1500);
    expect(refused).toBeGreaterThan(cases / 2);
  });
});

describe('the batch schema', () => {
  const base = fullBatch();

  it('drops unknown keys at every level, as zod does', () => {
    const input = structuredClone(base) as any;
    input.future = 1;
    input.records[0].future = 'x';
    input.records[0].invitation.future = true;
    input.records[1].contact.future = [];
    input.clocks[0].future = null;
    const r = parseRecordBatch(input);
    expect(r.ok).toBe(true);
    expect(r.ok && r.batch).toEqual(RecordBatchSchema.parse(base));
  });

  it('names what is wrong in the contract’s words when it refuses', () => {
    const input = structuredClone(base) as any;
    input.records[1].reasons = [700];
    const r = parseRecordBatch(input);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(/records\.1\.reasons\.0/);
  });

  it('is loaded by the checking thread alone: a press, checked in place, keeps zod and Ajv stays out of the main thread', () => {
    const gateway = join(REPO_ROOT, 'gateway');
    const sources = readdirSync(gateway, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    const importers = (pattern: RegExp) => sources.filter((f) => pattern.test(readFileSync(join(gateway, f), 'utf8')));
    expect(importers(/from '[./]+(?:ingest\/)?batch-schema\.js'/)).toEqual(['ingest/batch-check-worker.ts']);
    expect(importers(/from '[./]+(?:ingest\/)?compiled-batch-check\.js'/)).toEqual(['ingest/batch-schema.ts']);
    expect(importers(/from '[./]+(?:ingest\/)?batch-json-schema\.js'/)).toEqual(['ingest/compiled-batch-check.ts']);
    // Ajv's compiler: only where the schema is compiled (the others import its types alone).
    expect(importers(/^import (?!type)[^;]*from 'ajv/m)).toEqual(['ingest/batch-json-schema.ts']);
  });

  it('has nothing JSON Schema leaves out: no .refine() anywhere in the contract’s batch schema', () => {
    type Def = { type: string; checks?: { _zod: { def: { check: string } } }[]; shape?: object; element?: Z; options?: Z[]; innerType?: Z };
    type Z = { _zod: { def: Def } };
    const refinements: string[] = [];
    const walk = (schema: Z, at: string): void => {
      const def = schema._zod.def;
      if (def.checks?.some((c) => c._zod.def.check === 'custom')) refinements.push(at);
      for (const [k, v] of Object.entries(def.shape ?? {})) walk(v as Z, `${at}.${k}`);
      if (def.element) walk(def.element, `${at}[]`);
      if (def.innerType) walk(def.innerType, at);
      for (const [i, o] of (def.options ?? []).entries()) walk(o, `${at}|${i}`);
    };
    walk(RecordBatchSchema as unknown as Z, 'batch');
    expect(refinements).toEqual([]);
    // The walk does reach the records' fields (a refinement there would be found).
    const seen: string[] = [];
    const names = (schema: Z): void => {
      for (const [k, v] of Object.entries(schema._zod.def.shape ?? {})) {
        seen.push(k);
        names(v as Z);
      }
      for (const z of [schema._zod.def.element, schema._zod.def.innerType, ...(schema._zod.def.options ?? [])]) if (z) names(z);
    };
    names(RecordBatchSchema as unknown as Z);
    expect(seen).toEqual(expect.arrayContaining(['records', 'comment', 'invitedAt', 'tag', 'offsetMs']));
  });
});
