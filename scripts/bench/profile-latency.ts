/**
 * Profile the gateway's press→ack tail (issue 14): the built gateway, run as the unit runs it, with
 * PRELOAD ratings already stored (as bench:gateway's throughput phase leaves it), then rounds of a
 * steady 200 ratings/s from N devices; the V8 CPU profiler (cpu-profiler.mjs) runs during round
 * PROF_ROUND only. Not a benchmark (the profiler costs time): it finds what holds the event loop.
 * STRACE=1 traces the gateway's syncs during that round instead (strace -f -T; STRACE=fdatasync,pwrite64 the calls named), and prints them by
 * thread: a sync on the main thread holds the event loop, one on libuv's pool does not.
 * STORE=pg runs the gateway on a throw-away PostgreSQL cluster (as bench:gateway's PostgreSQL half)
 * and prints the server's log of each round: statements over PG_LOG_MS (5 ms), lock waits,
 * checkpoints, autovacuum runs. GC=1 also prints each round's garbage collections (gc-observer.mjs):
 * how many of each kind, and every pause over 5 ms. GC=reasons also prints why each full collection
 * began (V8's own start line: the reason, the old heap's size against its limit), the heap before and
 * after it, the external memory (buffers) after it, and how fast the old heap filled between
 * scavenges (gc-reasons.ts reads those lines); with GC set, GATEWAY_STDOUT=<file> also keeps all the
 * gateway's stdout in that file (V8's other trace lines, such as pretenuring.mjs's). PAUSE_S=20 leaves the gateway quiet that long
 * before each round after the first, as bench:gateway's bare-broker rounds do (its idle threads end
 * after 15 s). LATENCY_DETAIL=1 prints each round's slowest acks beside the load generator's stalls,
 * and with GC=1 or STRACE the gateway's side on the same timeline (seconds into the round): its
 * collections over 5 ms, its event loop's stalls over 15 ms, its traced calls over 15 ms.
 * PROMOTED=1 samples, during round PROF_ROUND, what outlived the young heap instead of the CPU
 * profile (read it with summarise-promoted.ts): what fills the old heap and so brings its full collections.
 * ALLOCATED=1 samples all that round allocated instead (read the same way): what fills the young heap
 * and so sets how often it is collected.
 * DISK_PROBE=1 asks whether the disk itself stalls (disk-probe.ts): another process writes 8 kB and
 * fdatasyncs it every 20 ms on the same disk through the rounds, and each round prints its syncs
 * and the machine's pressure stalls; with LATENCY_DETAIL=1 and STORE=pg, the server's COMMITs over
 * PG_LOG_MS are set on the round's timeline too.
 * UNIT_SETTING changes the unit's environment the gateway runs with, as unit-env-ab.ts's settings do
 * (UNIT_SETTING="NODE_OPTIONS+=--v8-pool-size=1").
 * Usage: PRELOAD=900000 PROF_ROUND=0 npx tsx scripts/bench/profile-latency.ts [devices=500] [rounds=2]
 *        npx tsx scripts/bench/busy-stretches.ts /tmp/hcp-prof/gateway-<pid>-0.cpuprofile [min ms=10]
 *        npx tsx scripts/bench/summarise-promoted.ts /tmp/hcp-prof/gateway-<pid>-0.heapprofile [rows=30]
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { deviceTopic } from '@hcp/contract';
import { REPO_ROOT } from '../lib/device-process.js';
import { startGateway, writeGatewayConfig } from '../lib/gateway-process.js';
import { applySetting, serviceEnvironment } from '../lib/systemd-unit.js';
import { buildGatewayForBench } from './built-gateway.js';
import { steadyLatency } from './latency.js';
import { makeBatches, startPgBench } from './pg-throughput.js';
import { logSlowStatements, serverLogSince, slowCommitsSince } from './pg-server-log.js';
import { pressureNow, pressureText, startDiskProbe, syncsText } from './disk-probe.js';
import { cpuByProcess } from './proc-stat.js';
import { fullCollectionLine, type OldHeapSize, oldHeapGrowthText, oldHeapLine } from './gc-reasons.js';
import { machineBusy } from './quiet-machine.js';
import { median } from './rounds.js';
import { connectAll, disconnectAll, enrolDevices, pushBatches, sleep } from './sim-devices.js';

const n = Number(process.argv[2] ?? 500);
const rounds = Number(process.argv[3] ?? 2);
const preload = Number(process.env.PRELOAD ?? 0);
const profRound = Number(process.env.PROF_ROUND ?? 0);
const profDir = '/tmp/hcp-prof';
mkdirSync(profDir, { recursive: true });
const ack = (id: string) => deviceTopic(id, 'ack');
const unit = applySetting(serviceEnvironment(join(REPO_ROOT, 'deploy/systemd/hcp-gateway.service')), process.env.UNIT_SETTING ?? 'unit');
const gcObserver = process.env.GC ? ` --import ${join(import.meta.dirname, 'gc-observer.mjs')}` : '';
const env = {
  ...unit,
  NODE_OPTIONS: `${unit.NODE_OPTIONS ?? ''} --import ${join(import.meta.dirname, 'cpu-profiler.mjs')}${gcObserver}`.trim(),
  HCP_PROF_DIR: profDir,
  ...(process.env.GC === 'reasons' ? { HCP_GC_REASONS: '1' } : {}),
  // PROMOTED=1 / ALLOCATED=1: the round's sampling of what outlived the young heap / of all it allocated, instead of the CPU profile.
  ...(process.env.PROMOTED ? { HCP_PROFILE: 'promoted' } : process.env.ALLOCATED ? { HCP_PROFILE: 'allocated' } : {}),
};
const dir = mkdtempSync(join(tmpdir(), 'prof-lat-'));
const program = await buildGatewayForBench();
const pgBench = process.env.STORE === 'pg' ? await startPgBench({ devices: n + (preload > 0 ? 50 : 0), program, unitEnv: env }) : null;
const gw = pgBench?.gw ?? (await startGateway(writeGatewayConfig(join(dir, 'gw'), { logLevel: 'error' }), join(dir, 'gw', 'data'), { unitEnv: env, program }));
/** GC=1: the gateway's collections so far ("Scavenge 2.31 <wall ms>"), from gc-observer.mjs's lines on its stdout. */
const collections: GatewayEvent[] = [];
/** GC=1: the gateway's event-loop stalls over 15 ms ("hcp-stall 22.0 <wall ms>"). */
const stalls: GatewayEvent[] = [];
/** GC=reasons: V8's lines on each full collection's start and end, and the heap after it, in the order they came. */
const fullGcLines: string[] = [];
/** GC=reasons: the old heap's size in use after each scavenge (MiB, at wall ms). */
const oldHeap: OldHeapSize[] = [];
if (gcObserver)
  createInterface({ input: gw.child.stdout! }).on('line', (line) => {
    const gc = /^hcp-gc (\S+) ([\d.]+) ([\d.]+)$/.exec(line);
    if (gc) collections.push({ kind: gc[1]!, ms: Number(gc[2]), at: Number(gc[3]) });
    const stall = /^hcp-stall ([\d.]+) ([\d.]+)$/.exec(line);
    if (stall) stalls.push({ kind: 'stall', ms: Number(stall[1]), at: Number(stall[2]) });
    const reason = fullCollectionLine(line);
    if (reason) fullGcLines.push(reason);
    const old = oldHeapLine(line);
    if (old) oldHeap.push(old);
    if (process.env.GATEWAY_STDOUT) appendFileSync(process.env.GATEWAY_STDOUT, `${line}\n`);
  });
