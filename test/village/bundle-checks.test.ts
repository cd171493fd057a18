/**
 * The village path's checks (issue 13): a bundle altered on the stick is refused with what is
 * wrong and changes nothing; the same bundle imported twice stores each record once; only hall IT
 * imports, and it is audited; a receipt moves the device's mark only when the hall CA vouches for it
 * and it is this device's; an old receipt is harmless; a gap, an unknown and a retired device are
 * handled as MQTT ingest handles them. Real device stores, the real CLIs, an in-process gateway.
 */
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, createPrivateKey } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signBundle, signReceipt, type VillageBundle, type VillageReceipt } from '@hcp/contract/village-bundle';
import { exportBundle } from '../../device/bundle/bundle-export.js';
import { importReceipt } from '../../device/bundle/receipt-import.js';
import type { Gateway } from '../../gateway/gateway.js';
import { openSqliteStore } from '../../gateway/store/database.js';
import { runImportBundle } from '../../gateway/village/import-bundle-command.js';
import { REPO_ROOT } from '../../scripts/lib/device-process.js';
import { waitUntil } from '../../scripts/lib/wait-until.js';
import { loggedIn, type ConsoleClient } from '../support/console-client.js';
import { DrillClock, VillageDevice, makeHallTls, startVillageGateway, tmp, type HallTls } from './village-world.js';
import pino from 'pino';

const dir = tmp('hcp-village-checks-');
const clock = new DrillClock(Date.parse('2025-03-03T09:00:00+08:00'));
let tls: HallTls;
let gw: Gateway;
let dev: VillageDevice;
let hallIt: ConsoleClient;
let manager: ConsoleClient;
const stick = join(dir, 'usb');

const readJson = <T>(file: string) => JSON.parse(readFileSync(file, 'utf8')) as T;
const post = (c: ConsoleClient, bundle: unknown) => c.call('POST', '/api/village/bundles', bundle);
const storedCount = async (deviceId: string) =>
  Number(
    (
      await gw.store.db
        .selectFrom('records')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('device_id', '=', deviceId)
        .executeTakeFirstOrThrow()
    ).n,
  );
const exportNow = () => {
  const r = exportBundle({ dataDir: dev.config.dataDir, deviceId: dev.deviceId, outDir: stick, now: () => clock.t });
  if (!r.written) throw new Error(r.reason);
  return { file: r.file, bundle: readJson<VillageBundle>(r.file) };
};
const deviceKey = () => createPrivateKey(readFileSync(join(dev.config.dataDir, 'device-key.pem')));
const tsx = (script: string, args: string[]) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, script), ...args], { cwd: REPO_ROOT, timeout: 60_000 });
  return { status: r.status, out: r.stdout.toString() + r.stderr.toString() };
};

beforeAll(async () => {
  tls = makeHallTls(join(dir, 'tls'));
  gw = await startVillageGateway({ dir, clock, tls });
  await gw.auth.createUser('it-zhang', 'correct-horse-1', 'hall-it');
  await gw.auth.createUser('mgr-li', 'correct-horse-2', 'manager');
  hallIt = await loggedIn(gw, 'it-zhang', 'correct-horse-1');
  manager = await loggedIn(gw, 'mgr-li', 'correct-horse-2');
  // Enrolled at the town hall (online once), then taken to the village: no network from here on.
  const { code } = await gw.enrolment.registerDevice('dev-v01', 'w-01');
  dev = new VillageDevice('dev-v01', join(dir, 'dev-v01'), clock, { url: gw.httpUrl, mqttUrl: `mqtt://127.0.0.1:${gw.mqttPort}`, enrolmentCode: code, caFile: tls.caFile });
  await dev.start(true);
  expect(await waitUntil(async () => (await gw.store.db.selectFrom('devices').select('online').where('device_id', '=', 'dev-v01').executeTakeFirst())?.online === 1, 15_000)).toBe(
    true,
  );
  await dev.stop();
  await dev.start(false);
  for (const [i, level] of ([5, 4, 1, 5, 2, 3] as const).entries()) await dev.rate(`QL-${i}`, level);
}, 60_000);
afterAll(async () => {
  await dev?.stop();
  await gw?.stop();
});

