/**
 * A village point catching up over a slow link (docs/VILLAGE.md, "A slow link instead of none"):
 * batches a slow link takes longer than the ack timeout to carry are waited for, not sent again; an
 * ack lost on a working link still brings the batch again after the timeout; and on a link too slow
 * to carry even a first batch within the keepalive, the device sends batches the link carries
 * (device/sync/gateway-session.ts, device/sync/link-pace.ts).
 */
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Gateway } from '../../gateway/gateway.js';
import { waitUntil } from '../../scripts/lib/wait-until.js';
import { FIRST_BATCH_BYTES } from '../../device/sync/link-pace.js';
import { readAckedThrough } from '../support/read-device-store.js';
import { TcpProxy } from '../sync/tcp-proxy.js';
import { DrillClock, VillageDevice, appendOfflineRatings, makeHallTls, startVillageGateway, storedRecords, tmp } from './village-world.js';

let gw: Gateway | undefined;
let dev: VillageDevice | undefined;
let proxy: TcpProxy | undefined;
let gprs: VillageDevice | undefined;
afterAll(async () => {
  await gprs?.stop();
  await dev?.stop();
  await proxy?.stop();
  await gw?.stop();
});

let g: Gateway;
let clock: DrillClock;
let tlsCa: string;
const stored = (deviceId = 'dev-slow') => storedRecords(g, deviceId);

beforeAll(async () => {
  const dir = tmp('hcp-village-slow-');
  clock = new DrillClock(Date.parse('2025-05-12T09:00:00+08:00'));
  const tls = makeHallTls(join(dir, 'tls'));
  tlsCa = tls.caFile;
  gw = await startVillageGateway({ dir, clock, tls });
  g = gw;
  proxy = new TcpProxy(() => g.mqttPort);
  await proxy.start();
  const { code } = await g.enrolment.registerDevice('dev-slow', 'w-01');
  // Its ack timeout is 2 s (village-world.ts).
  dev = new VillageDevice('dev-slow', join(dir, 'device'), clock, { url: g.httpUrl, mqttUrl: `mqtt://127.0.0.1:${proxy.port}`, enrolmentCode: code, caFile: tls.caFile });
  await dev.start(true);
  await dev.rate('SLOW-0', 5);
  expect(await waitUntil(async () => (await stored()) === 1, 15_000)).toBe(true);
  await dev.stop();
}, 30_000);

const offlineBacklog = (count: number, device: VillageDevice = dev!) => appendOfflineRatings(device, clock, count);

/** Starts the device on the slow link; resolves once `total` records are stored and the link has gone quiet. The bytes that went up. */
async function syncOverSlowLink(total: number): Promise<number> {
  const p = proxy!;
  const upBefore = p.upBytes;
  await dev!.start(true);
  expect(await waitUntil(async () => (await stored()) === total, 30_000)).toBe(true);
  // A batch sent again would still be on its way up behind the others: wait until the link is quiet.
  const quiet = async () => {
    const before = p.upBytes;
    await new Promise((r) => setTimeout(r, 2500));
    return p.upBytes === before;
  };
  expect(await waitUntil(quiet, 40_000)).toBe(true);
  await dev!.stop();
  return p.upBytes - upBefore;
}

it('sends a backlog over a link slower than its batches in flight once, not again at every ack timeout', async () => {
  // 2,000 ratings, four batches of 500, some 1.5 MB.
  const backlogBytes = offlineBacklog(2000);
  // A link that carries one batch in about 1.5 s: all four in flight take some 6 s, three times the ack timeout.
  proxy!.slowUp(backlogBytes / 6);
  // Each batch went up once (and a few kB of login, status and PUBACKs).
  expect(await syncOverSlowLink(2001)).toBeLessThan(backlogBytes * 1.05);
}, 90_000);

