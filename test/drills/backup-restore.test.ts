/**
 * The backup and restore drill (issue 15), with real processes: a gateway and a device whose
 * simulated citizens rate on their own. Ratings flow; the device is backed up online; more ratings;
 * the device is killed (kill -9), its disk lost, restored from the backup, and starts a new epoch
 * (enrolled with a new code); the gateway is backed up online; more ratings; the gateway is killed,
 * its disk lost, restored, and the device sends again what the restored gateway had lost. Then:
 * every record the gateway held before each crash is there exactly once, both of the device's
 * chains verify at the gateway and on the device, and no (device, epoch, seq) holds two records.
 * Along the way: a corrupt backup and a restore over a running gateway are refused.
 */
import { spawnSync } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { ChainRecord } from '@hcp/contract';
import { verifyChain } from '@hcp/contract/chain';
import { DEMO_STAFF, REPO_ROOT, startDevice, type RunningDevice } from '../../scripts/lib/device-process.js';
import { freePort } from '../../scripts/lib/free-port.js';
import { startGateway, writeGatewayConfig, type RunningGateway } from '../../scripts/lib/gateway-process.js';
import { waitUntil } from '../../scripts/lib/wait-until.js';

const DEVICE = 'dev-bk-01';
const WINDOW = { windowId: 'w-01', number: '01', department: '市场监管局' };

interface Row {
  id: string;
  epoch: number;
  seq: number;
  body: string;
}

