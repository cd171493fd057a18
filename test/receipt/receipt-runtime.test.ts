/**
 * Receipts on a running device (issue 13): a real DeviceProgram (SQLite store, runtime, local API)
 * with the receipt feature listening to its bus. A receipt follows each committed rating and says
 * nothing of the level: five ratings, one of each level, print identical bytes (the clock stands
 * still). A case invitation prints its case number and the case's QR code. A printer that hangs
 * (a real listener that never answers) or refuses costs the receipt only: every rating is stored at
 * once, the waiting line of receipts stays short, and the kiosk goes on.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { AnchoredClock } from '../../device/clock/stamp-clock.js';
import { DeviceFileConfigSchema } from '../../device/config/device-config.js';
import { LEVELS, RATING_LEVELS } from '../../device/contract/index.js';
import Database from 'better-sqlite3';
import { DeviceProgram } from '../../device/device-program.js';
import { readReceipt } from '../../device/receipt/escpos-reader.js';
import { createReceiptFeature, type ReceiptCounts } from '../../device/receipt/index.js';
import { DEMO_STAFF, deviceConfig } from '../support/device-process.js';
import { readDeviceRecords } from '../support/read-device-store.js';
import { decodeReceiptQr } from './support/receipt-checks.js';

const QR = 'https://zwfw.example.gov.cn/hcp';
const STILL = Date.parse('2026-11-30T05:52:31.000Z');

async function runningDevice(deviceId: string, receipt: Record<string, unknown>) {
  const dir = mkdtempSync(join(tmpdir(), `hcp-${deviceId}-`));
  const raw = deviceConfig({ deviceId, dir, config: { logLevel: 'silent', receipt } });
  (raw.bootstrap as Record<string, unknown>).qrBaseUrl = QR;
  const config = DeviceFileConfigSchema.parse(raw);
  // A clock that stands still: the only thing that could differ between two receipts is the level.
  const clock = new AnchoredClock({ wallNow: () => STILL, monotonicNow: () => 0 });
  // Composed as device/main.ts composes it: the program builds the feature from its section and
  // hands it the device's event log.
  let feature: ReturnType<typeof createReceiptFeature> | null = null;
  const program = new DeviceProgram(
    config,
    pino({ level: 'silent' }),
    {
      receipt: (deps) => {
        feature = createReceiptFeature({ ...deps, logger: pino({ level: 'silent' }) });
        return feature;
      },
    },
    { clock },
  );
  await program.start();
  const rt = program.runtime!;
  await rt.submit({ kind: 'badge', uid: DEMO_STAFF.badgeUids[0]!, source: 'test' });
  return {
    config,
    rt,
    feature: feature!,
    /** The kinds in the device's own event log (device.db), oldest first. */
    events: () => {
      const db = new Database(join(config.dataDir, 'device.db'), { readonly: true });
      try {
        return db.prepare('SELECT kind FROM events ORDER BY id').pluck().all() as string[];
      } finally {
        db.close();
      }
    },
    stop: () => program.stop(),
  };
}

/**
 * A printer that hangs: a listener that never accepts (Node's servers always do, so python's), its
 * queue of one taken by a first connection — the next connect gets no answer at all.
 */
