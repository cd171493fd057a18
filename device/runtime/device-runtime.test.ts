/**
 * The state machine in-process over a real SQLite file: timeouts, pause, replacement of staff,
 * restart with an open invitation, integrity flags (R11), and 一次一评 across a restart.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { RatingRecord } from '../contract/index.js';
import { ChainStore } from '../store/chain-store.js';
import { openDeviceDatabase, type Db } from '../store/database.js';
import { EventLog } from '../store/event-log.js';
import { KvState } from '../store/kv-state.js';
import { DeviceRuntime } from './device-runtime.js';
import { configFromBootstrap } from './window-config.js';

const key = generateKeyPairSync('ed25519').privateKey;
const roster = [
  { staffId: 's-1', staffNo: 'A1', name: '王芳', post: '综合受理', title: '科员', badgeUids: ['1111111111'] },
  { staffId: 's-2', staffNo: 'A2', name: '赵磊', post: '综合受理', title: '科长', badgeUids: ['2222222222'] },
];
const opened: Array<{ db: Db; rt: DeviceRuntime }> = [];

function make(dir: string, opts: { invitationTimeoutSec?: number; detailsTimeoutSec?: number; thanksTimeoutSec?: number; now?: () => number } = {}) {
  const db = openDeviceDatabase(join(dir, 'device.db'));
  const store = new ChainStore(db, 'dev-unit', key);
  const rt = new DeviceRuntime({
    deviceId: 'dev-unit',
    store,
    kv: new KvState(db),
    events: new EventLog(db),
    logger: pino({ level: 'silent' }),
    initialConfig: configFromBootstrap(
      'dev-unit',
      { hallName: 'H', window: { id: 'w1', number: '1', department: 'D' }, roster, catalogueVersion: '2020.1' },
      opts.invitationTimeoutSec ?? 120,
    ),
    detailsTimeoutSec: opts.detailsTimeoutSec ?? 60,
    thanksTimeoutSec: opts.thanksTimeoutSec ?? 4,
    ...(opts.now ? { now: opts.now } : {}),
  });
  opened.push({ db, rt });
  return { db, store, rt };
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

afterEach(async () => {
  for (const { db, rt } of opened.splice(0)) {
    await rt.stop();
    db.close();
  }
});

describe('device runtime state machine', () => {
  it('walks paused → idle → armed → details → thanks → idle, with timeouts', async () => {
    const { rt } = make(mkdtempSync(join(tmpdir(), 'hcp-rt-')), { detailsTimeoutSec: 0.2, thanksTimeoutSec: 0.2 });
    const screens: string[] = [];
    rt.events.on('view', (v) => screens.push(v.screen));
    expect(rt.view().screen).toBe('paused');
    await rt.submit({ kind: 'badge', uid: '1111111111', source: 'test' });
    await rt.submit({ kind: 'please-rate', source: 'test' });
    const r = await rt.submit({ kind: 'press', level: 1, source: 'test' });
    expect(r.accepted).toBe(true);
    expect(rt.view().screen).toBe('details');
    await sleep(500);
    expect(rt.view().screen).toBe('idle');
    expect(screens).toEqual(['idle', 'armed', 'details', 'thanks', 'idle']);
  });

  it('expires an invitation and then refuses the press', async () => {
    const { rt, store } = make(mkdtempSync(join(tmpdir(), 'hcp-rt-')), { invitationTimeoutSec: 0.15 as number });
    await rt.submit({ kind: 'badge', uid: '1111111111', source: 'test' });
    await rt.submit({ kind: 'please-rate', source: 'test' });
    await sleep(300);
    expect(rt.view().screen).toBe('idle');
    expect(await rt.submit({ kind: 'press', level: 5, source: 'test' })).toMatchObject({ accepted: false, code: 'not-armed' });
    expect(store.headSeq()).toBe(0);
  });

  it('pause closes the invitation; another badge replaces the staff', async () => {
    const { rt } = make(mkdtempSync(join(tmpdir(), 'hcp-rt-')));
    await rt.submit({ kind: 'badge', uid: '1111111111', source: 'test' });
    await rt.submit({ kind: 'please-rate', source: 'test' });
    await rt.submit({ kind: 'pause', source: 'test' });
    expect(rt.view()).toMatchObject({ screen: 'paused', invitation: null });
    expect(await rt.submit({ kind: 'please-rate', source: 'test' })).toMatchObject({ accepted: false, code: 'paused' });
    await rt.submit({ kind: 'resume', source: 'test' });
    await rt.submit({ kind: 'badge', uid: '2222222222', source: 'test' });
    expect(rt.view().staff?.name).toBe('赵磊');
  });

  it('keeps the staff and an open invitation across a restart, and one invitation still takes one rating', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hcp-rt-'));
    const first = make(dir);
    await first.rt.submit({ kind: 'badge', uid: '1111111111', source: 'test' });
    await first.rt.openCaseInvitation({
      inviteId: '01a20ff9-cce1-735c-8b5f-2907db9305fd',
      caseNo: 'LF-2026-000123',
      itemCode: '11131000MB1',
      itemName: '营业执照变更登记',
      issuedAt: new Date().toISOString(),
    });
    await first.rt.stop();
    first.db.close();
    opened.splice(0);

    const second = make(dir);
    expect(second.rt.view()).toMatchObject({ screen: 'armed', invitation: { caseNo: 'LF-2026-000123', itemName: '营业执照变更登记' } });
    expect((await second.rt.submit({ kind: 'press', level: 4, source: 'panel' })).accepted).toBe(true);
    const again = await second.rt.openCaseInvitation({ inviteId: '01a20ff9-cce1-735c-8b5f-2907db9305fd', caseNo: 'LF-2026-000123', issuedAt: new Date().toISOString() });
    expect(again).toMatchObject({ accepted: false, code: 'invitation-used' });
    const rating = second.store.nextBatch(10)[0] as RatingRecord;
    expect(rating).toMatchObject({ level: 4, channel: 'device-button', invitation: { source: 'case', caseNo: 'LF-2026-000123', itemCode: '11131000MB1' } });
  });

  it('a restart whose clock went back years keeps an open invitation one timeout at most', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hcp-rt-'));
    const ahead = 1_900_000_000_000;
    const first = make(dir, { now: () => ahead });
    await first.rt.submit({ kind: 'badge', uid: '1111111111', source: 'test' });
    await first.rt.submit({ kind: 'please-rate', source: 'test' });
    await first.rt.stop();
    first.db.close();
    opened.splice(0);

    const atBoot = 1000; // the next run booted at 1970 (a dead RTC battery)
    const second = make(dir, { now: () => atBoot, invitationTimeoutSec: 120 });
    expect(second.rt.view().screen).toBe('armed');
    expect(Date.parse(second.rt.view().invitation!.expiresAt)).toBe(atBoot + 120_000);
  });

  it('withdraws an open case invitation, and says why when it is not open', async () => {
    const { rt } = make(mkdtempSync(join(tmpdir(), 'hcp-rt-')));
    await rt.submit({ kind: 'badge', uid: '1111111111', source: 'test' });
    const inviteId = '01a20ff9-cce1-735c-8b5f-2907db930600';
    const disarmed: string[] = [];
    rt.events.on('disarmed', (e) => disarmed.push(e.reason));
    expect(await rt.openCaseInvitation({ inviteId, caseNo: 'C-1', issuedAt: new Date().toISOString(), validForSec: 30 })).toEqual({ accepted: true });
    expect(Date.parse(rt.view().invitation!.expiresAt) - Date.now()).toBeLessThanOrEqual(30_000);
    expect(rt.withdrawInvitation(inviteId, 'case withdrawn')).toEqual({ accepted: true });
    expect(rt.view()).toMatchObject({ screen: 'idle', invitation: null });
    expect(disarmed).toEqual(['withdrawn']);
    expect(rt.withdrawInvitation(inviteId, 'again')).toMatchObject({ accepted: false, code: 'not-open' });
  });

  it('a case rated on a phone first: the device takes it off screen, tells the citizen for a moment, and takes no press for it', async () => {
    const { rt, store } = make(mkdtempSync(join(tmpdir(), 'hcp-rt-')), { thanksTimeoutSec: 0.3 });
    await rt.submit({ kind: 'badge', uid: '1111111111', source: 'test' });
    const inviteId = '01a20ff9-cce1-735c-8b5f-2907db930601';
    await rt.openCaseInvitation({ inviteId, caseNo: 'C-2', issuedAt: new Date().toISOString(), validForSec: 30 });
    expect(rt.withdrawInvitation(inviteId, 'rated-on-phone')).toEqual({ accepted: true });
    expect(rt.view()).toMatchObject({ screen: 'idle', invitation: null, notice: 'rated-on-phone' });
    expect(await rt.submit({ kind: 'press', level: 5, source: 'touch' })).toMatchObject({ accepted: false });
    expect(store.nextBatch(10).filter((r) => r.kind === 'rating')).toHaveLength(0);
    await sleep(450);
    expect(rt.view()).not.toHaveProperty('notice');
    // Any other withdrawal (the business system's) takes the case away without that notice.
    await rt.openCaseInvitation({ inviteId: '01a20ff9-cce1-735c-8b5f-2907db930602', caseNo: 'C-3', issuedAt: new Date().toISOString(), validForSec: 30 });
    rt.withdrawInvitation('01a20ff9-cce1-735c-8b5f-2907db930602', 'case withdrawn');
    expect(rt.view()).not.toHaveProperty('notice');
  });

  it('flags fast presses, bursts and presses while not armed, and still stores the rating', async () => {
    let now = 1_800_000_000_000;
    const { rt, store } = make(mkdtempSync(join(tmpdir(), 'hcp-rt-')), { now: () => now });
    await rt.submit({ kind: 'badge', uid: '1111111111', source: 'test' });
    for (let i = 0; i < 3; i++) await rt.submit({ kind: 'press', level: 5, source: 'panel' });
    for (let i = 0; i < 4; i++) {
      await rt.submit({ kind: 'please-rate', source: 'test' });
      now += i === 0 ? 3000 : 200;
      await rt.submit({ kind: 'press', level: 5, source: 'panel' });
      now += 1000;
    }
    const facts = (store.nextBatch(10) as RatingRecord[]).map((r) => r.facts);
    expect(facts[0]).toMatchObject({ unarmedPressesBefore: 3, flags: ['unarmed-presses'] });
    expect(facts[1]!.flags).toContain('fast-press');
    expect(facts[3]!.flags).toEqual(expect.arrayContaining(['fast-press', 'burst']));
    expect(facts[3]!.ratingsInLastMinute).toBe(3);
  });

  it('outbox: batches in order, acknowledges monotonically, keeps rejections visible', async () => {
    const { rt, store } = make(mkdtempSync(join(tmpdir(), 'hcp-rt-')));
    await rt.submit({ kind: 'badge', uid: '1111111111', source: 'test' });
    for (let i = 0; i < 5; i++) {
      await rt.submit({ kind: 'please-rate', source: 'test' });
      await rt.submit({ kind: 'press', level: 5, source: 'test' });
    }
    expect(store.nextBatch(3).map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(store.nextBatch(3, 3).map((r) => r.seq)).toEqual([4, 5]);
    store.markAcknowledged(3, new Date());
    store.markAcknowledged(2, new Date());
    expect(store.backlog()).toBe(2);
    store.markRejected([{ seq: 4, code: 'catalogue', reason: 'unknown catalogue version' }]);
    expect(store.nextBatch(10).map((r) => r.seq)).toEqual([5]);
    expect(store.backlog()).toBe(1);
    expect(store.rejected()).toMatchObject([{ seq: 4, code: 'catalogue', reason: 'unknown catalogue version' }]);
  });

  it("logout ends the previous citizen's screen; typing keeps the details screen open; revisions increase", async () => {
    const { rt } = make(mkdtempSync(join(tmpdir(), 'hcp-rt-')), { detailsTimeoutSec: 0.3 });
    await rt.submit({ kind: 'badge', uid: '1111111111', source: 'test' });
    const r0 = rt.view().revision;
    await rt.submit({ kind: 'please-rate', source: 'test' });
    const rated = await rt.submit({ kind: 'press', level: 2, source: 'test' });
    expect(rt.view().revision).toBeGreaterThan(r0);
    expect(rt.view().callbackAvailable).toBe(false);
    await sleep(200);
    expect(rt.detailsActivity(rated.accepted ? rated.ratingId! : '')).toEqual({ accepted: true });
    await sleep(200);
    expect(rt.view().screen).toBe('details');
    await rt.submit({ kind: 'badge', uid: '1111111111', source: 'test' });
    expect(rt.view()).toMatchObject({ screen: 'paused', lastRating: null, staff: null });
  });
});
