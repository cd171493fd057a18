/**
 * Gateway benchmark (issue 3). A real gateway process (embedded aedes, every check on: schema,
 * identity, hash chain, head signature, one-transaction commit, app-level ack) and an in-process
 * load generator of simulated devices speaking MQTT on loopback. Prints:
 *  - ratings/s stored and acked for 1, 50 and 500 devices, next to the raw QoS 1 throughput of a
 *    bare aedes with no ingest (same payloads) and the raw batched better-sqlite3 insert rate;
 *  - press→ack p50/p99 at a steady 200 ratings/s from 500 devices;
 *  - time to acknowledge one device's 100,000-rating backlog;
 *  - the gateway's peak RSS with 1,000 devices connected.
 * Usage: npm run bench:gateway
 */
import { fork, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import mqtt, { type MqttClient } from 'mqtt';
import { v7 as uuidv7 } from 'uuid';
import { GENESIS_HASH, composeProofPassword, deviceTopic, enrolmentProofText, mqttProofText, type ChainRecord, type UnsignedRecord } from '@hcp/contract';
import { hashRecord, signHash } from '@hcp/contract/chain';
import { CORE_PART_MIGRATIONS } from '../gateway/migrations.js';
import { openSqliteStore } from '../gateway/store/database.js';
import { migrateStore } from '../gateway/store/migrations.js';
import { startGateway, writeGatewayConfig, type RunningGateway } from './lib/gateway-process.js';

const BATCH = 500;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface SimDevice {
  id: string;
  key: KeyObject;
  pem: string;
  client?: MqttClient;
  head: { seq: number; hash: string };
  password?: string;
  keyProof?: string;
}

function makeRecords(d: SimDevice, n: number): ChainRecord[] {
  const out: ChainRecord[] = [];
  for (let i = 0; i < n; i++) {
    const at = new Date().toISOString();
    const u: UnsignedRecord = {
      kind: 'rating',
      id: uuidv7(),
      deviceId: d.id,
      seq: d.head.seq + 1,
      prevHash: d.head.hash,
      at,
      level: 5,
      channel: 'device-button',
      catalogueVersion: '2020.1',
      windowId: 'w-01',
      staffId: 's-001',
      invitation: { id: uuidv7(), source: 'staff', invitedAt: at },
      facts: { msFromInvitation: 2100, staffLoggedIn: true, unarmedPressesBefore: 0, ratingsInLastMinute: 1, flags: [] },
    };
    const hash = hashRecord(u);
    out.push({ ...u, hash, sig: signHash(hash, d.key) } as ChainRecord);
    d.head = { seq: u.seq, hash };
  }
  return out;
}

async function enrolDevices(gw: RunningGateway, n: number, prefix: string): Promise<SimDevice[]> {
  const out: SimDevice[] = [];
  for (let i = 0; i < n; i++) {
    const id = `${prefix}-${String(i).padStart(4, '0')}`;
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const { code } = (await gw.api('POST', '/api/devices', { deviceId: id, windowId: 'w-01' })).body;
    const proof = sign(null, Buffer.from(enrolmentProofText(id, code)), privateKey).toString('base64');
    const creds = (await (
      await fetch(`${gw.http}/api/enrol`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ deviceId: id, code, publicKeyPem: pem, proof }),
      })
    ).json()) as { password: string; keyProof?: string };
    out.push({ id, key: privateKey, pem, head: { seq: 0, hash: GENESIS_HASH }, password: creds.password, keyProof: creds.keyProof });
  }
  return out;
}

/** The MQTT password a device presents: with a fresh key proof when the gateway asked for one at enrolment. */
async function loginPassword(d: SimDevice): Promise<string> {
  if (d.keyProof !== 'connect') return d.password ?? 'x';
  const { nonce } = (await (await fetch(`${gw.http}/api/devices/${d.id}/nonce`, { method: 'POST' })).json()) as { nonce: string };
  return composeProofPassword(d.password!, nonce, sign(null, Buffer.from(mqttProofText(d.id, nonce)), d.key).toString('base64'));
}