describe('village bundles at the gateway', () => {
  it('refuses a bundle altered on the stick, naming what is wrong; stores the intact one once, however often imported', async () => {
    const { bundle } = exportNow();
    expect(bundle.records).toHaveLength(8); // six ratings, two of them 差评 with their details

    const level = structuredClone(bundle);
    (level.records[0] as { level: number }).level = 1;
    const removed = { ...structuredClone(bundle), records: bundle.records.slice(1) };
    const { privateKey: strangerKey } = generateKeyPairSync('ed25519');
    const { digest: _d, signature: _s, ...unsigned } = bundle;
    const forged = signBundle(unsigned, strangerKey);
    for (const [bad, message] of [
      [level, /record seq 1 altered: content does not match its hash/],
      [removed, /digest does not match its content/],
      [forged, /signature does not verify with the key device dev-v01 enrolled with/],
      [{ ...bundle, deviceId: 'Not A Device' }, /deviceId: device id must be/],
    ] as const) {
      const r = await post(hallIt, bad);
      expect(r.status, JSON.stringify(r.body)).toBe(400);
      expect(r.body.message).toMatch(message);
    }
    expect(await storedCount('dev-v01')).toBe(0);

    expect((await post(manager, bundle)).status).toBe(403);
    const first = await post(hallIt, bundle);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.summary).toMatchObject({ records: 8, stored: 8, alreadyStored: 0, rejected: {}, committedThroughSeq: 8 });
    expect(first.body.receipt).toMatchObject({ deviceId: 'dev-v01', committedThroughSeq: 8, acked: [{ fromSeq: 1, throughSeq: 8 }], rejected: [] });
    const again = await post(hallIt, bundle);
    expect(again.body.summary).toMatchObject({ stored: 0, alreadyStored: 8, committedThroughSeq: 8 });
    // As docs/VILLAGE.md's curl line asks: the receipt file itself, to save on the stick.
    const file = await fetch(`${gw.httpUrl}/api/village/bundles?as=receipt-file`, {
      method: 'POST',
      headers: { authorization: `Bearer ${hallIt.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(bundle),
    });
    const text = await file.text();
    expect(file.status, text).toBe(200);
    expect(JSON.parse(text)).toMatchObject({ deviceId: 'dev-v01', committedThroughSeq: 8, acked: [{ fromSeq: 1, throughSeq: 8 }] });
    expect(file.headers.get('content-disposition')).toMatch(/attachment; filename="hcp-receipt-dev-v01-/);
    expect(await storedCount('dev-v01')).toBe(8);
    await gw.assessor.catchUp();
    const ratings = await gw.store.db.selectFrom('assessments').select('case_no').where('device_id', '=', 'dev-v01').execute();
    expect(ratings.map((r) => r.case_no).sort()).toEqual(['QL-0', 'QL-1', 'QL-2', 'QL-3', 'QL-4', 'QL-5']);

    const audit = await gw.store.db.selectFrom('audit_log').select(['actor', 'action', 'subject']).where('action', 'like', 'village-%').execute();
    expect(audit.filter((a) => a.action === 'village-bundle-refused')).toHaveLength(4);
    expect(audit.filter((a) => a.action === 'village-bundle-imported')).toEqual([
      { actor: 'it-zhang', action: 'village-bundle-imported', subject: 'dev-v01' },
      { actor: 'it-zhang', action: 'village-bundle-imported', subject: 'dev-v01' },
      { actor: 'it-zhang', action: 'village-bundle-imported', subject: 'dev-v01' },
    ]);
  });

  it('the device takes a receipt only from a gateway of its hall CA, for itself; then exports nothing, and an old receipt is harmless', async () => {
    // The real CLIs, as the village worker runs them (the device program keeps running meanwhile).
    const exported = tsx('device/cli/export-bundle.ts', ['--config', dev.configFile, '--out', stick]);
    expect(exported.status, exported.out).toBe(0);
    expect(exported.out).toMatch(/8 records \(seq 1-8\)/);
    const file = /bundle written: (\S+)/.exec(exported.out)![1]!;
    // The town gateway's CLI, on a second connection to the store, while the gateway runs.
    const store = openSqliteStore({ file: join(dir, 'data', 'gateway.db') });
    const imported = await runImportBundle({ store, section: { certFile: tls.certFile, keyFile: tls.keyFile }, file, logger: pino({ level: 'silent' }) });
    await store.close();
    expect(imported.code, imported.lines.join('\n')).toBe(0);
    expect(imported.lines[0]).toMatch(/8 records, 0 stored now, 8 already stored/);
    const receiptFile = /receipt written: (\S+)/.exec(imported.lines[1]!)![1]!;
    const receipt = readJson<VillageReceipt>(receiptFile);

    const write = (name: string, r: unknown) => {
      const f = join(stick, name);
      writeFileSync(f, JSON.stringify(r));
      return f;
    };
    const other = makeHallTls(join(dir, 'other-hall'), '别的大厅');
    const { signature: _s, ...unsigned } = receipt;
    const refused: Array<[string, RegExp, string | undefined]> = [
      [write('altered.json', { ...receipt, committedThroughSeq: 7 }), /signature does not verify: it was altered/, tls.caFile],
      [
        write('other-hall.json', signReceipt({ ...unsigned, certificatePem: readFileSync(other.certFile, 'utf8') }, createPrivateKey(readFileSync(other.keyFile)))),
        /not signed by a gateway of this hall/,
        tls.caFile,
      ],
      [write('other-device.json', signReceipt({ ...unsigned, deviceId: 'dev-v99' }, createPrivateKey(readFileSync(tls.keyFile)))), /for device dev-v99, not dev-v01/, tls.caFile],
      [receiptFile, /no gateway.caFile/, undefined],
    ];
    for (const [f, message, caFile] of refused) {
      const r = importReceipt({ dataDir: dev.config.dataDir, deviceId: 'dev-v01', caFile, file: f });
      expect(r.ok).toBe(false);
      expect(r.ok ? '' : r.problem).toMatch(message);
    }
    expect(dev.program!.store!.ackState().through).toBe(0);

    const cli = tsx('device/cli/import-receipt.ts', ['--config', dev.configFile, '--file', receiptFile]);
    expect(cli.status, cli.out).toBe(0);
    expect(cli.out).toMatch(/acknowledged through seq 8 \(was 0; 8 newly acknowledged\); 0 record\(s\) still to send/);
    expect(dev.program!.store!.backlog()).toBe(0);
    expect(exportBundle({ dataDir: dev.config.dataDir, deviceId: 'dev-v01', outDir: stick })).toMatchObject({ written: false, reason: expect.stringMatching(/nothing to export/) });

    await dev.rate('QL-6', 4);
    const old = importReceipt({ dataDir: dev.config.dataDir, deviceId: 'dev-v01', caFile: tls.caFile, file: receiptFile });
    expect(old).toMatchObject({ ok: true, newlyAcknowledged: 0, backlog: 1 });
  });

  it('a gap, an unknown device and a retired device are handled as MQTT ingest handles them', async () => {
    await dev.rate('QL-7', 5);
    const { bundle } = exportNow();
    expect(bundle.records.map((r) => r.seq)).toEqual([9, 10]);
    // A bundle missing its first record (signed by the device itself: no tampering, a real gap).
    const { digest: _d, signature: _s, ...whole } = bundle;
    const gapped = signBundle({ ...whole, records: whole.records.slice(1) }, deviceKey());
    const r = await post(hallIt, gapped);
    expect(r.status).toBe(200);
    expect(r.body.summary).toMatchObject({ stored: 0, rejected: { 'chain-gap': 1 }, committedThroughSeq: 8 });
    expect(r.body.receipt.rejected).toEqual([expect.objectContaining({ seq: 10, code: 'chain-gap', reason: 'expected seq 9, got 10' })]);
    expect(await gw.store.db.selectFrom('chain_gaps').select(['expected_seq', 'got_seq']).where('device_id', '=', 'dev-v01').execute()).toEqual([{ expected_seq: 9, got_seq: 10 }]);
    await gw.watch.tick();
    const alert = () => gw.store.db.selectFrom('alerts').select('cleared_at').where('kind', '=', 'chain-gap').where('subject', '=', 'dev-v01').executeTakeFirst();
    expect(await alert()).toEqual({ cleared_at: null });
    // The whole bundle fills the gap, and the alert clears.
    const filled = await post(hallIt, bundle);
    expect(filled.body.summary).toMatchObject({ stored: 2, committedThroughSeq: 10 });
    await gw.watch.tick();
    expect((await alert())?.cleared_at).not.toBeNull();
    const ff = join(stick, filled.body.receiptFileName);
    writeFileSync(ff, JSON.stringify(filled.body.receipt));
    expect(importReceipt({ dataDir: dev.config.dataDir, deviceId: 'dev-v01', caFile: tls.caFile, file: ff })).toMatchObject({ ok: true, ackedNow: 10, backlog: 0 });

    const stranger = new VillageDevice('dev-v02', join(dir, 'dev-v02'), clock, null);
    await stranger.start(false);
    await stranger.rate('QL-X', 5);
    const sb = exportBundle({ dataDir: stranger.config.dataDir, deviceId: 'dev-v02', outDir: stick });
    await stranger.stop();
    const unknown = await post(hallIt, readJson(sb.written ? sb.file : ''));
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toBe('device dev-v02 is not registered at this gateway: nothing imported');

    await dev.rate('QL-8', 3);
    await gw.enrolment.retire('dev-v01');
    const retired = await post(hallIt, exportNow().bundle);
    expect(retired.body.summary).toMatchObject({ stored: 0, rejected: { 'retired-device': 1 }, committedThroughSeq: 0 });
    const rf = join(stick, retired.body.receiptFileName);
    writeFileSync(rf, JSON.stringify(retired.body.receipt));
    expect(importReceipt({ dataDir: dev.config.dataDir, deviceId: 'dev-v01', caFile: tls.caFile, file: rf })).toMatchObject({ ok: true, markedRejected: 1, backlog: 0 });
    expect(dev.program!.store!.rejected()).toEqual([expect.objectContaining({ seq: 11, code: 'retired-device' })]);
    expect(await storedCount('dev-v01')).toBe(10);
  });
});
