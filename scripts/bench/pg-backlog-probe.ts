/**
 * Why one device's 100,000-record backlog on PostgreSQL takes so different times (issue 14): about
 * 9 s in bench:gateway's 1-device throughput round and in code-ab.ts, about 3–4 s in bench:gateway's
 * backlog phase, the same measurement each time. Here one gateway on a fresh throw-away cluster
 * takes the same device's backlog PUSHES times in a row, each on a quiet machine, and prints for
 * each push its time per tenth (a rate that falls within a push is a plan or a table that grows
 * badly) and PostgreSQL's log of it: statements over PG_LOG_MS (20 ms), checkpoints, autovacuum.
 * Usage: PUSHES=3 npx tsx scripts/bench/pg-backlog-probe.ts
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { deviceTopic } from '@hcp/contract';
import { REPO_ROOT } from '../lib/device-process.js';
import { serviceEnvironment } from '../lib/systemd-unit.js';
import { buildGatewayForBench } from './built-gateway.js';
import { logSlowStatements, serverLogSince } from './pg-server-log.js';
import { makeBatches, startPgBench } from './pg-throughput.js';
import { quietMachine } from './quiet-machine.js';
import { connectAll, disconnectAll, pushBatches } from './sim-devices.js';

const PUSHES = Number(process.env.PUSHES ?? 3);
const BACKLOG = 100_000;
const TENTHS = 10;
const env = serviceEnvironment(join(REPO_ROOT, 'deploy/systemd/hcp-gateway.service'));
const bench = await startPgBench({ devices: 1, program: await buildGatewayForBench(), env });
try {
  await logSlowStatements(bench.baseUrl, Number(process.env.PG_LOG_MS ?? 20));
  const device = bench.devices[0]!;
  const topic = (id: string) => deviceTopic(id, 'ack');
  for (let p = 1; p <= PUSHES; p++) {
    const batches = makeBatches([device], BACKLOG).batches.get(device.id)!;
    await quietMachine();
    const logFrom = statSync(bench.logFile).size;
    await connectAll(bench.gw.mqttUrl, [device], bench.gw, topic);
    const perTenth: number[] = [];
    const t0 = performance.now();
    for (let t = 0; t < TENTHS; t++) {
      const part = batches.slice((t * batches.length) / TENTHS, ((t + 1) * batches.length) / TENTHS);
      const s = performance.now();
      await pushBatches([device], new Map([[device.id, part]]), (d) => deviceTopic(d.id, 'records'), true);
      perTenth.push((performance.now() - s) / 1000);
    }
    const total = (performance.now() - t0) / 1000;
    await disconnectAll([device]);
    console.log(`push ${p}: ${BACKLOG.toLocaleString('en-US')} records acked in ${total.toFixed(2)} s; each tenth, s: ${perTenth.map((s) => s.toFixed(2)).join(' ')}`);
    console.log(serverLogSince(bench.logFile, logFrom));
  }
} finally {
  await bench.stop();
}
process.exit(0);