async function connectAll(url: string, devices: SimDevice[], withAcks = true): Promise<void> {
  for (let i = 0; i < devices.length; i += 50) {
    await Promise.all(
      devices.slice(i, i + 50).map(async (d) => {
        d.client = await mqtt.connectAsync(url, {
          clientId: d.id,
          username: d.id,
          password: withAcks ? await loginPassword(d) : (d.password ?? 'x'),
          reconnectPeriod: 0,
          clean: true,
        });
        if (withAcks) await d.client.subscribeAsync(deviceTopic(d.id, 'ack'), { qos: 1 });
      }),
    );
  }
}

/** Send each device's batches with at most 2 in flight (as device/sync does); resolves when all are acked. */
async function pushBatches(devices: SimDevice[], batches: Map<string, string[]>, topicFor: (d: SimDevice) => string, awaitAppAck: boolean): Promise<void> {
  await Promise.all(
    devices.map(
      (d) =>
        new Promise<void>((resolve) => {
          const queue = [...batches.get(d.id)!];
          let inFlight = 0;
          const next = () => {
            while (inFlight < 2 && queue.length) {
              inFlight++;
              const payload = queue.shift()!;
              const done = () => {
                inFlight--;
                if (!queue.length && inFlight === 0) resolve();
                else next();
              };
              if (awaitAppAck) d.client!.publish(topicFor(d), payload, { qos: 1 });
              else d.client!.publish(topicFor(d), payload, { qos: 1 }, done);
            }
          };
          if (awaitAppAck)
            d.client!.on('message', () => {
              inFlight--;
              if (!queue.length && inFlight === 0) resolve();
              else next();
            });
          next();
        }),
    ),
  );
}

function rss(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
}

/** The same table, the same rows, batched straight into better-sqlite3: what the disk allows. */
async function rawSqlite(rows: number): Promise<number> {
  const file = join(mkdtempSync(join(tmpdir(), 'bench-raw-gw-')), 'raw.db');
  const store = openSqliteStore({ file });
  await migrateStore(store, CORE_PART_MIGRATIONS);
  await store.close();
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  const d: SimDevice = { id: 'raw', key: generateKeyPairSync('ed25519').privateKey, pem: '', head: { seq: 0, hash: GENESIS_HASH } };
  const records = makeRecords(d, rows);
  const ins = db.prepare(
    'INSERT INTO records (id, device_id, epoch, seq, kind, hash, at, at_corrected, clock_offset_ms, clock_flag, window_id, level, body, stored_at) VALUES (?, ?, 1, ?, ?, ?, ?, ?, NULL, NULL, ?, ?, ?, ?)',
  );
  const t0 = performance.now();
  for (let i = 0; i < rows; i += BATCH) {
    db.transaction(() => {
      for (const r of records.slice(i, i + BATCH)) ins.run(r.id, r.deviceId, r.seq, r.kind, r.hash, r.at, r.at, 'w-01', 5, JSON.stringify(r), r.at);
    })();
  }
  const rate = rows / ((performance.now() - t0) / 1000);
  db.close();
  return rate;
}

/** A bare aedes in its own process: the broker's QoS 1 ceiling with no ingest. */
async function bareBroker(): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(join(import.meta.dirname, 'lib', 'bare-broker.ts'), [], { execArgv: ['--import', 'tsx'] });
  const port = await new Promise<number>((r) => child.once('message', (m) => r(Number(m))));
  return { child, port };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const dir = mkdtempSync(join(tmpdir(), 'bench-gw-'));
const gw = await startGateway(writeGatewayConfig(join(dir, 'gw'), { logLevel: 'error' }), join(dir, 'gw', 'data'));
await gw.api('PUT', '/api/windows', { windowId: 'w-01', number: '01', department: '市场监管局' });
console.log('enrolling 1,000 simulated devices (scrypt per device, as in production) …');
const all = await enrolDevices(gw, 1000, 'dev-bench');

const rawInsert = await rawSqlite(100_000);
console.log(`\nraw batched better-sqlite3 insert (batches of ${BATCH}, WAL, synchronous=FULL): ${fmt(rawInsert)} rows/s`);

