/** An in-process gateway on loopback ports with a temp store, for the gateway and sync suites. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { parseGatewayConfig } from '../../gateway/config/gateway-config.js';
import type { Clock } from '../../gateway/feature.js';
import { GATEWAY_FEATURES } from '../../gateway/features.js';
import { Gateway } from '../../gateway/gateway.js';
import { testDatabaseUrl, testStoreIsPostgres } from '../support/pg-cluster.js';

export interface FixtureOptions {
  /** Captures the log so tests can check what was logged. */
  logLines?: string[];
  mqtt?: Record<string, unknown>;
  http?: Record<string, unknown>;
  /** Extra top-level config sections (cases, province …). */
  sections?: Record<string, unknown>;
  clock?: Clock;
  dir?: string;
  /** Its name among several workers (two fixtures on one `dir` share one store on PostgreSQL). */
  workerId?: string;
}

export async function startInProcessGateway(o: FixtureOptions = {}): Promise<Gateway> {
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), 'hcp-gw-'));
  // HCP_TEST_STORE=postgres: the same run on PostgreSQL, one database per data dir (test/pg/vitest.config.ts).
  const store = testStoreIsPostgres() ? { store: { kind: 'postgres', url: await testDatabaseUrl(join(dir, 'data')) } } : {};
  const config = parseGatewayConfig(
    { dataDir: join(dir, 'data'), http: { port: 0, ...o.http }, mqtt: { port: 0, ...o.mqtt }, hall: { hallName: '测试大厅' }, ...store, ...o.sections },
    GATEWAY_FEATURES,
    dir,
  );
  const lines = o.logLines;
  const logger = lines ? pino({ level: 'info' }, { write: (line: string) => void lines.push(line) }) : pino({ level: 'silent' });
  const gw = new Gateway(config, logger, { features: GATEWAY_FEATURES, ...(o.clock ? { clock: o.clock } : {}), ...(o.workerId ? { workerId: o.workerId } : {}) });
  await gw.start();
  await gw.registry.upsertWindow({ windowId: 'w-01', number: '01', department: '市场监管局' });
  await gw.registry.upsertWindow({ windowId: 'w-02', number: '02', department: '税务局' });
  return gw;
}