if (!pgBench) await gw.api('PUT', '/api/windows', { windowId: 'w-01', number: '01', department: '市场监管局' });
const devices = pgBench ? pgBench.devices.slice(0, n) : await enrolDevices(gw, n, 'dev-lat');

if (preload > 0) {
  const loaders = pgBench ? pgBench.devices.slice(n) : await enrolDevices(gw, 50, 'dev-load');
  await connectAll(gw.mqttUrl, loaders, gw, ack);
  for (let done = 0; done < preload; done += 100_000) await pushBatches(loaders, makeBatches(loaders, 100_000).batches, (d) => deviceTopic(d.id, 'records'), true);
  await disconnectAll(loaders);
  // The gateway goes on after the burst (its assessor catches up): start once the machine is quiet.
  const busy: string[] = [];
  for (let s = 0; s < 120; s++) {
    const b = await machineBusy(1000);
    busy.push(`${Math.round(b * 100)}`);
    if (b < 0.1 && s > 3) break;
  }
  console.log(`${preload} ratings stored; then the machine's CPU busy % each second until quiet: ${busy.join(' ')}`);
}
await connectAll(gw.mqttUrl, devices, gw, ack);
await sleep(2000);
// Beside the server's data folder when there is one (the same disk as its WAL).
const diskProbe = process.env.DISK_PROBE === '1' ? startDiskProbe(pgBench ? dirname(pgBench.logFile) : dir) : null;
const traceFile = join(dir, 'syncs.strace');
/** STRACE=1 traces the syncs; STRACE=fdatasync,pwrite64 (any calls taking a descriptor first) those calls. */
const tracedCalls = !process.env.STRACE || process.env.STRACE === '1' ? ['fsync', 'fdatasync'] : process.env.STRACE.split(',');
const pid = gw.child.pid!;
/** DISK_PROBE=1: each round's p99 with the probe's longest sync and the gateway's longest full collection (GC=1), for the summary at the end. */
const byRound: { p99: number; probeMs: number; fullGcMs: number | null }[] = [];
for (let r = 0; r < rounds; r++) {
  const strace =
    r === profRound && process.env.STRACE
      ? spawn('strace', ['-f', '-T', '-ttt', '-e', `trace=${tracedCalls.join(',')}`, '-o', traceFile, '-p', String(pid)], { stdio: 'ignore' })
      : null;
  // PostgreSQL's log of every round (its slow statements, checkpoints, autovacuum): an outlier round
  // may line up with something the server did. Turned on before the first round.
  if (r === 0 && pgBench) await logSlowStatements(pgBench.baseUrl, Number(process.env.PG_LOG_MS ?? 5));
  const serverLogFrom = pgBench ? statSync(pgBench.logFile).size : 0;
  if (strace) await sleep(1000);
  else if (r === profRound) gw.child.kill('SIGUSR2');
  const cpuBefore = r === profRound ? cpuByProcess() : null;
  const threadsBefore = r === profRound ? cpuByProcess(`/proc/${pid}/task`) : null;
  const gcFrom = collections.length;
  const fullGcLinesFrom = fullGcLines.length;
  const oldHeapFrom = oldHeap.length;
  const stallsFrom = stalls.length;
  if (r > 0 && process.env.PAUSE_S) await sleep(Number(process.env.PAUSE_S) * 1000);
  const pressureBefore = pressureNow();
  const l = await steadyLatency(devices, 200, 8, true);
  if (diskProbe) {
    const syncs = diskProbe.since(l.startedAt).filter((s) => s.at <= l.startedAt + 8000);
    const fullGcs = collections.slice(gcFrom).filter((c) => c.kind === 'Mark-Compact');
    byRound.push({ p99: l.p99, probeMs: Math.max(0, ...syncs.map((s) => s.ms)), fullGcMs: gcObserver ? Math.max(0, ...fullGcs.map((c) => c.ms)) : null });
    console.log(syncsText(syncs, l.startedAt));
    console.log(pressureText(pressureBefore, pressureNow(), (performance.timeOrigin + performance.now() - l.startedAt) / 1000));
  }
  const roundCollections = collections.slice(gcFrom);
  if (gcObserver) console.log(collectionsText(roundCollections));
  if (process.env.GC === 'reasons') {
    console.log(`full collections, why and how much:\n${fullGcLines.slice(fullGcLinesFrom).join('\n') || '  none'}`);
    console.log(oldHeapGrowthText(oldHeap.slice(oldHeapFrom)));
  }
  const detail = process.env.LATENCY_DETAIL === '1';
  const into = (e: GatewayEvent) => `${((e.at - l.startedAt) / 1000).toFixed(2)} s ${e.kind} ${e.ms.toFixed(0)} ms`;
  if (detail && gcObserver) {
    console.log(
      `  gateway collections over 5 ms: ${
        roundCollections
          .filter((c) => c.ms > 5)
          .map(into)
          .join(', ') || 'none'
      }`,
    );
    console.log(`  gateway event-loop stalls over 15 ms: ${stalls.slice(stallsFrom).map(into).join(', ') || 'none'}`);
  }
  if (detail && pgBench && diskProbe)
    console.log(
      `  PostgreSQL's COMMITs over ${process.env.PG_LOG_MS ?? 5} ms (started at: took): ${
        slowCommitsSince(pgBench.logFile, serverLogFrom)
          .map((c) => into({ kind: 'commit', ...c }))
          .join(', ') || 'none'
      }`,
    );
  if (cpuBefore) console.log(cpuUsedSince(cpuBefore, cpuByProcess(), 9, 'CPU during the round'));
  if (threadsBefore) console.log(cpuUsedSince(threadsBefore, cpuByProcess(`/proc/${pid}/task`), 9, "the gateway's threads"));
  if (strace) {
    strace.kill('SIGINT');
    await new Promise((done) => strace.once('exit', done));
    const calls = callsByThread(readFileSync(traceFile, 'utf8'), pid, tracedCalls);
    console.log(calls.text);
    if (detail) console.log(`  gateway calls over 15 ms: ${calls.long.map(into).join(', ') || 'none'}`);
  } else if (r === profRound) gw.child.kill('SIGUSR2');
  if (pgBench) console.log(serverLogSince(pgBench.logFile, serverLogFrom));
  console.log(`round ${r}${r === profRound ? ' (profiled)' : ''}: press→ack p50 ${l.p50.toFixed(1)} ms, p99 ${l.p99.toFixed(1)} ms (${l.count} acks)`);
}
if (diskProbe) console.log(roundsByDisk(byRound));
await sleep(1000);
if (!process.env.STRACE) console.log(`profile: ${profDir}/gateway-${gw.child.pid}-0.${process.env.PROMOTED || process.env.ALLOCATED ? 'heapprofile' : 'cpuprofile'}`);
diskProbe?.stop();
await disconnectAll(devices);
if (pgBench) await pgBench.stop();
else await gw.stop();
process.exit(0);