it('waits for a batch that takes the link longer than the ack timeout to carry, and sends it once', async () => {
  // One batch of 500 ratings, some 370 kB, on a link that takes about 5 s to carry it: 2.5 times the ack timeout.
  const batchBytes = offlineBacklog(500);
  proxy!.slowUp(batchBytes / 5);
  expect(await syncOverSlowLink(2501)).toBeLessThan(batchBytes * 1.05);
}, 90_000);

it('sends a batch again when its ack is lost on a working link, once the ack timeout has passed since the broker had it', async () => {
  offlineBacklog(10);
  proxy!.slowUp(Number.POSITIVE_INFINITY);
  // The gateway's first ack goes nowhere, as when the broker fails to send it (gateway.ts, sendAck).
  const broker = g.broker!;
  const publish = broker.publish.bind(broker);
  let acks = 0;
  broker.publish = (topic, payload, opts) => (topic.endsWith('/ack') && acks++ === 0 ? Promise.resolve() : publish(topic, payload, opts));
  const ackedThrough = () => readAckedThrough(dev!.config.dataDir);
  try {
    const started = performance.now();
    await dev!.start(true);
    // 1 + 2,000 + 500 records before, and these 10.
    expect(await waitUntil(async () => ackedThrough() === 2511, 15_000)).toBe(true);
    // Acknowledged by the second ack, the resend's, after the 2-s ack timeout.
    expect(acks).toBe(2);
    expect(performance.now() - started).toBeGreaterThan(2000);
    expect(await stored()).toBe(2511);
  } finally {
    broker.publish = publish;
    await dev!.stop();
  }
}, 30_000);

it('sends a backlog over a link too slow to carry even a first batch within the keepalive, in batches the link carries', async () => {
  proxy!.slowUp(Number.POSITIVE_INFINITY);
  const { code } = await g.enrolment.registerDevice('dev-gprs', 'w-01');
  // A keepalive of 1 s: mqtt.js drops a connection silent for 1.5 s.
  gprs = new VillageDevice('dev-gprs', join(dev!.dir, '..', 'gprs'), clock, {
    url: g.httpUrl,
    mqttUrl: `mqtt://127.0.0.1:${proxy!.port}`,
    enrolmentCode: code,
    caFile: tlsCa,
    keepaliveS: 1,
  });
  await gprs.start(true);
  await gprs.rate('GPRS-0', 5);
  expect(await waitUntil(async () => (await stored('dev-gprs')) === 1, 15_000)).toBe(true);
  await gprs.stop();
  // 300 ratings (some 220 kB) on a link that carries even a first, small batch (FIRST_BATCH_BYTES)
  // in 2 s, longer than the keepalive's silence: that one is lost with the connection, and only
  // batches the link carries in time go through. Sent whole, the backlog would take 14 s of silence.
  offlineBacklog(300, gprs);
  proxy!.slowUp(FIRST_BATCH_BYTES / 2);
  const warnings: Array<{ msg: string; batchBytes?: number; nextBatchBytes?: number }> = [];
  gprs.logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(JSON.parse(line)) });
  await gprs.start(true);
  expect(await waitUntil(async () => (await stored('dev-gprs')) === 301, 45_000)).toBe(true);
  // Hall IT reads why: the first batch was still on the link when the connection dropped.
  const slow = warnings.filter((w) => w.msg.includes('the link is slow'));
  expect(slow.length).toBeGreaterThan(0);
  // Once, then as a count (docs/VILLAGE.md): a flapping link does not fill the log.
  expect(slow).toHaveLength(1);
  expect(slow[0]!.batchBytes).toBeLessThanOrEqual(FIRST_BATCH_BYTES);
  expect(slow[0]!.nextBatchBytes).toBeLessThan(slow[0]!.batchBytes! / 2);
  // A subscription cut short by the drop is not the gateway refusing it: the next connection subscribes again.
  expect(warnings.filter((w) => w.msg.includes('refused'))).toEqual([]);
}, 90_000);
