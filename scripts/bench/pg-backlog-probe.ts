/**
 * Why one device's 100,000-record backlog on PostgreSQL takes so different times (issue 14): about
 * 9 s in bench:gateway's 1-device throughput round and in code-ab.ts, about 3–4 s in bench:gateway's
 * backlog phase, the same measurement each time. Here one gateway on a fresh throw-away cluster
 * takes the same device's backlog PUSHES times in a row, each on a quiet machine, and prints for
 * each push its time per tenth (a rate that falls within a push is a plan or a table that grows
 * badly), the CPU the gateway (also by thread, with each thread's time in the kernel and its page
 * faults), the PostgreSQL server and this probe (the load: the device's MQTT client) used in it,
 * what that CPU alone allows (all of it spread over every core: no push could be shorter),
 * a group's mean time by phase (the gateway's /metrics, hcp_ingest_group_seconds_total), and
 * PostgreSQL's log of it:
 * statements over PG_LOG_MS (20 ms), checkpoints, autovacuum. PROFILE=1: the gateway's V8 CPU
 * profile of the last push (cpu-profiler.mjs; read it with summarise-profile.ts).
 * WARM=50: first a 100,000-rating burst from 50 other devices (as bench:gateway's throughput phase
 * runs before its backlog phase), then the pushes.
 * RAW_FIRST=900000: first that many rows through the raw insert (raw-postgres.ts, databases of their
 * own on the same cluster, 100,000 at a time), as the throughput phase's baselines write them: what
 * the cluster's state, not the gateway's, does to the pushes.
 * IN_FLIGHT=2,4: the device's batches in flight (device/sync maxInFlight), taken in turn push by
 * push (an A/B within one gateway and cluster); the device's default (2) unless given, each
 * checked as a device's config checks it (1–16).
 * PG_SOCKET=1: the gateway on the cluster's Unix socket instead of TCP on loopback.
 * Usage: PUSHES=3 npx tsx scripts/bench/pg-backlog-probe.ts
 */
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { deviceTopic } from '@hcp/contract';
import { REPO_ROOT } from '../lib/device-process.js';
import { serviceEnvironment } from '../lib/systemd-unit.js';
import { buildGatewayForBench } from './built-gateway.js';
import { rawPostgresInsert } from './raw-postgres.js';
import { logSlowStatements, serverLogSince } from './pg-server-log.js';
import { groupPhases, groupPhasesText, makeBatches, startPgBench, writeRetries } from './pg-throughput.js';
import { cpuBoundText, cpuByProcess, procStat, serverCpuSeconds, threadCpuText, threadKernelText } from './proc-stat.js';
import { quietMachine } from './quiet-machine.js';
import { connectAll, disconnectAll, inFlightBounds, pushBatches, rawDevice, sleep } from './sim-devices.js';