const bare = await bareBroker();
console.log('\nthroughput: ratings stored and acked by the gateway, every check on, vs the bare broker with no ingest');
for (const n of [1, 50, 500]) {
  const devices = all.slice(0, n);
  const perDevice = Math.max(BATCH * 2, Math.floor(100_000 / n / BATCH) * BATCH);
  const batches = new Map(
    devices.map((d) => [d.id, Array.from({ length: perDevice / BATCH }, () => JSON.stringify({ batchId: uuidv7(), deviceId: d.id, records: makeRecords(d, BATCH) }))]),
  );
  const total = n * perDevice;
  // Bare broker: same payloads, PUBACK only.
  const bareDevices = devices.map((d) => ({ ...d, client: undefined as MqttClient | undefined }));
  await connectAll(`mqtt://127.0.0.1:${bare.port}`, bareDevices, false);
  let t0 = performance.now();
  await pushBatches(bareDevices, batches, (d) => deviceTopic(d.id, 'records'), false);
  const bareRate = total / ((performance.now() - t0) / 1000);
  await Promise.all(bareDevices.map((d) => d.client!.endAsync()));

  await connectAll(gw.mqttUrl, devices);
  t0 = performance.now();
  await pushBatches(devices, batches, (d) => deviceTopic(d.id, 'records'), true);
  const rate = total / ((performance.now() - t0) / 1000);
  await Promise.all(devices.map((d) => d.client!.endAsync()));
  console.log(
    `  ${String(n).padStart(3)} devices, ${fmt(total)} ratings: ${fmt(rate)} ratings/s  | bare broker ${fmt(bareRate)}/s (ratio ${(rate / bareRate).toFixed(2)})  | ratio to raw insert ${(rate / rawInsert).toFixed(2)} (targets ≥ 50,000/s, ≥ 0.5×)`,
  );
}
bare.child.kill();

// Steady 200 ratings/s from 500 devices, one rating per batch as a device sends right after a press.
{
  const devices = all.slice(500, 1000);
  await connectAll(gw.mqttUrl, devices);
  const sentAt = new Map<string, number>();
  const lat: number[] = [];
  for (const d of devices)
    d.client!.on('message', (_t, p) => {
      const ack = JSON.parse(p.toString());
      const s = sentAt.get(ack.batchId);
      if (s !== undefined) lat.push(performance.now() - s);
    });
  const seconds = 15;
  const t0 = performance.now();
  for (let i = 0; i < 200 * seconds; i++) {
    const d = devices[i % devices.length]!;
    const batchId = uuidv7();
    const payload = JSON.stringify({ batchId, deviceId: d.id, records: makeRecords(d, 1) });
    const due = t0 + (i * 1000) / 200;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    sentAt.set(batchId, performance.now());
    d.client!.publish(deviceTopic(d.id, 'records'), payload, { qos: 1 });
  }
  await sleep(1000);
  lat.sort((a, b) => a - b);
  const q = (p: number) => lat[Math.floor(p * (lat.length - 1))]!;
  console.log(`\npress→ack at a steady 200 ratings/s from 500 devices (${lat.length} acks): p50 ${q(0.5).toFixed(1)} ms, p99 ${q(0.99).toFixed(1)} ms (target p99 ≤ 20 ms)`);
  await Promise.all(devices.map((d) => d.client!.endAsync()));
}

// One device, a 100,000-rating backlog (a village point back online after weeks).
{
  const d = all[0]!;
  const batches = new Map([[d.id, Array.from({ length: 200 }, () => JSON.stringify({ batchId: uuidv7(), deviceId: d.id, records: makeRecords(d, BATCH) }))]]);
  await connectAll(gw.mqttUrl, [d]);
  const t0 = performance.now();
  await pushBatches([d], batches, (x) => deviceTopic(x.id, 'records'), true);
  console.log(`\none device's 100,000-rating backlog fully acknowledged in ${((performance.now() - t0) / 1000).toFixed(2)} s (target ≤ 3 s)`);
  await d.client!.endAsync();
}

// 1,000 devices connected and subscribed, as in a large hall.
await connectAll(gw.mqttUrl, all);
await sleep(2000);
console.log(
  `\ngateway RSS with ${all.length} devices connected: ${rss(gw.child.pid!, 'VmRSS').toFixed(1)} MiB now, peak ${rss(gw.child.pid!, 'VmHWM').toFixed(1)} MiB over the whole run (target ≤ 150 MiB)`,
);
await Promise.all(all.map((d) => d.client!.endAsync()));

await gw.stop();
process.exit(0);
