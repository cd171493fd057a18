/**
 * The gateway's RSS after a loaded run (issue 14), this checkout against an older commit: what
 * bench:gateway's last SQLite figure reads, without its other phases (its whole run takes 18–25 minutes). Each side is
 * built as installed and run as the unit runs it, on its own SQLite store, with 1,000 devices
 * enrolled; each takes the load of bench:gateway's throughput and backlog phases (100,000 ratings
 * from 1, 50 and 500 devices, and one device's 100,000-record backlog, ROUNDS times), then its
 * 1,000 devices connect: RSS at once, after 30 s quiet, and its peak. The sides run one after the
 * other, the base first (each on an otherwise idle machine). With where the resident memory is
 * after the quiet (smaps.ts).
 * Usage: BASE=<commit> ROUNDS=3 npx tsx scripts/bench/after-load-rss.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../lib/device-process.js';
import { startGateway, writeGatewayConfig } from '../lib/gateway-process.js';
import { serviceEnvironment } from '../lib/systemd-unit.js';
import { buildGatewayForBench, checkoutForBench } from './built-gateway.js';
import { benchGatewayLoad, rssWithDevices } from './rss-with-devices.js';
import { enrolDevices } from './sim-devices.js';
import { residentText } from './smaps.js';

const BASE = process.env.BASE;
if (!BASE) throw new Error('BASE=<commit> is required: the older commit to compare this checkout with');
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const QUIET_MS = 30_000;
const env = serviceEnvironment(join(REPO_ROOT, 'deploy/systemd/hcp-gateway.service'));

async function afterLoad(name: string, program: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), `after-load-${name}-`));
  const gw = await startGateway(writeGatewayConfig(join(dir, 'gw'), { logLevel: 'error' }), join(dir, 'gw', 'data'), { program, unitEnv: env });
  try {
    await gw.api('PUT', '/api/windows', { windowId: 'w-01', number: '01', department: '市场监管局' });
    const all = await enrolDevices(gw, 1000, `dev-${name}`);
    await benchGatewayLoad(gw, all, ROUNDS);
    let where = '';
    const r = await rssWithDevices(gw, all, QUIET_MS, (pid) => (where = residentText(pid)));
    return `${r.atOnce.toFixed(1)} MiB at once, ${r.quiet.toFixed(1)} MiB after ${QUIET_MS / 1000} s quiet, peak ${r.peak.toFixed(1)} MiB\n    resident after the quiet, MiB: ${where}`;
  } finally {
    await gw.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const worktree = checkoutForBench(BASE, 'after-load');
try {
  const base = execFileSync('git', ['-C', REPO_ROOT, 'rev-parse', '--short', BASE], { encoding: 'utf8' }).trim();
  const [oldProgram, nowProgram] = [await buildGatewayForBench(worktree.root), await buildGatewayForBench()];
  console.log(`gateway RSS on SQLite with 1,000 devices connected, after ${ROUNDS} rounds of bench:gateway's throughput and backlog load:`);
  console.log(`  ${base}: ${await afterLoad('base', oldProgram)}`);
  console.log(`  this checkout: ${await afterLoad('now', nowProgram)}`);
} finally {
  worktree.remove();
}
process.exit(0);
