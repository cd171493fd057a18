/**
 * Test fixtures for the uplink: a real gateway store (SQLite file, the core, cases and uplink
 * migrations), devices that make real hash-chained, Ed25519-signed records, and the way those
 * records become the hall's ratings ledger — stored in `records` as ingest stores them (device
 * clocks corrected by ingest's own function), then assessed by the real Assessor.
 */
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import pino from 'pino';
import { v7 as uuidv7 } from 'uuid';
import { GENESIS_HASH, type ChainRecord, type DetailRecord, type RatingRecord } from '@hcp/contract';
import { hashRecord, keyFingerprint, signHash } from '@hcp/contract/chain';
import { CASES_MIGRATIONS } from '../../../gateway/cases/cases-schema.js';
import type { Clock } from '../../../gateway/feature.js';
import { FOLLOWUP_MIGRATIONS } from '../../../gateway/followup/followup-schema.js';
import { correctTime } from '../../../gateway/ingest/clock-correction.js';
import { giveDefault } from '../../../gateway/ratings/case-defaults.js';
import { openSqliteStore, type GatewayStore } from '../../../gateway/store/database.js';
import { CORE_MIGRATIONS } from '../../../gateway/store/core-schema.js';
import { migrateStore } from '../../../gateway/store/migrations.js';
import { openPostgresStore } from '../../../gateway/store/postgres-store.js';
import { UPLINK_MIGRATIONS } from '../../../gateway/uplink/uplink-schema.js';
import { testDatabaseUrl, testStoreIsPostgres } from '../../support/pg-cluster.js';

export const silent = pino({ level: 'silent' });

/** A store at `file`; with HCP_TEST_STORE=postgres, a PostgreSQL database named after that path instead. */
export async function openTestStore(file: string): Promise<GatewayStore> {
  const store = testStoreIsPostgres() ? await openPostgresStore({ connectionString: await testDatabaseUrl(file) }) : openSqliteStore({ file });
  // The follow-up tables are the core's (gateway/migrations.ts): the uplink reads them for rectification records.
  await migrateStore(store, [...CORE_MIGRATIONS, ...FOLLOWUP_MIGRATIONS, ...CASES_MIGRATIONS, ...UPLINK_MIGRATIONS]);
  return store;
}

/** The gateway's clock, moved by the test. */
export class TestClock implements Clock {
  constructor(public t: number = Date.now()) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

export interface RatingOptions {
  caseNo?: string;
  itemCode?: string;
  itemName?: string;
  channel?: RatingRecord['channel'];
  id?: string;
}

export class FakeDevice {
  private seq = 0;
  private prev = GENESIS_HASH;
  private readonly key: KeyObject = generateKeyPairSync('ed25519').privateKey;

  constructor(
    readonly deviceId: string,
    readonly windowId: string,
    readonly staffId = 'staff-07',
  ) {}

  /** Its public key as enrolment stores it (SPKI PEM). */
  get publicKeyPem(): string {
    return createPublicKey(this.key).export({ type: 'spki', format: 'pem' }).toString();
  }

  rating(at: Date, level: 1 | 2 | 3 | 4 | 5, o: RatingOptions = {}): RatingRecord {
    const inv = { ...(o.caseNo ? { caseNo: o.caseNo } : {}), ...(o.itemCode ? { itemCode: o.itemCode } : {}), ...(o.itemName ? { itemName: o.itemName } : {}) };
    return this.seal<RatingRecord>({
      kind: 'rating',
      id: o.id ?? uuidv7(),
      hash: '',
      sig: '',
      deviceId: this.deviceId,
      seq: ++this.seq,
      prevHash: this.prev,
      at: at.toISOString(),
      level,
      channel: o.channel ?? 'device-touch',
      catalogueVersion: '2020.1',
      windowId: this.windowId,
      staffId: this.staffId,
      invitation: { id: uuidv7(), source: o.caseNo ? 'case' : 'staff', ...inv, invitedAt: new Date(at.getTime() - 30_000).toISOString() },
      facts: { msFromInvitation: 30_000, staffLoggedIn: true, unarmedPressesBefore: 0, ratingsInLastMinute: 0, flags: [] },
    });
  }

