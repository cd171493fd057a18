/**
 * Issue 13, "Must show": the six-week village drill, exactly once, with the counts printed.
 *
 * A village device (the real device program and store) is enrolled at the town hall, then has no
 * network for six weeks on a moved clock. Every working day the town's business system registers
 * the village's cases at the gateway; the village worker opens each on the device; most are rated
 * at once (some 差评 with their reasons), some never, some twelve days late. The gateway gives R7
 * defaults as deadlines pass. After two weeks the worker exports a bundle, hall IT imports it over
 * HTTP, the receipt goes back and is imported; after four weeks a second bundle is imported with the
 * gateway's CLI, its receipt is lost on the way back, and the old receipt is imported again. Then the
 * device gets its network and syncs over MQTT.
 *
 * At the end: every record stored once, the chain verifies with the device's key, nothing is left
 * unacknowledged on the device, MQTT never carried a record a receipt had acknowledged, and each case
 * is reconciled as issue 10 says — a rating pressed before the deadline replaces the default, one
 * after it is a 追加评价. The expectations come from what the device pressed, not from the ledger.
 */
import { createPublicKey, createPrivateKey } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import type { ChainRecord } from '@hcp/contract';
import { verifyChain } from '@hcp/contract/chain';
import type { VillageReceipt } from '@hcp/contract/village-bundle';
import { exportBundle } from '../../device/bundle/bundle-export.js';
import { importReceipt } from '../../device/bundle/receipt-import.js';
import type { CasesFeature } from '../../gateway/cases/cases-feature.js';
import type { Gateway } from '../../gateway/gateway.js';
import { openSqliteStore } from '../../gateway/store/database.js';
import { runImportBundle } from '../../gateway/village/import-bundle-command.js';
import { waitFor, waitUntil } from '../../scripts/lib/wait-until.js';
import { loggedIn } from '../support/console-client.js';
import { reconcileCases, type Pressed } from './r7-reconcile.js';
import { DAY, DrillClock, VillageDevice, makeHallTls, startVillageGateway, tmp } from './village-world.js';

const START = Date.parse('2025-03-03T09:00:00+08:00'); // a Monday
const WEEKS = 6;
const LEVELS = [5, 4, 5, 3, 1, 5, 2, 4] as const;

let gw: Gateway | undefined;
let dev: VillageDevice | undefined;
afterAll(async () => {
  await dev?.stop();
  await gw?.stop();
});

