/**
 * The gateway benches count only ratings the gateway stored (issue 14). A refused record is
 * acknowledged too, and at once: a chain gap is decided without a write. bench:gateway made each
 * round's next ratings right after its figure, so the last round's were made and never sent; the
 * devices' chains went past them, and its backlog phase then timed 100,000 chain-gap refusals as
 * "acknowledged" (2–4 s, where storing them takes 3–10 s). Here, on the real gateway:
 *  - pushBatches rejects when an ack refuses records (it resolved before: the old code fails this);
 *  - interleaveEach gives each round's figure and baseline the same rows, made once per round, so
 *    a device's later batches still follow its stored chain and are stored.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { deviceTopic } from '@hcp/contract';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startGateway, writeGatewayConfig, type RunningGateway } from '../../scripts/lib/gateway-process.js';

// The rounds wait for a quiet machine before each measurement; beside other tests, not at all.
process.env.BENCH_QUIET_WAIT_S = '0';
const { makeBatches } = await import('../../scripts/bench/pg-throughput.js');
const { interleaveEach } = await import('../../scripts/bench/rounds.js');
const { connectAll, enrolDevices, pushBatches } = await import('../../scripts/bench/sim-devices.js');

const dir = mkdtempSync(join(tmpdir(), 'bench-stored-only-'));
const dataDir = join(dir, 'gw', 'data');
let gw: RunningGateway;
const records = (deviceId: string) => {
  const db = new Database(join(dataDir, 'gateway.db'), { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM records WHERE device_id = ?').get(deviceId) as { n: number }).n;
  } finally {
    db.close();
  }
};
const ackTopic = (id: string) => deviceTopic(id, 'ack');
const recordsTopic = (d: { id: string }) => deviceTopic(d.id, 'records');

beforeAll(async () => {
  gw = await startGateway(writeGatewayConfig(join(dir, 'gw')), dataDir);
  await gw.api('PUT', '/api/windows', { windowId: 'w-01', number: '01', department: '市场监管局' });
}, 120_000);
afterAll(async () => {
  await gw?.stop();
  rmSync(dir, { recursive: true, force: true });
});

it('a push the gateway refuses as a chain gap fails the bench instead of counting as acknowledged', { timeout: 120_000 }, async () => {
  const [device] = await enrolDevices(gw, 1, 'dev-gap');
  await connectAll(gw.mqttUrl, [device!], gw, ackTopic);
  await pushBatches([device!], makeBatches([device!], 1000).batches, recordsTopic, true);
  expect(records(device!.id)).toBe(1000);
  makeBatches([device!], 1000); // made and never sent, as the old rounds left the last round's
  await expect(pushBatches([device!], makeBatches([device!], 1000).batches, recordsTopic, true)).rejects.toThrow(
    /refused 2 batch\(es\).*chain-gap \(expected seq 1001, got 2001\)/,
  );
  expect(records(device!.id)).toBe(1000);
});

it('interleaved rounds push every batch they make, so a later push of the same device is stored', { timeout: 120_000 }, async () => {
  const [device] = await enrolDevices(gw, 1, 'dev-rounds');
  await connectAll(gw.mqttUrl, [device!], gw, ackTopic);
  const made: object[] = [];
  const r = await interleaveEach(
    3,
    () => {
      const m = makeBatches([device!], 1000);
      made.push(m);
      return m;
    },
    async (m) => {
      await pushBatches([device!], m.batches, recordsTopic, true);
      return m;
    },
    async (m) => m,
  );
  expect(made).toHaveLength(3);
  // Each round's baseline had the very rows its figure sent (rounds alternate which goes first).
  for (let i = 0; i < 3; i++) {
    expect(r.figure[i]).toBe(made[i]);
    expect(r.baseline[i]).toBe(made[i]);
  }
  expect(records(device!.id)).toBe(3000);
  await pushBatches([device!], makeBatches([device!], 1000).batches, recordsTopic, true);
  expect(records(device!.id)).toBe(4000);
});