const PUSHES = Number(process.env.PUSHES ?? 3);
const BACKLOG = 100_000;
const TENTHS = 10;
const PROFILE = process.env.PROFILE === '1';
const profDir = '/tmp/hcp-prof';
const unit = serviceEnvironment(join(REPO_ROOT, 'deploy/systemd/hcp-gateway.service'));
const env = PROFILE ? { ...unit, NODE_OPTIONS: `${unit.NODE_OPTIONS ?? ''} --import ${join(import.meta.dirname, 'cpu-profiler.mjs')}`, HCP_PROF_DIR: profDir } : unit;
if (PROFILE) mkdirSync(profDir, { recursive: true });
const WARM = Number(process.env.WARM ?? 0);
const RAW_FIRST = Number(process.env.RAW_FIRST ?? 0);
const IN_FLIGHT = inFlightBounds('IN_FLIGHT', process.env.IN_FLIGHT);
const SOCKET = process.env.PG_SOCKET === '1';
const bench = await startPgBench({ devices: 1 + WARM, program: await buildGatewayForBench(), unitEnv: env, socket: SOCKET });
console.log(`the gateway reaches PostgreSQL over ${SOCKET ? 'its Unix socket' : 'TCP on loopback'}`);
const postmaster = Number(readFileSync(join(bench.dataDir, 'postmaster.pid'), 'utf8').split('\n', 1)[0]);
/** CPU seconds so far: the gateway, and the cluster (its server and every backend and helper). */
const cpu = () => ({ gateway: procStat(`/proc/${bench.gw.child.pid}/stat`)!.cpuSeconds, server: serverCpuSeconds(postmaster) });
/** CPU seconds so far of each of the gateway's threads, by thread id (the main thread's id is the pid). */
const threadCpu = () => cpuByProcess(`/proc/${bench.gw.child.pid}/task`);
try {
  await logSlowStatements(bench.baseUrl, Number(process.env.PG_LOG_MS ?? 20));
  const device = bench.devices[0]!;
  const topic = (id: string) => deviceTopic(id, 'ack');
  if (WARM) {
    const others = bench.devices.slice(1);
    await connectAll(bench.gw.mqttUrl, others, bench.gw, topic);
    const t0 = performance.now();
    await pushBatches(others, makeBatches(others, BACKLOG).batches, (d) => deviceTopic(d.id, 'records'), true);
    console.log(`warm-up: ${BACKLOG.toLocaleString('en-US')} ratings from ${WARM} devices in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
    await disconnectAll(others);
  }
  const rawSource = rawDevice('raw-first'); // its own chain: the pushed device's goes on unbroken
  for (let done = 0; done < RAW_FIRST; done += BACKLOG) {
    const t0 = performance.now();
    await rawPostgresInsert(bench.baseUrl, makeBatches([rawSource], BACKLOG).records);
    console.log(`raw insert first: ${BACKLOG.toLocaleString('en-US')} rows in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
  }
  for (let p = 1; p <= PUSHES; p++) {
    const batches = makeBatches([device], BACKLOG).batches.get(device.id)!;
    const inFlight = IN_FLIGHT[(p - 1) % IN_FLIGHT.length]!;
    await quietMachine();
    const logFrom = statSync(bench.logFile).size;
    await connectAll(bench.gw.mqttUrl, [device], bench.gw, topic);
    const perTenth: number[] = [];
    const profiled = PROFILE && p === PUSHES;
    if (profiled) bench.gw.child.kill('SIGUSR2');
    const retriedBefore = await writeRetries(bench.gw);
    const phasesBefore = await groupPhases(bench.gw);
    const cpuBefore = cpu();
    const threadsBefore = threadCpu();
    const ownBefore = process.cpuUsage();
    const t0 = performance.now();
    for (let t = 0; t < TENTHS; t++) {
      const part = batches.slice((t * batches.length) / TENTHS, ((t + 1) * batches.length) / TENTHS);
      const s = performance.now();
      await pushBatches([device], new Map([[device.id, part]]), (d) => deviceTopic(d.id, 'records'), true, inFlight);
      perTenth.push((performance.now() - s) / 1000);
    }
    const total = (performance.now() - t0) / 1000;
    const cpuAfter = cpu();
    const own = process.cpuUsage(ownBefore);
    const threadsAfter = threadCpu();
    if (profiled) bench.gw.child.kill('SIGUSR2');
    const phasesAfter = await groupPhases(bench.gw);
    const retried = Object.entries(await writeRetries(bench.gw))
      .map(([code, n]) => [code, n - (retriedBefore[code] ?? 0)] as const)
      .filter(([, n]) => n > 0);
    await disconnectAll([device]);
    console.log(
      `push ${p} (${inFlight} in flight): ${BACKLOG.toLocaleString('en-US')} records acked in ${total.toFixed(2)} s; each tenth, s: ${perTenth.map((s) => s.toFixed(2)).join(' ')}`,
    );
    const used = { gateway: cpuAfter.gateway - cpuBefore.gateway, server: cpuAfter.server - cpuBefore.server, probe: (own.user + own.system) / 1e6 };
    console.log(
      `  CPU in the push, s: gateway ${used.gateway.toFixed(2)} (all its threads), PostgreSQL ${used.server.toFixed(2)} (server and backends), this probe ${used.probe.toFixed(2)} (the device and its MQTT client); writes run again after a collision: ${retried.map(([code, n]) => `${code} ${n}`).join(', ') || 'none'}`,
    );
    console.log(`  what the CPU alone allows: ${cpuBoundText(used.gateway + used.server + used.probe, availableParallelism(), total)}`);
    console.log(`  the gateway's CPU by thread, s: ${threadCpuText(bench.gw.child.pid!, threadsBefore, threadsAfter)}`);
    console.log(`  of it in the kernel, and minor page faults, by thread: ${threadKernelText(bench.gw.child.pid!, threadsBefore, threadsAfter)}`);
    console.log(`  a group's time by phase, ms (mean): ${groupPhasesText(phasesBefore, phasesAfter)}`);
    if (profiled) {
      await sleep(1000);
      console.log(`  profile of this push: ${profDir}/gateway-${bench.gw.child.pid}-0.cpuprofile`);
    }
    console.log(serverLogSince(bench.logFile, logFrom));
  }
} finally {
  await bench.stop();
}
process.exit(0);