  /** Reasons and comment after a 差评, with a sealed call-back contact (which must never reach the province). */
  detail(rating: RatingRecord, at: Date, reasons: number[], comment?: string, id = uuidv7()): DetailRecord {
    return this.seal<DetailRecord>({
      kind: 'detail',
      id,
      hash: '',
      sig: '',
      deviceId: this.deviceId,
      seq: ++this.seq,
      prevHash: this.prev,
      at: at.toISOString(),
      ratingId: rating.id,
      reasons,
      ...(comment ? { comment } : {}),
      contact: { alg: 'x25519-aes256gcm', keyId: 'hall-1', epk: 'ZXBr', iv: 'aXY=', ct: 'MTM5MDAwMDAwMDA=', tag: 'dGFn' },
    });
  }

  private seal<T extends ChainRecord>(r: T): T {
    const { hash: _h, sig: _s, ...unsigned } = r;
    const hash = hashRecord(unsigned as never);
    this.prev = hash;
    return { ...r, hash, sig: signHash(hash, this.key) };
  }
}

export interface StoreOptions {
  /** When the gateway stored them (gateway time). Default now. */
  storedAt?: Date;
  /** How far the device's clock was ahead of the gateway's when it sent them (ingest corrects by it). */
  deviceAheadMs?: number;
}

/** Store records as ingest does: the signed record as is, its time corrected beside it. */
export async function storeRecords(store: GatewayStore, records: ChainRecord[], o: StoreOptions = {}): Promise<void> {
  const receivedAt = (o.storedAt ?? new Date()).getTime();
  const batchClock = { sentAt: receivedAt + (o.deviceAheadMs ?? 0), receivedAt, clocks: [] };
  const rows = records.map((r) => {
    const t = correctTime(r, batchClock);
    return {
      id: r.id,
      device_id: r.deviceId,
      epoch: 1,
      seq: r.seq,
      kind: r.kind,
      hash: r.hash,
      at: r.at,
      at_corrected: t.atCorrected,
      clock_offset_ms: t.offsetMs,
      clock_flag: t.flag,
      window_id: r.kind === 'rating' ? r.windowId : null,
      level: r.kind === 'rating' ? r.level : null,
      body: JSON.stringify(r),
      stored_at: new Date(receivedAt).toISOString(),
    };
  });
  await store.write(async (trx) => {
    for (let i = 0; i < rows.length; i += 500)
      await trx
        .insertInto('records')
        .values(rows.slice(i, i + 500))
        .execute();
  });
}

/** `d` enrolled in epoch 1 for its window (which must exist), the rows enrolment leaves: ingest then takes its batches. */
export async function enrolFakeDevice(store: GatewayStore, d: FakeDevice, at = new Date().toISOString()): Promise<void> {
  const pem = d.publicKeyPem;
  await store.db.insertInto('devices').values({ device_id: d.deviceId, window_id: d.windowId, current_epoch: 1, created_at: at, enrolled_at: at }).execute();
  await store.db
    .insertInto('device_epochs')
    .values({ device_id: d.deviceId, epoch: 1, public_key_pem: pem, key_fingerprint: keyFingerprint(pem), enrolled_at: at })
    .execute();
}

export async function addWindow(store: GatewayStore, windowId: string, number: string, department = '市场监管局'): Promise<void> {
  await store.db.insertInto('windows').values({ window_id: windowId, number, department, created_at: new Date().toISOString() }).execute();
}

export interface CaseOptions {
  caseNo: string;
  windowId: string;
  windowNumber: string;
  /** Last China date on which a rating counts as in time (R7). */
  deadlineDate: string;
  itemCode?: string;
  itemName?: string;
  deviceId?: string;
  createdAt?: string;
}

export async function addCase(store: GatewayStore, c: CaseOptions): Promise<void> {
  await store.db
    .insertInto('cases')
    .values({
      case_no: c.caseNo,
      business_system: 'biz-1',
      window_id: c.windowId,
      window_number: c.windowNumber,
      device_id: c.deviceId ?? null,
      item_code: c.itemCode ?? null,
      item_name: c.itemName ?? null,
      staff_id: null,
      state: 'open',
      created_at: c.createdAt ?? new Date().toISOString(),
      deadline_date: c.deadlineDate,
      first_assess_id: null,
      rated_at: null,
      defaulted_at: null,
      withdrawn_at: null,
      withdraw_reason: null,
      contact_enc: null,
    })
    .execute();
}

/** R7 for one case, as the default scheduler gives it. */
export async function giveCaseDefault(store: GatewayStore, caseNo: string, now: Date): Promise<boolean> {
  return store.write(async (trx) => giveDefault(trx, await trx.selectFrom('cases').selectAll().where('case_no', '=', caseNo).executeTakeFirstOrThrow(), now.toISOString()));
}

export async function until(cond: () => boolean | Promise<boolean>, ms = 20_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