/** Run one of the project's commands as hall IT would; answers its exit code and output. */
function run(script: string, args: string[]): { code: number; out: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, script), ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}`.trim() };
}

/** The gateway's records of the device, read from its database file (read-write: after a kill -9 it recovers its WAL). */
function gatewayRows(dataDir: string): Row[] {
  const db = new Database(join(dataDir, 'gateway.db'), { fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  try {
    return db.prepare('SELECT id, epoch, seq, body FROM records WHERE device_id = ? ORDER BY epoch, seq').all(DEVICE) as Row[];
  } finally {
    db.close();
  }
}

function deviceConfig(gw: RunningGateway, code: string) {
  return {
    bootstrap: { hallName: '廊坊市政务服务中心', window: { id: WINDOW.windowId, number: WINDOW.number, department: WINDOW.department }, roster: [] },
    gateway: { url: gw.http, mqttUrl: gw.mqttUrl, enrolmentCode: code, ackTimeoutMs: 3000, retry: { initialMs: 200, maxMs: 1000, stableMs: 2000, refusedMs: 1000 } },
    simulator: { enabled: true, ratingsPerMinute: 600 },
  };
}

describe('backup and restore drill', () => {
  it('backs up online, loses each disk, restores, and nothing the gateway held is lost or forked', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hcp-backup-drill-'));
    const say = (line: string) => console.log(`[drill] ${line}`);
    say(`data under ${dir}`);
    const gwDir = join(dir, 'gateway');
    const gwData = join(gwDir, 'data');
    // Fixed ports: the device finds the restored gateway where the lost one was.
    const configFile = writeGatewayConfig(gwDir, { http: { port: await freePort() }, mqtt: { port: await freePort() } });
    let gw = await startGateway(configFile, gwData);
    let dev: RunningDevice | null = null;
    try {
      await gw.api('PUT', '/api/windows', WINDOW);
      await gw.api('PUT', '/api/staff', { ...DEMO_STAFF, windowId: WINDOW.windowId });
      const code1 = (await gw.api('POST', '/api/devices', { deviceId: DEVICE, windowId: WINDOW.windowId })).body.code as string;
      const devDir = join(dir, 'device');
      dev = await startDevice({ deviceId: DEVICE, dir: devDir, config: deviceConfig(gw, code1) });
      const atGateway = (epoch: number) => gatewayRows(gwData).filter((r) => r.epoch === epoch).length;
      expect(await waitUntil(() => atGateway(1) >= 15, 30_000, 200), `ratings flow: ${dev.stderr().slice(-500)}`).toBe(true);

      // ---- The device's disk.
      const devBackup = join(dir, 'backups', 'device');
      const b1 = run('device/cli/backup.ts', ['--config', dev.configFile, '--out', devBackup]);
      say(`device:backup while rating → exit ${b1.code}\n${b1.out}`);
      expect(b1.code).toBe(0);
      const backedUpHead = Number(/head seq (\d+)/.exec(b1.out)?.[1]);
      expect(await waitUntil(() => atGateway(1) >= backedUpHead + 15, 30_000, 200)).toBe(true);
      await dev.kill9();
      const beforeDeviceCrash = gatewayRows(gwData);
      say(`kill -9 device: the gateway holds ${beforeDeviceCrash.length} records of epoch 1 (the backup's head is seq ${backedUpHead})`);
      rmSync(dev.dataDir, { recursive: true, force: true });

      const corrupt = join(dir, 'backups', 'device-corrupt');
      cpSync(devBackup, corrupt, { recursive: true });
      writeFileSync(join(corrupt, 'device-key.pem'), 'not the key that was backed up\n');
      const refused = run('device/cli/restore.ts', ['--config', dev.configFile, '--from', corrupt]);
      say(`device:restore of a damaged backup → exit ${refused.code}: ${refused.out}`);
      expect(refused.code).toBe(2);
      expect(refused.out).toContain('device-key.pem does not match its sha256');

      const r1 = run('device/cli/restore.ts', ['--config', dev.configFile, '--from', devBackup]);
      say(`device:restore → exit ${r1.code}\n${r1.out}`);
      expect(r1.code).toBe(0);
      const archived = join(dev.dataDir, 'restored-epochs', readdirSync(join(dev.dataDir, 'restored-epochs'))[0]!);
      const code2 = (await gw.api('POST', '/api/devices', { deviceId: DEVICE, windowId: WINDOW.windowId })).body.code as string;
      dev = await startDevice({ deviceId: DEVICE, dir: devDir, config: deviceConfig(gw, code2) });
      expect(await waitUntil(() => atGateway(2) >= 15, 30_000, 200), `the restored device rates in a new epoch: ${dev.stderr().slice(-500)}`).toBe(true);

      // ---- The gateway's disk.
      const gwBackup = join(dir, 'backups', 'gateway');
      const b2 = run('gateway/main.ts', ['backup', '--config', configFile, '--out', gwBackup]);
      say(`gateway backup while rating → exit ${b2.code}\n${b2.out}`);
      expect(b2.code).toBe(0);
      const inUse = run('gateway/main.ts', ['restore', '--config', configFile, '--from', gwBackup]);
      say(`gateway restore over the running gateway → exit ${inUse.code}: ${inUse.out}`);
      expect(inUse.code).toBe(2);
      expect(inUse.out).toContain('is in use by process');
      const inBackup = Number(new RegExp(`${DEVICE}#2@(\\d+)`).exec(b2.out)?.[1]);
      expect(await waitUntil(() => atGateway(2) >= inBackup + 15, 30_000, 200)).toBe(true);
      await gw.kill9();
      const beforeGatewayCrash = gatewayRows(gwData);
      say(`kill -9 gateway: it holds ${beforeGatewayCrash.length} records (its backup has epoch 2 through seq ${inBackup})`);
      rmSync(gwData, { recursive: true, force: true });
      const r2 = run('gateway/main.ts', ['restore', '--config', configFile, '--from', gwBackup]);
      say(`gateway restore → exit ${r2.code}\n${r2.out}`);
      expect(r2.code).toBe(0);
      gw = await startGateway(configFile, gwData);
      const lostTail = beforeGatewayCrash.filter((r) => r.epoch === 2).length;
      expect(await waitUntil(() => atGateway(2) >= lostTail + 10, 45_000, 200), `the device sends again what the gateway lost: ${dev.stderr().slice(-800)}`).toBe(true);
      await dev.stop();
      dev = null;

      // ---- What the gateway holds now.
      const after = gatewayRows(gwData);
      const ids = new Set(after.map((r) => r.id));
      const byId = new Map(after.map((r) => [r.id, r]));
      const missing = [...beforeDeviceCrash, ...beforeGatewayCrash].filter((r) => byId.get(r.id)?.seq !== r.seq || byId.get(r.id)?.epoch !== r.epoch);
      expect(missing, 'every record the gateway held before either crash is there, at its (epoch, seq)').toEqual([]);
      expect(ids.size, 'each record once').toBe(after.length);
      expect(new Set(after.map((r) => `${r.epoch}:${r.seq}`)).size, 'no (epoch, seq) twice').toBe(after.length);
      const db = new Database(join(gwData, 'gateway.db'), { readonly: true });
      const epochs = db.prepare('SELECT epoch, public_key_pem AS pem, head_seq AS head FROM device_epochs WHERE device_id = ? ORDER BY epoch').all(DEVICE) as Array<{
        epoch: number;
        pem: string;
        head: number;
      }>;
      db.close();
      expect(epochs.map((e) => e.epoch)).toEqual([1, 2]);
      for (const e of epochs) {
        const chain = after.filter((r) => r.epoch === e.epoch).map((r) => JSON.parse(r.body) as ChainRecord);
        expect(chain.length, `epoch ${e.epoch} has no gap`).toBe(e.head);
        expect(verifyChain(chain, createPublicKey(e.pem), { signatures: 'all', deviceId: DEVICE }), `epoch ${e.epoch} verifies`).toEqual([]);
      }
      const verifyNow = run('device/cli/verify.ts', ['--data-dir', join(devDir, 'data')]);
      const verifyOld = run('device/cli/verify.ts', ['--data-dir', archived]);
      say(`device:verify (epoch 2, on the device) → ${verifyNow.out.split('\n').join(' | ')}`);
      say(`device:verify (epoch 1, the restored backup) → ${verifyOld.out.split('\n').join(' | ')}`);
      expect(verifyNow.code).toBe(0);
      expect(verifyOld.code).toBe(0);
      const perEpoch = epochs.map((e) => `epoch ${e.epoch}: ${after.filter((r) => r.epoch === e.epoch).length} records`).join(', ');
      say(
        `before the device's crash ${beforeDeviceCrash.length}, before the gateway's ${beforeGatewayCrash.length}, now ${after.length} (${perEpoch}); ` +
          `the restored gateway got back ${lostTail - inBackup} records from the device; lost: the device's records after its backup that the gateway never stored (not confirmed)`,
      );
    } finally {
      await dev?.kill9().catch(() => undefined);
      await gw.stop().catch(() => undefined);
    }
  }, 150_000);
});
