/**
 * A store written before clock epochs and pruning (migration 1 only) upgrades in place: its records
 * become clock epoch 0 (stamped by the wall clock, offset unknown), its head is marked, nothing is
 * pruned, and it still verifies.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import { AnchoredClock } from '../clock/stamp-clock.js';
import { ClockEpochs } from '../clock/clock-epochs.js';
import { ChainStore } from './chain-store.js';
import { DEVICE_MIGRATIONS } from './migrations.js';
import { openDeviceDatabase, runMigrations } from './database.js';
import { verifyDeviceStore } from './verify-store.js';

describe('device store migrations', () => {
  it('upgrades a store from before clock epochs and pruning', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'hcp-migrate-')), 'device.db');
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const old = new Database(file);
    runMigrations(old, DEVICE_MIGRATIONS.slice(0, 1));
    const oldStore = new ChainStore(old, 'dev-old', privateKey);
    for (let i = 0; i < 3; i++) {
      oldStore.append({
        kind: 'rating',
        id: uuidv7(),
        at: new Date().toISOString(),
        level: 5,
        channel: 'device-touch',
        catalogueVersion: '2020.1',
        windowId: 'w-1',
        invitation: { id: uuidv7(), source: 'staff', invitedAt: new Date().toISOString() },
        facts: { msFromInvitation: 1000, staffLoggedIn: true, unarmedPressesBefore: 0, ratingsInLastMinute: 0, flags: [] },
      });
    }
    old.close();

    const db = openDeviceDatabase(file);
    expect(db.prepare('SELECT epoch, first_seq AS firstSeq, offset_ms AS offsetMs FROM clock_epochs').all()).toEqual([{ epoch: 0, firstSeq: 1, offsetMs: null }]);
    expect(db.prepare('SELECT pruned_through_seq AS p, head_seq AS h FROM chain_bounds').get()).toEqual({ p: 0, h: 3 });
    const epochs = ClockEpochs.begin(db, new AnchoredClock(), 4);
    expect(epochs.runsFor(2, 5)).toEqual([
      { fromSeq: 2, current: false, offsetMs: null },
      { fromSeq: 4, current: true, offsetMs: null },
    ]);
    expect(verifyDeviceStore(db, publicKey).problems).toEqual([]);
    db.close();
  });
});
