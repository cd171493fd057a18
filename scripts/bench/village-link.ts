/**
 * A village point's backlog over a slow link (docs/VILLAGE.md, "A slow link instead of none"): the
 * real device program, with its config's defaults (ack timeout 10 s, keepalive 30 s), syncs a
 * backlog made offline to an in-process gateway through a loopback proxy that carries its bytes up
 * at a link's pace (test/sync/tcp-proxy.ts). Its time, from the program's start to the gateway
 * holding every record and the device its acks, is set against the same bytes (the records' JSON) written raw through the
 * same proxy at the same pace to a socket that counts them, interleaved round by round: the ratio
 * is what the sync costs above the link's own time for its records. It also prints the bytes that
 * went up against the records' bytes, and the connections the device made.
 *
 * Usage: ROUNDS=3 LINKS=64:500,512:2000,4096:5000 GIVE_UP_S=600 npx tsx scripts/bench/village-link.ts
 * (LINKS: kbit/s and records, each link one backlog a round; GIVE_UP_S: a backlog not through by
 * then ends the bench with an error that says so.)
 */
import { createServer, connect, type Server } from 'node:net';
import { join } from 'node:path';
import type { Gateway } from '../../gateway/gateway.js';
import { parseGatewaySection } from '../../device/sync/sync-config.js';
import { readAckedThrough } from '../../test/support/read-device-store.js';
import { TcpProxy } from '../../test/sync/tcp-proxy.js';
import { DrillClock, VillageDevice, appendOfflineRatings, startVillageGateway, storedRecords, tmp } from '../../test/village/village-world.js';
import { waitUntil } from '../lib/wait-until.js';
import { fmt, interleaveEach, median, ratioText, ratios } from './rounds.js';

const ROUNDS = Number(process.env.ROUNDS ?? 3);
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error(`ROUNDS must be a whole number of rounds, at least 1, not ${process.env.ROUNDS}`);
const LINKS = (process.env.LINKS ?? '64:500,512:2000,4096:5000').split(',').map((spec) => {
  const [kbit, records] = spec.split(':').map(Number);
  if (!Number.isFinite(kbit) || kbit! <= 0 || !Number.isInteger(records) || records! < 1) {
    throw new Error(`LINKS takes kbit/s:records pairs, such as 64:500, not ${spec}`);
  }
  return { kbit: kbit!, records: records!, bytesPerSecond: (kbit! * 1000) / 8 };
});
/** However slow the link, a backlog that does not get through in this long is a failure, not a figure. */
const GIVE_UP_MS = Number(process.env.GIVE_UP_S ?? 600) * 1000;
if (!(GIVE_UP_MS > 0)) throw new Error(`GIVE_UP_S must be a number of seconds above 0, not ${process.env.GIVE_UP_S}`);

