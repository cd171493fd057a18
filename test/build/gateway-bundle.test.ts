/**
 * Issue 14, "Memory": the gateway's three programs are bundled (scripts/build.ts,
 * GATEWAY_BUNDLES) — some 330 modules loaded as one file and its chunks hold less memory. What
 * the bundle must not lose: the packages loaded only when needed stay so, the files found beside
 * a module's own path (the console, the worker threads) are still found, and the worker threads
 * run from their own bundles.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { deviceTopic } from '@hcp/contract';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGatewayForBench } from '../../scripts/bench/built-gateway.js';
import { packageName } from '../../scripts/build.js';
import { batchPayload, connectAll, disconnectAll, enrolDevices, pushBatches, rawDevice } from '../../scripts/bench/sim-devices.js';
import { startGateway, writeGatewayConfig } from '../../scripts/lib/gateway-process.js';

let program: string;
const work = mkdtempSync(join(tmpdir(), 'gateway-bundle-'));
beforeAll(async () => {
  program = await buildGatewayForBench();
}, 120_000);
afterAll(() => {
  rmSync(dirname(dirname(dirname(program))), { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

/** The files `entry` loads at start (static imports, followed), and what they import by import(). */
function staticClosure(entry: string): { files: string[]; packages: Set<string>; dynamic: Set<string> } {
  const dir = dirname(entry);
  const files: string[] = [];
  const packages = new Set<string>();
  const dynamic = new Set<string>();
  const walk = (file: string) => {
    if (files.includes(file)) return;
    files.push(file);
    const text = readFileSync(join(dir, file), 'utf8');
    for (const m of text.matchAll(/(?:^|[;}\n])\s*import\s*(?:[\w*{}\s,$]+from\s*)?"([^"]+)"/g)) {
      const spec = m[1]!;
      if (spec.startsWith('.')) {
        expect(spec, `${file} imports ${spec}`).toMatch(/^\.\/[\w-]+\.js$/);
        walk(spec.slice(2));
      } else packages.add(packageName(spec));
    }
    for (const m of text.matchAll(/import\("([^"]+)"\)/g)) dynamic.add(m[1]!);
  };
  walk(entry.slice(dir.length + 1));
  return { files, packages, dynamic };
}