/** What each kind of process used of the machine's cores since `before`, over `seconds`. */
function cpuUsedSince(before: Map<number, { name: string; s: number }>, after: Map<number, { name: string; s: number }>, seconds: number, title: string): string {
  const by = new Map<string, number>();
  for (const [pid, now] of after) {
    const used = now.s - (before.get(pid)?.s ?? 0);
    if (used > 0) by.set(now.name, (by.get(now.name) ?? 0) + used);
  }
  const rows = [...by].sort((a, b) => b[1] - a[1]).slice(0, 8);
  return `${title} (share of one core): ${rows.map(([n, s]) => `${n} ${Math.round((s / seconds) * 100)}%`).join(', ')}`;
}

/** The rounds side by side, then split by whether the disk probe's own sync took over 20 ms in them: the tail the disk set. */
function roundsByDisk(rows: typeof byRound): string {
  const med = (xs: number[]) => (xs.length ? `${median(xs).toFixed(1)} ms (${xs.length} round${xs.length === 1 ? '' : 's'})` : 'no round');
  const stalled = rows.filter((x) => x.probeMs > 20);
  const calm = rows.filter((x) => x.probeMs <= 20);
  const each = rows.map((x) => `${x.p99.toFixed(1)} (${x.probeMs.toFixed(0)}${x.fullGcMs === null ? '' : `, ${x.fullGcMs.toFixed(0)}`})`).join(', ');
  return [
    `press→ack p99 ms by round (the disk probe's longest sync${gcObserver ? ", the gateway's longest full collection" : ''}, ms): ${each}`,
    `median p99 of the rounds where the probe's own sync took over 20 ms: ${med(stalled.map((x) => x.p99))}; of the others: ${med(calm.map((x) => x.p99))}`,
  ].join('\n');
}