/** Where the proxy leads: the gateway's broker for the device, the counting socket for the raw bytes. */
let target = 0;
const dir = tmp('hcp-bench-village-link-');
const clock = new DrillClock(Date.parse('2025-05-12T09:00:00+08:00'));
const gw: Gateway = await startVillageGateway({ dir, clock, tls: null });
const proxy = new TcpProxy(() => target);
await proxy.start();
const sink = await countingSink();
const device = await enrolledDevice();
/** The device's records are one chain from seq 1: acknowledged through `total` is all of them. */
const ackedThrough = () => readAckedThrough(device.config.dataDir);
try {
  console.log(`${ROUNDS} rounds, each figure interleaved with its baseline; medians, ratio = median of per-round ratios (min–max)`);
  let expected = await storedRecords(gw, device.deviceId);
  for (const link of LINKS) {
    const upBytes: number[] = [];
    const connections: number[] = [];
    let recordBytes = 0;
    const made = await interleaveEach(
      ROUNDS,
      () => {
        recordBytes = appendOfflineRatings(device, clock, link.records);
        expected += link.records;
        return { recordBytes, expected };
      },
      async ({ expected: total }) => {
        target = gw.mqttPort;
        proxy.slowUp(link.bytesPerSecond);
        const [up0, conn0] = [proxy.upBytes, proxy.connections];
        const t0 = performance.now();
        await device.start(true);
        // Done when the device has the acks: stopped before, it sends the unacknowledged tail again next time.
        const stored = await waitUntil(async () => ackedThrough() === total && (await storedRecords(gw, device.deviceId)) === total, GIVE_UP_MS, 50);
        const seconds = (performance.now() - t0) / 1000;
        await device.stop();
        if (!stored) throw new Error(`the backlog of ${link.records} records did not get through a ${link.kbit} kbit/s link in ${GIVE_UP_MS / 1000} s`);
        upBytes.push(proxy.upBytes - up0);
        connections.push(proxy.connections - conn0);
        return seconds;
      },
      async ({ recordBytes: bytes }) => {
        target = sink.port;
        proxy.slowUp(link.bytesPerSecond);
        return sink.timeRaw(proxy.port, bytes);
      },
    );
    const seconds = made.figure;
    console.log(
      `${fmt(link.kbit)} kbit/s, ${fmt(link.records)} records (${fmt(recordBytes / 1024)} kB): stored and acknowledged in ${median(seconds).toFixed(1)} s (${seconds.map((s) => s.toFixed(1)).join(', ')}) | the same bytes raw over the link ${median(made.baseline).toFixed(1)} s | time ratio ${ratioText(ratios(made))}`,
    );
    console.log(
      `  bytes up ${(median(upBytes) / recordBytes).toFixed(2)}× the records' (${upBytes.map((b) => (b / recordBytes).toFixed(2)).join(', ')}) | connections ${connections.join(', ')}`,
    );
  }
} finally {
  await device.stop();
  await proxy.stop();
  await sink.stop();
  await gw.stop();
}

/** The device, enrolled over a fast link with one rating stored: the template of its offline backlogs. */
async function enrolledDevice(): Promise<VillageDevice> {
  target = gw.mqttPort;
  const { code } = await gw.enrolment.registerDevice('dev-village', 'w-01');
  const defaults = parseGatewaySection({ url: gw.httpUrl, mqttUrl: 'mqtt://127.0.0.1:1' });
  const dev = new VillageDevice('dev-village', join(dir, 'device'), clock, {
    url: gw.httpUrl,
    mqttUrl: `mqtt://127.0.0.1:${proxy.port}`,
    enrolmentCode: code,
    // The device config's own defaults, not the village tests' quick ones.
    ackTimeoutMs: defaults.ackTimeoutMs,
    retry: defaults.retry,
  });
  await dev.start(true);
  await dev.rate('VILLAGE-0', 5);
  if (!(await waitUntil(async () => (await storedRecords(gw, 'dev-village')) === 1, 15_000))) throw new Error('the first rating was not stored');
  await dev.stop();
  return dev;
}

/** A socket that counts what reaches it: `timeRaw` writes `bytes` through the proxy and answers the seconds until all arrived. */
async function countingSink(): Promise<{ port: number; timeRaw: (via: number, bytes: number) => Promise<number>; stop: () => Promise<void> }> {
  let waiting: { bytes: number; got: number; done: () => void } | null = null;
  const server: Server = createServer((s) =>
    s.on('data', (chunk: Buffer) => {
      if (!waiting) return;
      waiting.got += chunk.length;
      if (waiting.got >= waiting.bytes) waiting.done();
    }),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as { port: number }).port,
    timeRaw: (via, bytes) =>
      new Promise((resolve) => {
        const t0 = performance.now();
        // Written, not ended: the proxy closes both sides once the writer's side ends.
        const client = connect(via, '127.0.0.1', () => client.write(Buffer.alloc(bytes, 0x7b)));
        waiting = {
          bytes,
          got: 0,
          done: () => {
            waiting = null;
            client.destroy();
            resolve((performance.now() - t0) / 1000);
          },
        };
      }),
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}