describe('the village that syncs by carrying a file', () => {
  it('six weeks offline, two bundles, a lost receipt, then MQTT: every record once, R7 reconciled, nothing sent twice', async () => {
    const t0 = performance.now();
    const dir = tmp('hcp-village-drill-');
    const stick = join(dir, 'usb');
    const clock = new DrillClock(START - 3 * DAY);
    const tls = makeHallTls(join(dir, 'tls'));
    gw = await startVillageGateway({ dir, clock, tls });
    const g = gw;
    const cases = g.features.get('cases') as CasesFeature;
    const apiKey = await cases.keys.issue('town-ywxt');
    await g.auth.createUser('it-wang', 'correct-horse-3', 'hall-it');
    const postCase = async (caseNo: string) => {
      const r = await fetch(`${g.httpUrl}/api/cases`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
        body: JSON.stringify({ caseNo, windowNumber: '01', itemCode: 'MZ-01', itemName: '低保申请' }),
      });
      expect(r.status, await r.text()).toBe(200);
    };

    // Enrolled at the town hall, once online; then carried to the village.
    const { code } = await g.enrolment.registerDevice('dev-village', 'w-01');
    dev = new VillageDevice('dev-village', join(dir, 'device'), clock, { url: g.httpUrl, mqttUrl: `mqtt://127.0.0.1:${g.mqttPort}`, enrolmentCode: code, caFile: tls.caFile });
    const d = dev;
    await d.start(true);
    expect(
      await waitUntil(async () => (await g.store.db.selectFrom('devices').select('online').where('device_id', '=', 'dev-village').executeTakeFirst())?.online === 1, 15_000),
    ).toBe(true);
    await d.stop();
    await d.start(false);

    const pressed: Pressed[] = [];
    const allCases: string[] = [];
    const late: Array<{ caseNo: string; onDay: number }> = [];
    let n = 0;
    const press = async (caseNo: string) => {
      clock.t += 7 * 60_000;
      const level = LEVELS[n++ % LEVELS.length]!;
      pressed.push({ caseNo, level, at: clock.t, ratingId: await d.rate(caseNo, level) });
    };
    const receipts: VillageReceipt[] = [];
    const counts: Record<string, number> = {};
    const saveReceipt = (r: VillageReceipt, name: string) => {
      const f = join(stick, name);
      writeFileSync(f, JSON.stringify(r));
      return f;
    };

    for (let day = 0; day < WEEKS * 7; day++) {
      clock.t = START + day * DAY;
      const weekday = new Date(clock.t + 8 * 3600_000).getUTCDay();
      expect(await cases.scheduler.tick()).toBeGreaterThanOrEqual(0); // R7 defaults as deadlines pass
      if (weekday >= 1 && weekday <= 5 && day !== 32) {
        // day 32 is 2025-04-04, 清明: the town hall is closed.
        for (const suffix of ['a', 'b', 'c']) {
          const caseNo = `QL-${String(day).padStart(2, '0')}-${suffix}`;
          await postCase(caseNo);
          allCases.push(caseNo);
        }
        await press(`QL-${String(day).padStart(2, '0')}-a`); // rated at once
        if (day % 3 === 0) late.push({ caseNo: `QL-${String(day).padStart(2, '0')}-c`, onDay: day + 12 });
        for (const l of late.filter((x) => x.onDay === day)) await press(l.caseNo); // the citizen comes back after the deadline
      }

      if (day === 13) {
        // End of week 2: the worker exports while the device program runs, and rides to town.
        const b = exportBundle({ dataDir: d.config.dataDir, deviceId: d.deviceId, outDir: stick, now: () => clock.t });
        if (!b.written) throw new Error(b.reason);
        clock.t += DAY; // Monday at the town hall: hall IT logs in and imports it over HTTP
        const hallIt = await loggedIn(g, 'it-wang', 'correct-horse-3');
        const r = await hallIt.call('POST', '/api/village/bundles', JSON.parse(readFileSync(b.file, 'utf8')));
        expect(r.status, JSON.stringify(r.body)).toBe(200);
        counts['bundle 1: records'] = b.bundle.records;
        counts['bundle 1: stored'] = r.body.summary.stored;
        const again = await hallIt.call('POST', '/api/village/bundles', JSON.parse(readFileSync(b.file, 'utf8')));
        expect(again.body.summary).toMatchObject({ stored: 0, alreadyStored: b.bundle.records });
        receipts.push(r.body.receipt);
        // Back in the village the next day, the worker imports the receipt.
        const imported = importReceipt({ dataDir: d.config.dataDir, deviceId: d.deviceId, caFile: tls.caFile, file: saveReceipt(r.body.receipt, 'receipt-1.json') });
        expect(imported).toMatchObject({ ok: true, ackedNow: b.bundle.throughSeq });
      }
      if (day === 27) {
        // End of week 4: a second bundle, everything still unacknowledged (what came after bundle 1).
        const b = exportBundle({ dataDir: d.config.dataDir, deviceId: d.deviceId, outDir: stick, now: () => clock.t });
        if (!b.written) throw new Error(b.reason);
        expect(b.bundle.fromSeq).toBe(receipts[0]!.committedThroughSeq + 1);
        // Hall IT uses the gateway's CLI this time (a second connection to the store, the gateway running).
        const store = openSqliteStore({ file: join(dir, 'data', 'gateway.db') });
        const r = await runImportBundle({ store, section: { certFile: tls.certFile, keyFile: tls.keyFile }, file: b.file, logger: pino({ level: 'silent' }) });
        await store.close();
        expect(r.code, r.lines.join('\n')).toBe(0);
        counts['bundle 2: records'] = b.bundle.records;
        counts['bundle 2: stored'] = Number(/(\d+) stored now/.exec(r.lines[0]!)![1]);
        // Its receipt is lost on the way back; the worker imports the old one again by mistake.
        const old = importReceipt({ dataDir: d.config.dataDir, deviceId: d.deviceId, caFile: tls.caFile, file: join(stick, 'receipt-1.json') });
        expect(old).toMatchObject({ ok: true, newlyAcknowledged: 0 });
        await g.assessor.catchUp();
      }
    }

    // Six weeks on, the village gets its network: the device syncs over MQTT.
    clock.t = START + WEEKS * 7 * DAY;
    const overMqtt: number[] = [];
    const submit = g.ingest.submit.bind(g.ingest);
    g.ingest.submit = (deviceId: string, payload: Buffer) => {
      if (deviceId === 'dev-village') overMqtt.push(...(JSON.parse(payload.toString('utf8')) as { records: ChainRecord[] }).records.map((r) => r.seq));
      return submit(deviceId, payload);
    };
    const storedBefore = await storedSeqs(g);
    await d.stop();
    await d.start(true);
    const head = d.program!.store!.headSeq();
    await waitFor(async () => d.program!.store!.ackState().through === head && (await storedSeqs(g)).length === head, {
      what: 'the device synced over MQTT',
      progress: () => overMqtt.length,
    });
    await cases.scheduler.tick();
    await g.assessor.catchUp();
    counts['MQTT: records sent'] = overMqtt.length;
    counts['MQTT: stored'] = head - storedBefore.length;
    counts['MQTT: duplicates acknowledged'] = overMqtt.filter((s) => storedBefore.includes(s)).length;

    // Every record once, in one chain that verifies with the device's key.
    const rows = await g.store.db.selectFrom('records').select(['seq', 'id', 'body']).where('device_id', '=', 'dev-village').orderBy('seq').execute();
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: head }, (_, i) => i + 1));
    expect(new Set(rows.map((r) => r.id)).size).toBe(head);
    const key = createPublicKey(createPrivateKey(readFileSync(join(d.config.dataDir, 'device-key.pem'))));
    expect(
      verifyChain(
        rows.map((r) => JSON.parse(r.body) as ChainRecord),
        key,
        { signatures: 'all', deviceId: 'dev-village' },
      ),
    ).toEqual([]);
    // The device: nothing unacknowledged; MQTT never carried what the receipt acknowledged.
    expect(d.program!.store!.backlog()).toBe(0);
    expect(Math.min(...overMqtt)).toBeGreaterThan(receipts[0]!.committedThroughSeq);

    // R7, case by case, from what the device pressed.
    const tally = await reconcileCases(g, pressed, clock.t);
    expect(tally['default replaced by a rating pressed in time']).toBeGreaterThan(0);
    expect(tally['rated in time, no default needed']).toBeGreaterThan(0);
    expect(tally['default + 追加评价']).toBeGreaterThan(0);

    const details = rows.filter((r) => (JSON.parse(r.body) as ChainRecord).kind === 'detail').length;
    const summary = {
      'cases registered': allCases.length,
      'ratings pressed on the device': pressed.length,
      '差评 details': details,
      'records in the chain': head,
      ...counts,
      'stored at the gateway (each once)': rows.length,
      ...tally,
      'drill seconds': Math.round((performance.now() - t0) / 100) / 10,
    };
    console.log(
      `six-week village drill:\n${Object.entries(summary)
        .map(([k, v]) => `  ${k.padEnd(46)} ${v}`)
        .join('\n')}`,
    );
    expect(counts['bundle 1: stored']! + counts['bundle 2: stored']! + counts['MQTT: stored']!).toBe(head);
  }, 120_000);
});

async function storedSeqs(g: Gateway): Promise<number[]> {
  return (await g.store.db.selectFrom('records').select('seq').where('device_id', '=', 'dev-village').execute()).map((r) => r.seq);
}
