/**
 * Badge capture in the runtime (issue 11): while hall IT captures a badge, the next tap is
 * reported (a 'badge-captured' event and an event-log row) and logs nobody in or out; the capture
 * ends after one tap or after forSec, and a newer capture replaces an older one.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { v7 as uuidv7 } from 'uuid';
import { afterEach, describe, expect, it } from 'vitest';
import { ChainStore } from '../store/chain-store.js';
import { openDeviceDatabase, type Db } from '../store/database.js';
import { EventLog } from '../store/event-log.js';
import { KvState } from '../store/kv-state.js';
import { DeviceRuntime } from './device-runtime.js';
import { configFromBootstrap } from './window-config.js';

const roster = [{ staffId: 's-1', staffNo: 'A1', name: '王芳', post: '综合受理', title: '科员', badgeUids: ['1111111111'] }];
const opened: Array<{ db: Db; rt: DeviceRuntime }> = [];

function make() {
  const db = openDeviceDatabase(join(mkdtempSync(join(tmpdir(), 'hcp-cap-')), 'device.db'));
  const events = new EventLog(db);
  const rt = new DeviceRuntime({
    deviceId: 'dev-unit',
    store: new ChainStore(db, 'dev-unit', generateKeyPairSync('ed25519').privateKey),
    kv: new KvState(db),
    events,
    logger: pino({ level: 'silent' }),
    initialConfig: configFromBootstrap('dev-unit', { hallName: 'H', window: { id: 'w1', number: '1', department: 'D' }, roster, catalogueVersion: '2020.1' }, 120),
    detailsTimeoutSec: 60,
    thanksTimeoutSec: 4,
  });
  opened.push({ db, rt });
  const captured: Array<{ captureId: string; uid: string }> = [];
  rt.events.on('badge-captured', (c) => captured.push(c));
  return { rt, events, captured };
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tap = (rt: DeviceRuntime, uid: string) => rt.submit({ kind: 'badge', uid, source: 'test' });

afterEach(async () => {
  for (const { db, rt } of opened.splice(0)) {
    await rt.stop();
    db.close();
  }
});

describe('badge capture', () => {
  it('takes the next tap for hall IT, logging nobody in or out, then taps are logins again', async () => {
    const { rt, events, captured } = make();
    const id = uuidv7();
    expect(rt.captureBadge(id, 60)).toEqual({ accepted: true });
    // A roster badge, in lower case as a reader may give it: captured, not a login.
    expect(await tap(rt, '1111111111'.toLowerCase())).toEqual({ accepted: true });
    expect(captured).toEqual([{ captureId: id, uid: '1111111111' }]);
    expect(rt.view().staff).toBeNull();
    expect(events.count('badge-captured')).toBe(1);
    expect(events.count('staff-login')).toBe(0);
    // One tap only: the next one logs in, and an unknown badge is unknown again.
    await tap(rt, '1111111111');
    expect(rt.view().staff?.staffId).toBe('s-1');
    expect(await tap(rt, 'ABCDEF0123')).toMatchObject({ accepted: false, code: 'unknown-badge' });
    expect(captured).toHaveLength(1);
  });

  it('does not log out the staff member whose badge is captured', async () => {
    const { rt, captured } = make();
    await tap(rt, '1111111111');
    rt.captureBadge(uuidv7(), 60);
    await tap(rt, '1111111111');
    expect(rt.view().staff?.staffId).toBe('s-1');
    expect(captured).toHaveLength(1);
  });

  it('ends after forSec; a newer capture replaces an older one', async () => {
    const { rt, captured } = make();
    rt.captureBadge(uuidv7(), 0.2);
    await sleep(350);
    await tap(rt, '1111111111');
    expect(captured).toEqual([]);
    expect(rt.view().staff?.staffId).toBe('s-1');

    const older = uuidv7();
    const newer = uuidv7();
    rt.captureBadge(older, 0.2);
    rt.captureBadge(newer, 60);
    // The older capture's timer must not end the newer one.
    await sleep(350);
    await tap(rt, 'ABCDEF0123');
    expect(captured).toEqual([{ captureId: newer, uid: 'ABCDEF0123' }]);
  });
});