/** A round's collections: how many of each kind, the pause they cost in all, and each over 5 ms. */
function collectionsText(round: GatewayEvent[]): string {
  const kinds = [...new Set(round.map((c) => c.kind))].map((k) => `${round.filter((c) => c.kind === k).length} ${k}`);
  const long = round.filter((c) => c.ms > 5).map((c) => `${c.kind} ${c.ms.toFixed(1)} ms`);
  return `garbage collections during the round: ${kinds.join(', ') || 'none'}; ${round.reduce((a, c) => a + c.ms, 0).toFixed(0)} ms of pauses in all; over 5 ms: ${long.join(', ') || 'none'}`;
}

/**
 * strace -f -T lines ("tid fdatasync(23) = 0 <0.004>") summed by thread, call and file: count, total,
 * how many over 5 ms, longest. A call that another thread's line interrupted comes as two lines
 * ("tid pwrite64(19, … <unfinished ...>", later "tid <... pwrite64 resumed>…) = 24 <0.003>"): often
 * the long ones.
 */
function callsByThread(trace: string, mainTid: number, calls: string[]): { text: string; long: GatewayEvent[] } {
  const by = new Map<string, number[]>();
  const long: GatewayEvent[] = [];
  const unfinished = new Map<string, { fd: string; at: string }>();
  const count = (tid: string, call: string, fd: string, at: string, seconds: string) => {
    const key = `${Number(tid) === mainTid ? 'main thread' : `thread ${tid}`} ${call}(${fileOf(mainTid, fd)})`;
    by.set(key, [...(by.get(key) ?? []), Number(seconds) * 1000]);
    if (Number(seconds) > 0.015) long.push({ kind: key, ms: Number(seconds) * 1000, at: Number(at) * 1000 });
  };
  const names = calls.join('|');
  // -ttt: each line's wall-clock start in seconds after the thread id.
  const [wholeCall, startedCall, resumedCall] = [
    `^(\\d+)\\s+([\\d.]+) (${names})\\((\\d+).*<([\\d.]+)>$`,
    `^(\\d+)\\s+([\\d.]+) (${names})\\((\\d+).*<unfinished \\.\\.\\.>$`,
    `^(\\d+)\\s+[\\d.]+ <\\.\\.\\. (${names}) resumed>.*<([\\d.]+)>$`,
  ].map((r) => new RegExp(r));
  for (const line of trace.split('\n')) {
    const whole = wholeCall!.exec(line);
    if (whole) count(whole[1]!, whole[3]!, whole[4]!, whole[2]!, whole[5]!);
    const started = startedCall!.exec(line);
    if (started) unfinished.set(`${started[1]} ${started[3]}`, { fd: started[4]!, at: started[2]! });
    const resumed = resumedCall!.exec(line);
    const from = resumed && unfinished.get(`${resumed[1]} ${resumed[2]}`);
    if (resumed && from) count(resumed[1]!, resumed[2]!, from.fd, from.at, resumed[3]!);
  }
  const rows = [...by].map(
    ([k, ms]) =>
      `  ${k}: ${ms.length} calls, ${ms.reduce((a, b) => a + b, 0).toFixed(0)} ms in all, ${ms.filter((x) => x > 5).length} over 5 ms, longest ${Math.max(...ms).toFixed(1)} ms`,
  );
  return { text: `${calls.join(', ')} during the traced round:\n${rows.join('\n') || '  none'}`, long };
}

/** Something the gateway did, at its wall-clock start in ms. */
interface GatewayEvent {
  kind: string;
  ms: number;
  at: number;
}

function fileOf(pid: number, fd: string): string {
  try {
    // Sockets summed as one: a call's cost, not which client it went to.
    return basename(readlinkSync(`/proc/${pid}/fd/${fd}`)).replace(/^socket:\[\d+\]$/, 'sockets');
  } catch {
    return `fd ${fd}`;
  }
}
