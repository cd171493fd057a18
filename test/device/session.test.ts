/**
 * A full session on a real device process (issue 2, "Must show" 1): badge login → invitation →
 * a 不满意 with reasons and a consented phone → stored, chained and signed; logout; presses while
 * logged out or not armed produce no rating. The phone number is sealed to the hall key and never
 * comes back through the local API.
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openContact } from '../../gateway/contact-opening.js';
import { readDevicePublicKey } from '../../device/store/device-key.js';
import { verifyChain } from '../../device/contract/chain.js';
import { REPO_ROOT, startDevice, type RunningDevice } from '../support/device-process.js';
import { readDeviceRecords } from '../support/read-device-store.js';

describe('a full session on the device runtime', () => {
  const hall = generateKeyPairSync('x25519');
  let device: RunningDevice;

  beforeAll(async () => {
    device = await startDevice({
      deviceId: 'dev-session',
      dir: mkdtempSync(join(tmpdir(), 'hcp-session-')),
      config: {
        bootstrap: {
          hallName: '廊坊市政务服务中心',
          window: { id: 'w-07', number: '07', department: '不动产登记中心' },
          roster: [{ staffId: 's-7', staffNo: 'B007', name: '李建国', post: '不动产登记', title: '副科长', badgeUids: ['00DEADBEEF'] }],
          contactKey: { keyId: 'hall-2026', publicKeyPem: hall.publicKey.export({ type: 'spki', format: 'pem' }).toString() },
        },
      },
    });
  });
  afterAll(async () => device?.stop());

  it('takes one rating per invitation, with reasons and a sealed call-back number', async () => {
    expect((await device.api('POST', '/api/rate', { level: 5 })).body.error).toBe('not-armed');
    expect((await device.api('POST', '/api/invite')).body.error).toBe('no-staff');

    expect((await device.api('POST', '/api/badge', { uid: '00deadbeef' })).status).toBe(200);
    const idle = (await device.api('GET', '/api/state')).body;
    expect(idle.screen).toBe('idle');
    expect(idle.staff).toMatchObject({ name: '李建国', post: '不动产登记', title: '副科长', staffNo: 'B007' });

    expect((await device.api('POST', '/api/rate', { level: 5 })).body.error).toBe('not-armed');
    expect((await device.api('POST', '/api/invite')).status).toBe(200);
    expect((await device.api('GET', '/api/state')).body.screen).toBe('armed');

    const rated = await device.api('POST', '/api/rate', { level: 2 });
    expect(rated.status).toBe(200);
    const ratingId = rated.body.ratingId as string;
    // One invitation, one rating.
    expect((await device.api('POST', '/api/rate', { level: 5 })).body.error).toBe('not-armed');
    const details = (await device.api('GET', '/api/state')).body;
    expect(details.screen).toBe('details');
    expect(details.lastRating).toMatchObject({ id: ratingId, level: 2, bad: true });

    expect((await device.api('POST', '/api/details', { ratingId, reasons: [213], phone: '13800138000' })).body.error).toBe('bad-request');
    const ok = await device.api('POST', '/api/details', { ratingId, reasons: [213, 214], comment: '等了很久', phone: '13800138000', consent: true });
    expect(ok.status).toBe(200);
    expect((await device.api('GET', '/api/state')).body.screen).toBe('thanks');

    // The number never comes back through the local API.
    for (const path of ['/api/state', '/api/status']) {
      expect(JSON.stringify((await device.api('GET', path)).body)).not.toContain('13800138000');
    }

    // Logout by tapping the badge again: presses are no ratings, invitations refused.
    expect((await device.api('POST', '/api/badge', { uid: '00DEADBEEF' })).status).toBe(200);
    expect((await device.api('GET', '/api/state')).body.staff).toBeNull();
    expect((await device.api('POST', '/api/invite')).body.error).toBe('no-staff');
    expect((await device.api('POST', '/api/rate', { level: 4 })).body.error).toBe('not-armed');

    const records = readDeviceRecords(device.dataDir);
    expect(records.map((r) => r.kind)).toEqual(['rating', 'detail']);
    const [rating, detail] = records;
    expect(rating).toMatchObject({ kind: 'rating', id: ratingId, level: 2, windowId: 'w-07', staffId: 's-7', seq: 1 });
    expect(rating!.kind === 'rating' && rating!.invitation.source).toBe('staff');
    expect(rating!.kind === 'rating' && rating!.facts.staffLoggedIn).toBe(true);
    expect(detail).toMatchObject({ kind: 'detail', ratingId, reasons: [213, 214], comment: '等了很久', seq: 2, prevHash: rating!.hash });
    expect(JSON.stringify(records)).not.toContain('13800138000');
    expect(detail!.kind === 'detail' && openContact(detail!.contact!, hall.privateKey)).toBe('13800138000');
    expect(verifyChain(records, readDevicePublicKey(device.dataDir), { signatures: 'all', deviceId: 'dev-session' })).toEqual([]);

    const out = execFileSync(process.execPath, ['--import', 'tsx', 'device/cli/verify.ts', '--data-dir', device.dataDir], { cwd: REPO_ROOT }).toString();
    expect(out).toMatch(/OK: the chain is intact/);
  });
});