describe('the bundled gateway', () => {
  it('loads its own code and zod as a few files beside main.js, kysely from node_modules, and the heavy packages only when needed', () => {
    const { files, packages, dynamic } = staticClosure(program);
    // main.js and its chunks (named with a content hash by esbuild), all in gateway/: no separate module of ours.
    expect(files[0]).toBe('main.js');
    for (const f of files.slice(1)) expect(f).toMatch(/^[\w-]+-[A-Z0-9]{8}\.js$/);
    expect(files.length).toBeLessThan(20);
    expect(packages.has('zod')).toBe(false);
    // kysely bundled cost PostgreSQL's press->ack p99 and backlog (scripts/build.ts, BUNDLED_PACKAGES).
    expect(packages).toContain('kysely');
    expect(packages).toContain('fastify');
    // Loaded by import() when first used (reports, the SMS/phone client, photos, PostgreSQL), as in the separate files.
    for (const lazy of ['pdfkit', 'exceljs', 'sharp', 'mqtt', 'pg']) expect(packages.has(lazy), lazy).toBe(false);
    expect([...dynamic]).toEqual(expect.arrayContaining(['pdfkit', 'exceljs', 'sharp', 'mqtt']));
    expect([...dynamic].some((d) => /^\.\/postgres-store-[A-Z0-9]{8}\.js$/.test(d))).toBe(true);
  });

  it('gives each module the path its own built file would have, where a path is made from it', () => {
    const gatewayDir = dirname(program);
    const { files } = staticClosure(program);
    const text = files.map((f) => readFileSync(join(gatewayDir, f), 'utf8')).join('\n');
    const located = [...text.matchAll(/new URL\("([^"]+)",import\.meta\.url\)/g)].map((m) => m[1]);
    expect(located).toEqual(expect.arrayContaining(['./http/console-static.js', './ingest/batch-check-pool.js', './store/wal-checkpointer.js']));
    // The worker threads are started by path from those two modules: their bundles are beside them.
    for (const worker of ['ingest/batch-check-worker.js', 'store/wal-checkpoint-worker.js']) {
      const { files: workerFiles, packages } = staticClosure(join(gatewayDir, worker));
      expect(workerFiles[0]).toBe(worker.split('/')[1]);
      expect(packages.has('zod')).toBe(false);
    }
  });

  it('gives the checking thread its batch schema as code: Ajv’s compiler is not loaded, only its helper that counts characters', async () => {
    const worker = join(dirname(program), 'ingest', 'batch-check-worker.js');
    const text = readFileSync(worker, 'utf8');
    expect(text).not.toMatch(/ajv\/dist\/(?:2020|compile|core)|"ajv"/);
    expect([...text.matchAll(/requireAjvRuntime\("([^"]+)"\)/g)].map((m) => m[1])).toEqual(['ajv/dist/runtime/ucs2length']);
    // The built pool starts that thread and checks with it: a batch stored, a damaged one refused in zod’s words.
    const { BatchCheckPool } = (await import(join(dirname(program), 'ingest', 'batch-check-pool.js'))) as typeof import('../../gateway/ingest/batch-check-pool.js');
    const pool = new BatchCheckPool(pino({ level: 'silent' }), 1);
    try {
      await pool.warmUp();
      const device = rawDevice('dev-bundle-check');
      const good = await pool.check(device.id, Buffer.from(batchPayload(device, 500)), Date.now());
      expect(good.ok && good.batch.records.length).toBe(500);
      const batch = JSON.parse(batchPayload(device, 500)) as { records: { level?: number; comment?: string }[] };
      batch.records[3]!.level = 6;
      const bad = await pool.check(device.id, Buffer.from(JSON.stringify(batch)), Date.now());
      expect(!bad.ok && bad.refused).toMatch(/records\.3\.level/);
    } finally {
      await pool.close();
    }
  });

  it('keeps the names of its functions, so that a stack trace in the log still names them', () => {
    const gatewayDir = dirname(program);
    const text = staticClosure(program)
      .files.map((f) => readFileSync(join(gatewayDir, f), 'utf8'))
      .join('\n');
    // Two of gateway/log/logger.ts's functions, not exported from the bundle: a minifier renaming identifiers would shorten them.
    expect(text).toContain('function createRootLogger(');
    expect(text).toContain('function prettyFromEnv(');
  });

  it('runs its worker threads from those bundles: large batches checked off the main thread, WAL checkpoints on the thread', async () => {
    const gw = await startGateway(writeGatewayConfig(join(work, 'gw'), { logLevel: 'warn' }), join(work, 'gw', 'data'), { program });
    try {
      await gw.api('PUT', '/api/windows', { windowId: 'w-01', number: '01', department: '市场监管局' });
      const [device] = await enrolDevices(gw, 1, 'dev-bundle');
      await connectAll(gw.mqttUrl, [device!], gw, (id) => deviceTopic(id, 'ack'));
      // 500 records a batch (~250 kB): above the size checked in place, so the pool starts its worker
      // from the file beside batch-check-pool's path; the first batches are checked in place until it is ready.
      for (let round = 0; round < 3; round++) {
        await pushBatches([device!], new Map([[device!.id, Array.from({ length: 4 }, () => batchPayload(device!, 500))]]), (d) => deviceTopic(d.id, 'records'), true);
        await new Promise((r) => setTimeout(r, 700));
      }
      await disconnectAll([device!]);
      const metrics = (await (await fetch(`${gw.http}/metrics`)).text()) as string;
      expect(Number(/^hcp_ingest_records_stored_total (\d+)$/m.exec(metrics)?.[1])).toBe(6000);
      expect(Number(/^hcp_sqlite_wal_checkpoints_total (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThan(0);
      expect(metrics).toMatch(/^hcp_sqlite_wal_checkpoint_thread_failed 0$/m);
      // A worker file not found is a worker lost, logged as an error.
      expect(gw.stderr()).not.toMatch(/worker lost|Cannot find module|ERR_MODULE_NOT_FOUND/);
    } finally {
      await gw.stop();
    }
  }, 120_000);
});