async function hangingPrinter(): Promise<{ port: number; stop: () => Promise<void> }> {
  const script = 'import socket,time\ns=socket.socket()\ns.bind(("127.0.0.1",0))\ns.listen(0)\nprint(s.getsockname()[1],flush=True)\ntime.sleep(600)';
  const py = spawn('python3', ['-c', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = Number(await new Promise<string>((res) => py.stdout!.once('data', (d: Buffer) => res(d.toString().trim()))));
  const filler = connect(port, '127.0.0.1');
  await new Promise((res) => filler.once('connect', res));
  const exited = new Promise((res) => py.once('exit', res));
  return {
    port,
    stop: async () => {
      filler.destroy();
      if (py.exitCode === null && py.signalCode === null) py.kill('SIGTERM');
      await exited;
    },
  };
}

async function until(what: () => boolean, progress?: () => unknown, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error(`timed out: ${JSON.stringify(progress?.())}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('receipts on a running device', () => {
  const stops: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const s of stops.splice(0)) await s();
  });

  it('prints one receipt per rating, the same bytes whatever the level', async () => {
    const device = await runningDevice('dev-rcpt-levels', { adapter: 'capture' });
    stops.push(device.stop);
    for (const level of RATING_LEVELS) {
      expect((await device.rt.submit({ kind: 'please-rate', source: 'test' })).accepted).toBe(true);
      expect((await device.rt.submit({ kind: 'press', level, source: 'test' })).accepted).toBe(true);
      // The next citizen comes after this one's receipt is out (a burst is the fault test's).
      await until(
        () => device.feature.counts().printed === RATING_LEVELS.indexOf(level) + 1,
        () => device.feature.counts(),
      );
    }
    const dir = join(device.config.dataDir, 'receipts');
    const files = readdirSync(dir).sort();
    expect(files).toEqual(['receipt-000001.bin', 'receipt-000002.bin', 'receipt-000003.bin', 'receipt-000004.bin', 'receipt-000005.bin']);
    const receipts = files.map((name) => readFileSync(join(dir, name)));
    for (const r of receipts) expect(r.equals(receipts[0]!)).toBe(true);

    const printed = readReceipt(receipts[0]!);
    expect(printed.lines).toContain('廊坊市政务服务中心');
    expect(printed.lines).toContain('窗口：01');
    expect(printed.lines).toContain('时间：2026-11-30 13:52（北京时间）');
    expect(decodeReceiptQr(receipts[0]!)).toBe(`${QR}/w/w-dev-rcpt-levels`);
    // No level's name, no staff, no rating id, in the text or anywhere in the bytes.
    const text = printed.lines.join('\n');
    const ratingIds = readDeviceRecords(device.config.dataDir).map((r) => r.id);
    for (const word of [...RATING_LEVELS.map((l) => LEVELS[l].zh), '满意', DEMO_STAFF.name, DEMO_STAFF.staffNo, ...ratingIds]) {
      expect(text).not.toContain(word);
      expect(receipts[0]!.includes(iconv.encode(word, 'GB18030'))).toBe(false);
    }
    expect(device.feature.counts()).toEqual<ReceiptCounts>({ printed: 5, failed: 0, skipped: 0 });
  });

  it('prints nothing when the section says enabled: false', async () => {
    const device = await runningDevice('dev-rcpt-off', { adapter: 'capture', enabled: false });
    stops.push(device.stop);
    expect((await device.rt.submit({ kind: 'please-rate', source: 'test' })).accepted).toBe(true);
    expect((await device.rt.submit({ kind: 'press', level: 4, source: 'test' })).accepted).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    expect(existsSync(join(device.config.dataDir, 'receipts'))).toBe(false);
    expect(device.feature.counts()).toEqual<ReceiptCounts>({ printed: 0, failed: 0, skipped: 0 });
  });

  it('a case invitation prints its case number and the QR code of that case', async () => {
    const device = await runningDevice('dev-rcpt-case', { adapter: 'capture' });
    stops.push(device.stop);
    const inviteId = '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
    expect((await device.rt.openCaseInvitation({ inviteId, caseNo: 'LF2026-000777', issuedAt: new Date(STILL).toISOString() })).accepted).toBe(true);
    expect((await device.rt.submit({ kind: 'press', level: 1, source: 'test' })).accepted).toBe(true);
    await until(() => device.feature.counts().printed === 1);
    const bytes = readFileSync(join(device.config.dataDir, 'receipts', 'receipt-000001.bin'));
    expect(readReceipt(bytes).lines).toContain('办件编号：LF2026-000777');
    expect(decodeReceiptQr(bytes)).toBe(`${QR}/r/dev-rcpt-case/${inviteId}`);
  });

  it('a printer that hangs or refuses loses no rating, and the kiosk goes on', async () => {
    const printer = await hangingPrinter();
    stops.push(printer.stop);
    const device = await runningDevice('dev-rcpt-fault', { adapter: 'network', host: '127.0.0.1', port: printer.port, connectTimeoutMs: 60_000, jobTimeoutMs: 800 });
    stops.unshift(device.stop);

    // Five citizens in a row while the printer hangs: every rating is taken at once.
    const started = Date.now();
    for (const level of RATING_LEVELS) {
      expect((await device.rt.submit({ kind: 'please-rate', source: 'test' })).accepted).toBe(true);
      expect((await device.rt.submit({ kind: 'press', level, source: 'test' })).accepted).toBe(true);
      expect(['thanks', 'details']).toContain(device.rt.view().screen);
    }
    expect(Date.now() - started).toBeLessThan(700);
    expect(readDeviceRecords(device.config.dataDir).filter((r) => r.kind === 'rating')).toHaveLength(5);
    // Three wait for the printer, each abandoned at its deadline; the two beyond them are skipped.
    await until(
      () => device.feature.counts().failed === 3,
      () => device.feature.counts(),
    );
    expect(device.feature.counts()).toEqual<ReceiptCounts>({ printed: 0, failed: 3, skipped: 2 });

    // The printer is switched off: the connection is refused, the rating still stored.
    await printer.stop();
    expect((await device.rt.submit({ kind: 'please-rate', source: 'test' })).accepted).toBe(true);
    expect((await device.rt.submit({ kind: 'press', level: 2, source: 'test' })).accepted).toBe(true);
    await until(
      () => device.feature.counts().failed === 4,
      () => device.feature.counts(),
    );
    expect(readDeviceRecords(device.config.dataDir).filter((r) => r.kind === 'rating')).toHaveLength(6);
    expect(device.events().filter((e) => e === 'receipt-failed')).toHaveLength(4);
    expect(device.events().filter((e) => e === 'receipt-skipped')).toHaveLength(2);
  });
});
