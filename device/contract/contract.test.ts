import { createHash, generateKeyPairSync } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { describe, expect, it } from 'vitest';
import {
  ChainRecordSchema,
  GENESIS_HASH,
  parseDeviceTopic,
  deviceTopic,
  reasonCodesProblem,
  reasonsForLevel,
  describeReason,
  toNationalStandardCode,
  CURRENT_CATALOGUE_VERSION,
  type ChainRecord,
  type UnsignedRecord,
} from './index.js';
import { canonicalRecordBytes, hashRecord, signHash, verifyChain } from './chain.js';

function makeChain(n: number) {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const out: ChainRecord[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const unsigned: UnsignedRecord = {
      kind: 'rating',
      id: uuidv7(),
      deviceId: 'dev-001',
      seq,
      prevHash,
      at: new Date().toISOString(),
      level: 5,
      channel: 'device-button',
      catalogueVersion: CURRENT_CATALOGUE_VERSION,
      windowId: 'w1',
      invitation: { id: uuidv7(), source: 'staff', invitedAt: new Date().toISOString() },
      facts: { msFromInvitation: 1200, staffLoggedIn: true, unarmedPressesBefore: 0, ratingsInLastMinute: 0, flags: [] },
    };
    const hash = hashRecord(unsigned);
    const rec = { ...unsigned, hash, sig: signHash(hash, privateKey) } as ChainRecord;
    out.push(ChainRecordSchema.parse(rec));
    prevHash = hash;
  }
  return { out, publicKey };
}

describe('contract', () => {
  it('maps levels to the national standard code in the opposite direction', () => {
    expect(toNationalStandardCode(5)).toBe(1);
    expect(toNationalStandardCode(1)).toBe(5);
  });

  it('offers reasons per level and refuses foreign, retired and unknown ones', () => {
    expect(reasonsForLevel(CURRENT_CATALOGUE_VERSION, 2).map((r) => r.code)).toEqual([207, 208, 209, 210, 211, 212, 213, 214]);
    expect(reasonCodesProblem(CURRENT_CATALOGUE_VERSION, 2, [213, 214])).toBeNull();
    expect(reasonCodesProblem(CURRENT_CATALOGUE_VERSION, 2, [115])).toMatch(/belongs to level 1/);
    expect(reasonCodesProblem(CURRENT_CATALOGUE_VERSION, 2, [203])).toMatch(/retired/);
    expect(reasonCodesProblem(CURRENT_CATALOGUE_VERSION, 2, [299])).toMatch(/not in catalogue/);
    expect(reasonCodesProblem('1999.1', 2, [213])).toMatch(/unknown catalogue/);
    expect(describeReason(CURRENT_CATALOGUE_VERSION, 203)?.retired).toBe(true);
  });

  it('round-trips device topics and refuses wildcards and foreign shapes', () => {
    expect(parseDeviceTopic(deviceTopic('dev-001', 'records'))).toEqual({ deviceId: 'dev-001', kind: 'records' });
    // Issue 11: console commands down, the captured badge up.
    expect(parseDeviceTopic('hcp/v1/dev/dev-001/command')).toEqual({ deviceId: 'dev-001', kind: 'command' });
    expect(parseDeviceTopic('hcp/v1/dev/dev-001/badge')).toEqual({ deviceId: 'dev-001', kind: 'badge' });
    expect(parseDeviceTopic('hcp/v1/dev/+/records')).toBeNull();
    expect(parseDeviceTopic('hcp/v1/dev/dev-001/records/x')).toBeNull();
    expect(parseDeviceTopic('#')).toBeNull();
  });

  it('hashes a record to the sha256 of its canonical bytes, the same for a signed record as for its unsigned form', () => {
    // Fixed input, fixed digest: stored chains must keep verifying whatever the hashing code becomes.
    const unsigned: UnsignedRecord = {
      kind: 'rating',
      id: '0190a8c2-1111-7000-8000-000000000001',
      deviceId: 'dev-001',
      seq: 7,
      prevHash: GENESIS_HASH,
      at: '2026-12-01T08:00:00.000+08:00',
      level: 1,
      channel: 'device-touch',
      catalogueVersion: '2026.1',
      windowId: 'w-01',
      invitation: { id: '0190a8c2-1111-7000-8000-000000000002', source: 'case', caseNo: '受理-001', invitedAt: '2026-12-01T07:59:00.000+08:00' },
      facts: { msFromInvitation: 60000, staffLoggedIn: true, unarmedPressesBefore: 0, ratingsInLastMinute: 0, flags: [] },
    };
    const digest = createHash('sha256').update(canonicalRecordBytes(unsigned)).digest('hex');
    expect(digest).toBe('09cf9f63176dbc7164877c9983fbda36d211d8a4f875413fd16722d44e4bf6c6');
    expect(hashRecord(unsigned)).toBe(digest);
    expect(hashRecord({ ...unsigned, hash: 'f'.repeat(64), sig: 'x' } as ChainRecord)).toBe(digest);
  });

  it('verifies a chain and pinpoints an edit, a deletion and a forged signature', () => {
    const { out, publicKey } = makeChain(5);
    expect(verifyChain(out, publicKey, { signatures: 'all', deviceId: 'dev-001' })).toEqual([]);
    const edited = out.map((r) => (r.seq === 3 ? ({ ...r, level: 1 } as ChainRecord) : r));
    expect(verifyChain(edited, publicKey, { signatures: 'head', deviceId: 'dev-001' })).toContainEqual({ seq: 3, problem: 'hash-mismatch' });
    const deleted = out.filter((r) => r.seq !== 2);
    expect(verifyChain(deleted, publicKey, { signatures: 'head', deviceId: 'dev-001' }).map((p) => p.problem)).toEqual(['gap', 'broken-link']);
    const other = makeChain(1);
    const forged = [...out.slice(0, 4), { ...out[4]!, sig: other.out[0]!.sig }];
    expect(verifyChain(forged, publicKey, { signatures: 'head', deviceId: 'dev-001' })).toEqual([{ seq: 5, problem: 'bad-signature' }]);
  });
});
