/**
 * A village point catching up over a slow link. The device keeps 8 batches of up to 500 records in
 * flight, some 2.8 MB, which a slow link takes longer than the ack timeout to carry. While acks
 * keep coming the gateway is there and the link works: the batches behind are waiting for the link,
 * not lost, and none is sent again. Only an ack timeout with no ack at all means a cut
 * (device/sync/gateway-session.ts, checkAckTimeouts).
 */
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, expect, it } from 'vitest';
import type { RatingRecord } from '@hcp/contract';
import { ChainStore, type NewRecord } from '../../device/store/chain-store.js';
import { openDeviceDatabase } from '../../device/store/database.js';
import type { Gateway } from '../../gateway/gateway.js';
import { waitUntil } from '../../scripts/lib/wait-until.js';
import { TcpProxy } from '../sync/tcp-proxy.js';
import { DrillClock, VillageDevice, makeHallTls, startVillageGateway, tmp } from './village-world.js';

let gw: Gateway | undefined;
let dev: VillageDevice | undefined;
let proxy: TcpProxy | undefined;
afterAll(async () => {
  await dev?.stop();
  await proxy?.stop();
  await gw?.stop();
});

it('sends a backlog over a link slower than its batches in flight once, not again at every ack timeout', async () => {
  const dir = tmp('hcp-village-slow-');
  const clock = new DrillClock(Date.parse('2025-05-12T09:00:00+08:00'));
  const tls = makeHallTls(join(dir, 'tls'));
  gw = await startVillageGateway({ dir, clock, tls });
  const g = gw;
  proxy = new TcpProxy(() => g.mqttPort);
  await proxy.start();
  const { code } = await g.enrolment.registerDevice('dev-slow', 'w-01');
  // Its ack timeout is 2 s (village-world.ts).
  dev = new VillageDevice('dev-slow', join(dir, 'device'), clock, { url: g.httpUrl, mqttUrl: `mqtt://127.0.0.1:${proxy.port}`, enrolmentCode: code, caFile: tls.caFile });
  await dev.start(true);
  await dev.rate('SLOW-0', 5);
  const stored = async () =>
    Number(
      (
        await g.store.db
          .selectFrom('records')
          .select((e) => e.fn.countAll().as('n'))
          .where('device_id', '=', 'dev-slow')
          .executeTakeFirst()
      )?.n ?? 0,
    );
  expect(await waitUntil(async () => (await stored()) === 1, 15_000)).toBe(true);
  await dev.stop();

  // Weeks offline: 2,000 ratings, four batches of 500, some 1.5 MB.
  const db = openDeviceDatabase(join(dev.config.dataDir, 'device.db'));
  const store = new ChainStore(db, 'dev-slow', createPrivateKey(readFileSync(join(dev.config.dataDir, 'device-key.pem'))), () => clock.t);
  const { id: _i, deviceId: _d, seq: _s, prevHash: _p, hash: _h, sig: _g, ...rating } = store.nextBatch(1, 0)[0] as RatingRecord;
  db.transaction(() => {
    for (let i = 0; i < 2000; i++) store.append({ ...rating, id: uuidv7(), invitation: { ...rating.invitation, id: uuidv7(), caseNo: `SLOW-${i + 1}` } } as NewRecord);
  })();
  const backlogBytes = Buffer.byteLength(JSON.stringify(store.nextBatch(2000, 1)));
  db.close();

  // A link that carries one batch in about 1.5 s: all four in flight take some 6 s, three times the ack timeout.
  proxy.slowUp(backlogBytes / 6);
  const upBefore = proxy.upBytes;
  await dev.start(true);
  expect(await waitUntil(async () => (await stored()) === 2001, 30_000)).toBe(true);
  // A batch sent again would still be on its way up behind the others: wait until the link is quiet.
  const p = proxy;
  const quiet = async () => {
    const before = p.upBytes;
    await new Promise((r) => setTimeout(r, 2500));
    return p.upBytes === before;
  };
  expect(await waitUntil(quiet, 40_000)).toBe(true);
  // Each batch went up once (and a few kB of login, status and PUBACKs).
  expect(proxy.upBytes - upBefore).toBeLessThan(backlogBytes * 1.05);
}, 90_000);
