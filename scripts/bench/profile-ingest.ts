/**
 * Profile the gateway's ingest (issue 14): N devices push batches into the built gateway, run as
 * the unit runs it, whose V8 CPU profiler (cpu-profiler.mjs) runs only during the push; STRACE=1
 * counts its fsyncs and writes instead. Prints the CPU each of its threads used during the push.
 * Not a benchmark (the profiler slows it): it finds where the time goes.
 * Usage: tsx scripts/bench/profile-ingest.ts [devices=50] [ratings=100000]
 *        (HCP_PROF_DIR: where the profile is written, /tmp/hcp-prof unless given)
 *        tsx scripts/bench/summarise-profile.ts /tmp/hcp-prof/gateway-<pid>-0.cpuprofile
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { prepareBurst } from './burst.js';
import { cpuByProcess, procStat, threadCpuText } from './proc-stat.js';
import { sleep } from './sim-devices.js';

const n = Number(process.argv[2] ?? 50);
const profDir = process.env.HCP_PROF_DIR ?? '/tmp/hcp-prof';
mkdirSync(profDir, { recursive: true });
// HCP_PROFILE=promoted or allocated (from this script's environment, passed on: the gateway gets the unit's alone) takes a heap profile instead.
const burst = await prepareBurst({
  devices: n,
  ratings: Number(process.argv[3] ?? 100_000),
  idPrefix: 'dev-prof',
  preload: join(import.meta.dirname, 'cpu-profiler.mjs'),
  env: { HCP_PROF_DIR: profDir, ...(process.env.HCP_PROFILE ? { HCP_PROFILE: process.env.HCP_PROFILE } : {}) },
});
const gw = burst.gw;
// STRACE=1: count the gateway's fsyncs during the push instead (strace -c).
const strace = process.env.STRACE
  ? spawn('strace', ['-f', '-c', '-e', 'trace=fsync,fdatasync,pwrite64,write', '-p', String(gw.child.pid)], { stdio: ['ignore', 'inherit', 'inherit'] })
  : null;
if (strace) await sleep(1000);
else gw.child.kill('SIGUSR2');
await sleep(200);
const cpu = () => procStat(`/proc/${gw.child.pid}/stat`)?.cpuSeconds ?? 0;
/** CPU seconds so far of each of the gateway's threads, by thread id (the main thread's id is the pid). */
const threadCpu = () => cpuByProcess(`/proc/${gw.child.pid}/task`);
const threads0 = threadCpu();
const [gwCpu0, ownCpu0] = [cpu(), process.cpuUsage()];
const s = await burst.push();
const own = process.cpuUsage(ownCpu0);
console.log(
  `${n} devices, ${burst.ratings} ratings in ${s.toFixed(2)} s: ${Math.round(burst.ratings / s)} ratings/s; CPU: gateway ${(cpu() - gwCpu0).toFixed(2)} s (all its threads), load generator ${((own.user + own.system) / 1e6).toFixed(2)} s`,
);
console.log(`CPU by thread, s: ${threadCpuText(gw.child.pid!, threads0, threadCpu())}`);
if (strace) strace.kill('SIGINT');
else gw.child.kill('SIGUSR2');
await sleep(1000);
// The profiler names its file by the gateway's pid: say which it is, for summarise-profile.ts or
// summarise-promoted.ts. A large profile takes the gateway a while to write: wait for it (30 s at most).
if (!strace) {
  const written = () => readdirSync(profDir).filter((f) => f.startsWith(`gateway-${gw.child.pid}-`));
  for (let waited = 0; written().length === 0 && waited < 30_000; waited += 200) await sleep(200);
  const files = written();
  console.log(files.length ? `profile: ${files.map((f) => join(profDir, f)).join(', ')}` : `no profile was written to ${profDir} in 30 s`);
}
await burst.close();
process.exit(0);
