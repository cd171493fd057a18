/**
 * kill -9 of the device process at random moments during a stream of ratings (issue 2, "Must
 * show" 2): two devices side by side, 100 kills each. Every rating whose commit was confirmed to
 * the caller is on disk after restart, the chain verifies, nothing is duplicated, and no invitation
 * took two ratings.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyChain } from '../../device/contract/chain.js';
import { readDevicePublicKey } from '../../device/store/device-key.js';
import { DEMO_STAFF, startDevice } from '../support/device-process.js';
import { readDeviceRecords } from '../support/read-device-store.js';

const KILLS_PER_DEVICE = 100;

async function drill(deviceId: string, seed: number): Promise<{ confirmed: Set<string>; kills: number; dataDir: string }> {
  const dir = mkdtempSync(join(tmpdir(), `hcp-kill-${deviceId}-`));
  const confirmed = new Set<string>();
  let random = seed;
  const rand = () => (random = (random * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  let dataDir = '';
  for (let kill = 0; kill < KILLS_PER_DEVICE; kill++) {
    const device = await startDevice({ deviceId, dir });
    dataDir = device.dataDir;
    // The staff session persists across restarts; log in only if the device says nobody is.
    if ((await device.api('GET', '/api/state')).body.staff === null) await device.api('POST', '/api/badge', { uid: DEMO_STAFF.badgeUids[0] });
    const deadline = Date.now() + 30 + rand() * 400;
    const killer = new Promise<void>((res) => setTimeout(() => void device.kill9().then(res), deadline - Date.now()));
    // Fire ratings without waiting for the kill: requests in flight at the kill are simply unconfirmed.
    const stream = (async () => {
      while (Date.now() < deadline + 50) {
        try {
          await device.api('POST', '/api/invite');
          const level = 1 + Math.floor(rand() * 5);
          const r = await device.api('POST', '/api/rate', { level });
          if (r.status === 200) {
            confirmed.add(r.body.ratingId as string);
            if (level <= 2) await device.api('POST', '/api/details', { ratingId: r.body.ratingId, reasons: [] });
          }
        } catch {
          return; // the process is gone
        }
      }
    })();
    await Promise.all([killer, stream]);
  }
  return { confirmed, kills: KILLS_PER_DEVICE, dataDir };
}

describe('kill -9 during a stream of ratings', () => {
  it(`loses no confirmed rating and duplicates nothing across ${2 * KILLS_PER_DEVICE} kills`, async () => {
    const results = await Promise.all([drill('dev-kill-a', 7), drill('dev-kill-b', 11)]);
    for (const [i, r] of results.entries()) {
      const deviceId = i === 0 ? 'dev-kill-a' : 'dev-kill-b';
      const records = readDeviceRecords(r.dataDir);
      const ratings = records.filter((x) => x.kind === 'rating');
      const ids = new Set(records.map((x) => x.id));
      expect(ids.size).toBe(records.length);
      for (const id of r.confirmed) expect(ids.has(id), `confirmed rating ${id} lost`).toBe(true);
      const invitations = ratings.map((x) => (x.kind === 'rating' ? x.invitation.id : ''));
      expect(new Set(invitations).size).toBe(invitations.length);
      expect(records.map((x) => x.seq)).toEqual(records.map((_, k) => k + 1));
      expect(verifyChain(records, readDevicePublicKey(r.dataDir), { signatures: 'all', deviceId })).toEqual([]);
      expect(r.confirmed.size).toBeGreaterThan(KILLS_PER_DEVICE); // the drill really rated
      console.log(`${deviceId}: ${r.kills} kills, ${r.confirmed.size} confirmed ratings, ${ratings.length} on disk, chain intact`);
    }
  }, 600_000);
});
