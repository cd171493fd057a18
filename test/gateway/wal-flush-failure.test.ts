/**
 * A disk that refuses to flush the gateway's WAL, met by the real gateway program: fdatasync of
 * the -wal file fails with EIO (test/support/failing-fdatasync.c, loaded with LD_PRELOAD, turned on
 * by a file the test writes). The batch whose commit it was is not acknowledged; the gateway logs
 * why and exits with code 74, for its service manager to start it again
 * (deploy/systemd/hcp-gateway.service: Restart=always). Started again on the same data, it takes
 * the device's resent batch and stores each rating once.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { MqttClient } from 'mqtt';
import { v7 as uuidv7 } from 'uuid';
import { deviceTopic, type BatchAck } from '@hcp/contract';
import { afterAll, expect, it } from 'vitest';
import { connectAll, enrolDevices, makeRecords } from '../../scripts/bench/sim-devices.js';
import { startGateway, writeGatewayConfig, type RunningGateway } from '../../scripts/lib/gateway-process.js';
import { waitFor } from '../../scripts/lib/wait-until.js';
import { REPO_ROOT } from '../support/device-process.js';

const dir = mkdtempSync(join(tmpdir(), 'wal-flush-failure-'));
const shim = join(dir, 'failing-fdatasync.so');
const failSwitch = join(dir, 'disk-refuses-to-flush');
const running: RunningGateway[] = [];
afterAll(async () => {
  for (const gw of running) if (gw.child.exitCode === null) await gw.kill9();
});

/** The acks the device's client receives, by batch id. */
function ackCollector(client: MqttClient): Map<string, BatchAck> {
  const acks = new Map<string, BatchAck>();
  client.on('message', (_topic, payload) => {
    const ack = JSON.parse(payload.toString()) as BatchAck;
    acks.set(ack.batchId, ack);
  });
  return acks;
}

it('a failed WAL flush acknowledges nothing, stops the gateway with code 74, and a restart stores the resent batch once', { timeout: 240_000 }, async () => {
  const cc = spawnSync('gcc', ['-shared', '-fPIC', '-O2', '-o', shim, join(REPO_ROOT, 'test/support/failing-fdatasync.c'), '-ldl'], { encoding: 'utf8' });
  expect(cc.status, cc.stderr).toBe(0);
  const env = { LD_PRELOAD: shim, HCP_TEST_FDATASYNC_FAILS: failSwitch };
  const configFile = writeGatewayConfig(join(dir, 'gw'));
  const dataDir = join(dir, 'gw', 'data');
  let gw = await startGateway(configFile, dataDir, { env });
  running.push(gw);
  await gw.api('PUT', '/api/windows', { windowId: 'w-01', number: '01', department: '市场监管局' });
  const [device] = await enrolDevices(gw, 1, 'dev-walfail');
  const ackTopic = (id: string) => deviceTopic(id, 'ack');
  const send = (payload: string) => device!.client!.publish(deviceTopic(device!.id, 'records'), payload, { qos: 1 });

  await connectAll(gw.mqttUrl, [device!], gw, ackTopic);
  let acks = ackCollector(device!.client!);
  const first = { batchId: uuidv7(), deviceId: device!.id, records: makeRecords(device!, 10) };
  send(JSON.stringify(first));
  await waitFor(() => acks.has(first.batchId), { what: 'the first batch to be acknowledged' });
  expect(acks.get(first.batchId)!.committedThroughSeq).toBe(10);

  // The disk now refuses to flush the WAL.
  writeFileSync(failSwitch, '');
  const second = JSON.stringify({ batchId: uuidv7(), deviceId: device!.id, records: makeRecords(device!, 10) });
  const exitCode = new Promise<number | null>((resolve) => gw.child.once('exit', (code) => resolve(code)));
  send(second);
  const stillRunning = new Promise<string>((resolve) => setTimeout(() => resolve('still running 30 s after the failed flush'), 30_000).unref());
  expect(await Promise.race([exitCode, stillRunning])).toBe(74);
  expect([...acks.keys()]).toEqual([first.batchId]);
  const log = gw.stderr();
  expect(log).toContain('"level":60'); // fatal
  expect(log).toContain('the store cannot make writes durable');
  expect(log).toContain("hcp-gateway: stopping: the database's write-ahead log could not be flushed to disk");
  expect(log).toContain('EIO');

  // The disk is mended (or the service manager's restart found it well): the same data, the device sends again.
  rmSync(failSwitch);
  await device!.client!.endAsync(true);
  gw = await startGateway(configFile, dataDir, { env });
  running.push(gw);
  await connectAll(gw.mqttUrl, [device!], gw, ackTopic);
  acks = ackCollector(device!.client!);
  send(second);
  const secondId = (JSON.parse(second) as { batchId: string }).batchId;
  await waitFor(() => acks.has(secondId), { what: 'the resent batch to be acknowledged' });
  expect(acks.get(secondId)).toMatchObject({ committedThroughSeq: 20, rejected: [] });
  await device!.client!.endAsync();
  await gw.stop();

  const db = new Database(join(dataDir, 'gateway.db'), { readonly: true });
  const seqs = db.prepare('SELECT seq FROM records WHERE device_id = ? ORDER BY seq').pluck().all(device!.id);
  db.close();
  expect(seqs).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
});
