/**
 * What a freshly started gateway's memory does with nothing connected (docs/OPERATIONS.md,
 * "Memory"): the built gateway, run as hcp-gateway.service runs it, with V8's GC trace on
 * (trace-gc.mjs). It prints the RSS every 2 s for SECONDS, and each full collection V8 runs, in
 * any thread's heap, as V8 prints it: "Mark-Compact (reduce) 41.3 (52.6) -> 30.2 (32.1) MB" is
 * one of V8's memory reducer (V8 runs those on its own when the program seems idle), heap in use
 * (committed) before -> after. The trace costs a little: not a benchmark.
 * Usage: npx tsx scripts/bench/idle-start.ts [seconds=40]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../lib/device-process.js';
import { startGateway, writeGatewayConfig } from '../lib/gateway-process.js';
import { serviceEnvironment } from '../lib/systemd-unit.js';
import { buildGatewayForBench } from './built-gateway.js';
import { sleep } from './sim-devices.js';
import { residentMiB, residentText } from './smaps.js';

const SECONDS = Number(process.argv[2] ?? 40);
const program = await buildGatewayForBench();
const unit = serviceEnvironment(join(REPO_ROOT, 'deploy/systemd/hcp-gateway.service'));
const env = { ...unit, HCP_TRACE_GC: 'lines', NODE_OPTIONS: `${unit.NODE_OPTIONS ?? ''} --import ${join(import.meta.dirname, 'trace-gc.mjs')}`.trim() };
const dir = mkdtempSync(join(tmpdir(), 'idle-start-'));
const t0 = performance.now();
const since = () => `${((performance.now() - t0) / 1000).toFixed(1).padStart(5)} s`;
const gw = await startGateway(writeGatewayConfig(join(dir, 'gw'), { logLevel: 'error' }), join(dir, 'gw', 'data'), { program, unitEnv: env });
console.log(`${since()}  started (the gateway's start-up included)`);
gw.child.stdout!.on('data', (d: Buffer) => {
  for (const line of d.toString().split('\n')) {
    // "[pid:0xISOLATE]   24413 ms: Mark-Compact (reduce) 41.3 (52.6) -> 30.3 (38.4) MB, …": up to the sizes.
    const full = /^\[\d+:(0x[0-9a-f]+)\]\s+[\d.]+ ms: (Mark-Compact[^,]*MB)/.exec(line);
    if (full) console.log(`${since()}  heap ${full[1]}: ${full[2]}`);
  }
});
try {
  for (let s = 0; s <= SECONDS; s += 2) {
    console.log(
      `${since()}  RSS ${residentMiB(gw.child.pid!).toFixed(1)} MiB (anonymous ${residentMiB(gw.child.pid!, 'RssAnon').toFixed(1)})${s % 10 === 0 ? `; by mapping: ${residentText(gw.child.pid!)}` : ''}`,
    );
    await sleep(2000);
  }
} finally {
  await gw.stop();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
