/**
 * The device program as hall IT runs it (`device/main.ts --config`), with a `receipt` section: a
 * rating through the local API leaves its receipt in the capture folder, and a bad section stops
 * the program at start with the field named, before anything listens.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readReceipt } from '../../device/receipt/escpos-reader.js';
import { DEMO_STAFF, deviceConfig, REPO_ROOT, startDevice, type RunningDevice } from '../support/device-process.js';
import { decodeReceiptQr } from './support/receipt-checks.js';

describe('receipts in the device program', () => {
  let device: RunningDevice | undefined;
  afterAll(async () => device?.stop());

  it('prints a receipt for a rating made through the local API (capture adapter, dry run)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hcp-receipt-main-'));
    const receipts = join(dir, 'dry-run');
    device = await startDevice({
      deviceId: 'dev-receipt-main',
      dir,
      config: {
        bootstrap: {
          hallName: '廊坊市政务服务中心',
          window: { id: 'w-09', number: '09', department: '税务局' },
          roster: [DEMO_STAFF],
          qrBaseUrl: 'https://zwfw.example.gov.cn/hcp',
        },
        receipt: { adapter: 'capture', dir: receipts, paper: '80mm' },
      },
    });
    expect((await device.api('POST', '/api/badge', { uid: DEMO_STAFF.badgeUids[0] })).status).toBe(200);
    expect((await device.api('POST', '/api/invite')).status).toBe(200);
    expect((await device.api('POST', '/api/rate', { level: 1 })).status).toBe(200);
    const file = join(receipts, 'receipt-000001.bin');
    for (let i = 0; i < 500 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 20));
    const bytes = readFileSync(file);
    const printed = readReceipt(bytes);
    expect(printed.lines).toContain('窗口：09');
    expect(printed.lines).toContain('-'.repeat(48));
    expect(decodeReceiptQr(bytes)).toBe('https://zwfw.example.gov.cn/hcp/w/w-09');
    expect(readdirSync(receipts)).toEqual(['receipt-000001.bin']);
  });

  it('refuses a bad receipt section at start, naming the field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hcp-receipt-badcfg-'));
    const configFile = join(dir, 'device.json');
    writeFileSync(configFile, JSON.stringify(deviceConfig({ deviceId: 'dev-receipt-bad', dir, config: { receipt: { adapter: 'network', host: 'printer', port: 'nine' } } })));
    const run = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'device/main.ts'), '--config', configFile], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 120_000 });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/receipt\.port: /);
  });
});
