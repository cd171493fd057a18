/**
 * The ingest core: devices' batches in, application-level acks out — broker-agnostic (the embedded
 * aedes and a worker on a site's broker both call `submit`).
 *
 * Each batch's checks that need no database (batch-check.ts) start as it comes, on a worker thread
 * when the gateway gives the queue a pool (batch-check-pool.ts), while this thread commits the
 * batches checked before it; the queue takes whatever has gathered — batches of many devices — and
 * commits them in ONE transaction (one fsync for all: group commit); only after that commit are
 * the acks made: an ack never claims what was not stored (issue 10, hole 1). `submit` resolves once its batch is decided: a broker waits for it before it
 * takes that device's next packet only while `queuedBytes` is high (back-pressure when overloaded,
 * pipelining otherwise). Per batch, in the commit: the device's enrolment (epoch) in force, the
 * chain against that epoch's stored head (a resend of a stored record is a no-op; a different
 * record at a stored seq is a fork; a missing seq is a gap, recorded and reported), ids not already
 * stored for another record, and the Ed25519 signature of the batch's new head with the epoch's key
 * (each hash covers the one before, so the head's signature vouches for the batch).
 *
 * `committedThroughSeq` in the ack speaks of the device's chain in the epoch the batch was shown to
 * belong to; for a batch that could not be tied to the current epoch (another key, a bad
 * signature) it is 0, which a device's monotonic ack mark ignores — never another chain's head.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { CompiledQuery, type Insertable } from 'kysely';
import { CopyData } from '../store/copy-text.js';
import { runText } from '../store/statement-texts.js';
import type { Logger } from 'pino';
import type { BatchAck } from '@hcp/contract';
import { verifyHashSignature } from '@hcp/contract/chain';
import type { Clock } from '../feature.js';
import type { GatewayStore, Tx } from '../store/database.js';
import { RepeatedFailure } from '../log/repeated-failure.js';
import { lockLogForAppend } from '../store/log-order.js';
import { storeWideFailure } from '../store/store-wide-failure.js';
import type { GatewayTables } from '../store/tables.js';
import { COPY_FROM_ROWS, insertRows, RECORD_COLUMNS, RECORDS_COPY, type RecordRun, recordsCopyData, recordsInsertText, runsValues, windowOf } from './records-insert.js';
import { type EpochHead, headStatements, loadHeads, type MovedHead, saveHeads, storedIdsAmong } from './chain-heads.js';
import type { CheckedBatch, CheckedRecord, CheckResult, Rejection } from './batch-check.js';
import { type BatchChecker, inlineChecker } from './batch-check-pool.js';
import { GroupPhases } from './group-phases.js';

export interface IngestHooks {
  /** Publish an ack to the device (after the commit). */
  ack(deviceId: string, ack: BatchAck): void;
  /** A payload refused outright (not JSON, not this device's, not enrolled): no ack. */
  refused(deviceId: string, why: string): void;
  /** Records were committed. */
  stored(deviceIds: string[], count: number): void;
}

interface Queued {
  deviceId: string;
  payload: Buffer;
  /** The payload's size, kept: a payload handed to a checking thread is gone from this one (batch-check-pool.ts). */
  bytes: number;
  receivedAt: number;
  /** The checks that need no database (batch-check-pool.ts): started ahead of the batch's group, null until then. */
  checked: Promise<CheckResult> | null;
  /** Its checks are done: a device's batch after its first in a group joins only then (drain). */
  ready: boolean;
  done: () => void;
}

/** What a group writes at its end: its rows of the followed logs (gateway/store/log-order.ts) and the chain heads it moved. */
interface GroupAppends {
  /** The new records, batch by batch. */
  runs: RecordRun[];
  /** How many records `runs` hold. */
  rows: number;
  gaps: Insertable<GatewayTables['chain_gaps']>[];
  /**
   * The record ids among `runs`, kept only when the group runs with its ids looked up: a later
   * batch of the group may not store one again. On a group's first run the insert's unique index
   * finds an id repeated within the group as it finds a stored one (IdAlreadyStored), and a set of
   * every id of a 500-device burst cost the ingest thread its time and memory for nothing.
   */
  ids: Set<string>;
  /** The chain heads the group moved, by device. */
  moved: Map<string, MovedHead>;
}

interface Outcome {
  deviceId: string;
  ack: BatchAck | null;
  refused?: string;
  stored: number;
  /** What to log once the group is committed (not before: a group may run twice, see IdAlreadyStored). */
  logs?: Array<{ level: 'warn' | 'error'; fields: object; msg: string }>;
}

/**
 * A record's id was already stored (its insert found it). Ingest does not look every new id up
 * before it inserts: the insert's own unique index finds the rare replay or forgery, and the group
 * then runs again with every id looked up, so that the batch stops just before it (`duplicate-id`)
 * and the group's other batches commit. On SQLite a lookup per record cost as much as a fifth of
 * the insert itself; on PostgreSQL the group's lookup was a statement of its own, a round trip and
 * an IN list of up to 500 ids for the server to parse, plan and probe the index with, before the
 * insert probed the same index again (issue 14: BASE=<commit> STORE=pg code-ab.ts).
 */
class IdAlreadyStored extends Error {}

/** PostgreSQL's name for records' UNIQUE (id) (core-schema.ts). */
const RECORDS_ID_KEY = 'records_id_key';

/** The COPY data kept between groups (CopyData.reset): a device's 500-record batch needs about half of it. */
const COPY_DATA_BYTES = 1024 * 1024;

/** Batches one device may have waiting: as many as a device may keep in flight (device/sync, maxInFlight), and its resends of them. */
const MAX_QUEUED_PER_DEVICE = 32;

/** At most one line this often while the store takes no writes (IngestQueue.storeWide). */
export const STORE_WIDE_LOG_MS = 10_000;

/** A group's raw size: bounds the memory of one commit's parsed batches. */
const MAX_GROUP_BYTES = 4 * 1024 * 1024;
/**
 * Raw bytes of waiting batches whose checks may run ahead of their group: two groups' worth keeps
 * the checking thread busy while one commits, and bounds what waits parsed (several times its bytes).
 */
const CHECK_AHEAD_BYTES = 2 * MAX_GROUP_BYTES;

export class IngestQueue {
  private queue: Queued[] = [];
  /** Bytes of the batches waiting (not yet taken into a group). */
  queuedBytes = 0;
  /** Bytes of waiting batches whose checks have started. */
  private checkingBytes = 0;
  /** Waiting batches not yet being checked, in arrival order (one taken into a group meanwhile is skipped). */
  private unchecked: Queued[] = [];
  private readonly perDevice = new Map<string, number>();
  private draining: Promise<void> | null = null;
  private readonly keys = new Map<string, KeyObject>();
  /** SQLite: the hot statements prepared once (store.sqlite); PostgreSQL's records insert is in records-insert.ts. */
  private readonly fast;
  /** PostgreSQL: keep a hot statement's text prepared (GatewayStore.keepPrepared). */
  private readonly keepPrepared: ((text: string) => void) | undefined;
  /**
   * PostgreSQL: the bytes each group's COPY data is written into, used again group after group.
   * Made anew for each group, a backlog's half-megabyte of data came in fresh pages each time, and
   * the main thread paid a page fault for each as it wrote them: half its faults in a backlog
   * (docs/POSTGRES.md, "The COPY data's bytes, used again").
   */
  private copyData: CopyData | null = null;
  /**
   * While the store takes no write, devices resend every few seconds and every group fails: one
   * line at once, then one every STORE_WIDE_LOG_MS, `failed` counting the batches left
   * unacknowledged; one more when a group commits again.
   */
  private readonly storeWide: RepeatedFailure;
  /** Where the groups' time went, phase by phase (`/metrics`). */
  readonly phases = new GroupPhases();

  constructor(
    private readonly store: GatewayStore,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly hooks: IngestHooks,
    /** Where batches are checked before their commit: in place unless the gateway gives it a pool of worker threads. */
    private readonly checker: BatchChecker = inlineChecker,
  ) {
    this.storeWide = new RepeatedFailure(logger, {
      msg: 'the store took no writes: batches not acknowledged; their devices will resend them',
      recovered: 'the store takes writes again: batches are acknowledged',
      everyMs: STORE_WIDE_LOG_MS,
      level: 'error',
      now: () => performance.now(),
    });
    const raw = store.sqlite;
    this.keepPrepared = store.keepPrepared?.bind(store);
    const sqliteInsert = `INSERT INTO records (${RECORD_COLUMNS.join(', ')}) VALUES (${RECORD_COLUMNS.map(() => '?').join(', ')})`;
    this.fast = raw
      ? {
          insert: raw.prepare(sqliteInsert),
          // An id already stored inserts nothing (changes = 0): IdAlreadyStored.
          insertNew: raw.prepare(`${sqliteInsert} ON CONFLICT (id) DO NOTHING`),
          idTaken: raw.prepare('SELECT 1 FROM records WHERE id = ?').pluck(),
          heads: headStatements(raw),
        }
      : null;
  }

  /**
   * A group's commit failed. When the store itself takes no write (read-only, unreachable, its disk
   * full: store-wide-failure.ts), no batch would commit on its own either: each goes unacknowledged
   * and its device resends it, with one log line for the lot. Otherwise one bad batch must not hold
   * the others, and they are committed one by one.
   */
  private async afterGroupFailed(group: CheckedBatch[], err: unknown, commit: (batches: CheckedBatch[], lookUpIds: boolean) => Promise<Outcome[]>): Promise<Outcome[]> {
    const unacknowledged = (b: CheckedBatch): Outcome => ({ deviceId: b.deviceId, ack: null, stored: 0 });
    const storeWide = storeWideFailure(err);
    if (storeWide) {
      this.storeWide.fail({ err, why: storeWide }, group.length);
      return group.map(unacknowledged);
    }
    this.logger.error({ err, batches: group.length }, 'group commit failed; committing batch by batch');
    const outcomes: Outcome[] = [];
    for (const b of group) {
      try {
        outcomes.push(...(await commit([b], true)));
      } catch (e) {
        const why = storeWideFailure(e);
        if (why) this.storeWide.fail({ err: e, why });
        else this.logger.error({ err: e, deviceId: b.deviceId }, 'batch not committed; the device will resend it');
        outcomes.push(unacknowledged(b));
      }
    }
    return outcomes;
  }

  /** Take a batch from a device's `records` topic; resolves when it is decided. Never rejects. */
  submit(deviceId: string, payload: Buffer): Promise<void> {
    const waiting = this.perDevice.get(deviceId) ?? 0;
    if (waiting >= MAX_QUEUED_PER_DEVICE) {
      this.hooks.refused(deviceId, `more than ${MAX_QUEUED_PER_DEVICE} batches waiting: dropped unacknowledged (the device resends)`);
      return Promise.resolve();
    }
    this.perDevice.set(deviceId, waiting + 1);
    const decided = new Promise<void>((done) => {
      const q: Queued = { deviceId, payload, bytes: payload.length, receivedAt: this.clock.now(), checked: null, ready: false, done };
      this.queue.push(q);
      this.unchecked.push(q);
    });
    this.queuedBytes += payload.length;
    this.checkAhead();
    this.startDrain();
    return decided;
  }

  private check(q: Queued): Promise<CheckResult> {
    return this.checker.check(q.deviceId, q.payload, q.receivedAt);
  }

  /** Start the checks of waiting batches, in arrival order, up to CHECK_AHEAD_BYTES. */
  private checkAhead(): void {
    while (this.unchecked.length > 0) {
      const q = this.unchecked[0]!;
      if (!q.checked) {
        if (this.checkingBytes > 0 && this.checkingBytes + q.bytes > CHECK_AHEAD_BYTES) return;
        q.checked = this.check(q);
        void q.checked.then(() => {
          q.ready = true;
        });
        this.checkingBytes += q.bytes;
      }
      this.unchecked.shift();
    }
  }

  private startDrain(): void {
    this.draining ??= this.drain().finally(() => {
      this.draining = null;
      // A caller that awaited its batch may submit the next one before this drain has let go (it
      // then saw a drain running and started none): take what came in meanwhile.
      if (this.queue.length > 0) this.startDrain();
    });
  }

  /**
   * Whether devices are sending: batches waiting or being committed, or a group committed in the
   * last `quietMs`. Downstream work (the assessor) lets a burst go first.
   */
  busy(quietMs = 150): boolean {
    return this.queue.length > 0 || this.draining !== null || performance.now() - this.lastCommitAt < quietMs;
  }
  private lastCommitAt = -Infinity;

  /** Resolves when everything submitted so far is committed (or refused). */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private async drain(): Promise<void> {
    // Let the batches that arrive in this turn of the event loop join the group.
    await new Promise((r) => setImmediate(r));
    while (this.queue.length > 0) {
      this.phases.start();
      // A device's first waiting batch joins the group; the ones after it join only if their checks
      // are done, and none after one that is still being checked (a device's batches commit in the
      // order they came). So a device catching up commits several batches at one commit's cost,
      // and the group never waits for a check that the next group would not have waited for:
      // taking them unchecked, the group waited for the checking thread, and checking stopped
      // overlapping the commits (docs/POSTGRES.md, "A device's batches in one group").
      const taken: Queued[] = [];
      const inGroup = new Set<string>();
      const held = new Set<string>();
      let bytes = 0;
      for (let i = 0; i < this.queue.length && (taken.length === 0 || bytes + this.queue[i]!.bytes <= MAX_GROUP_BYTES); ) {
        const q = this.queue[i]!;
        if (held.has(q.deviceId) || (inGroup.has(q.deviceId) && !q.ready)) {
          held.add(q.deviceId);
          i++;
          continue;
        }
        this.queue.splice(i, 1);
        inGroup.add(q.deviceId);
        bytes += q.bytes;
        this.queuedBytes -= q.bytes;
        if (q.checked) this.checkingBytes -= q.bytes;
        else q.checked = this.check(q);
        taken.push(q);
      }
      const group: CheckedBatch[] = [];
      // The next batches are checked while this group waits for its own checks and commits.
      this.checkAhead();
      for (const [i, checked] of (await Promise.all(taken.map((q) => q.checked!))).entries()) {
        if (checked.ok) group.push(checked.batch);
        else this.hooks.refused(taken[i]!.deviceId, checked.refused);
      }
      this.phases.lap('check');
      let outcomes: Outcome[];
      const commit = (batches: CheckedBatch[], lookUpIds: boolean) => this.store.write((trx) => this.commitGroup(trx, batches, lookUpIds));
      try {
        outcomes = await commit(group, false).catch((err: unknown) => {
          if (err instanceof IdAlreadyStored) return commit(group, true);
          throw err;
        });
        this.storeWide.succeed();
      } catch (err) {
        outcomes = await this.afterGroupFailed(group, err, commit);
      }
      this.phases.lap('commit');
      this.lastCommitAt = performance.now();
      for (const q of taken) {
        this.perDevice.set(q.deviceId, (this.perDevice.get(q.deviceId) ?? 1) - 1);
        q.done();
      }
      const storedBy = new Set<string>();
      let storedCount = 0;
      for (const o of outcomes) {
        for (const l of o.logs ?? []) this.logger[l.level](l.fields, l.msg);
        if (o.refused) this.hooks.refused(o.deviceId, o.refused);
        if (o.ack) this.hooks.ack(o.deviceId, o.ack);
        if (o.stored > 0) {
          storedBy.add(o.deviceId);
          storedCount += o.stored;
        }
      }
      if (storedCount > 0) this.hooks.stored([...storedBy], storedCount);
      this.phases.end();
    }
  }

  /** `lookUpIds`: look each new record's id up before the insert (else the insert finds a stored one: IdAlreadyStored). */
  private async commitGroup(trx: Tx, group: CheckedBatch[], lookUpIds: boolean): Promise<Outcome[]> {
    const out: Outcome[] = [];
    this.phases.lap('begin');
    const appends: GroupAppends = { runs: [], rows: 0, gaps: [], ids: new Set(), moved: new Map() };
    // On PostgreSQL the group takes the log's lock before it reads anything: the groups of all
    // workers then run one after another, never beside each other. Taken only for the inserts, the
    // groups' reads of the records' id index overlapped other workers' inserts into it, SERIALIZABLE
    // aborted and retried whole groups, and the city's press→ack p99 went to seconds (npm run
    // bench:city, docs/POSTGRES.md).
    if (group.length > 0) await lockLogForAppend(trx, 'records');
    this.phases.lap('lock');
    // The whole group's heads in one statement (chain-heads.ts says why). Only when the group runs
    // again after its insert found a stored id: which of its new records' ids are stored, on
    // PostgreSQL in one statement; SQLite asks its prepared statement per id instead.
    const heads = await loadHeads(trx, [...new Set(group.map((b) => b.deviceId))], this.fast?.heads, this.keepPrepared);
    const stored =
      this.fast || !lookUpIds
        ? null
        : await storedIdsAmong(
            trx,
            group.flatMap((b) => b.records.filter((r) => r.seq > (heads.get(b.deviceId)?.seq ?? Number.POSITIVE_INFINITY)).map((r) => r.id)),
          );
    this.phases.lap('heads');
    for (const batch of group) out.push(await this.commitBatch(trx, batch, heads.get(batch.deviceId) ?? null, appends, stored, lookUpIds));
    this.phases.lap('decide');
    await this.append(trx, appends, lookUpIds);
    this.phases.lap('insert');
    return out;
  }

  /** The group's rows of the followed logs, written last (under the lock commitGroup took); on PostgreSQL records go by COPY, or a small group's in prepared inserts (records-insert.ts). */
  private async append(trx: Tx, a: GroupAppends, idsLookedUp: boolean): Promise<void> {
    if (a.moved.size > 0) await saveHeads(trx, [...a.moved.values()], this.fast?.heads, this.keepPrepared);
    this.phases.lap('heads-save');
    if (a.rows === 0 && a.gaps.length === 0) return;
    if (a.gaps.length > 0) await trx.insertInto('chain_gaps').values(a.gaps).execute();
    // Positional: better-sqlite3 binds a named parameter by a property lookup per column, ~1 µs a row more.
    if (this.fast) {
      const insert = idsLookedUp ? this.fast.insert : this.fast.insertNew;
      for (const run of a.runs)
        for (const r of run.records)
          if (
            insert.run(r.id, run.deviceId, run.epoch, r.seq, r.kind, r.hash, r.at, r.atCorrected, r.clockOffsetMs, r.clockFlag, windowOf(run, r), r.level, r.body, run.storedAt)
              .changes === 0
          )
            throw new IdAlreadyStored(r.id);
    } else if (a.rows >= COPY_FROM_ROWS) {
      this.copyData ??= new CopyData(COPY_DATA_BYTES);
      try {
        await trx.executeQuery(CompiledQuery.raw(RECORDS_COPY, [recordsCopyData(a.runs, this.copyData)]));
        this.copyData.reset(COPY_DATA_BYTES);
      } catch (err) {
        // Its bytes may still be on their way to a COPY that failed: the next group's go in new ones.
        this.copyData = null;
        // COPY has no ON CONFLICT: a stored id fails it, and the whole transaction with it.
        const e = err as { code?: string; constraint?: string };
        if (!idsLookedUp && e.code === '23505' && e.constraint === RECORDS_ID_KEY) throw new IdAlreadyStored('a stored id in the COPY');
        throw err;
      }
    } else {
      const values = runsValues(a.runs);
      for (let i = 0; i < values.length; ) {
        const rows = values.slice(i, i + insertRows(values.length - i));
        i += rows.length;
        const text = recordsInsertText(rows.length, !idsLookedUp);
        const { numAffectedRows } = await runText(trx, text, rows.flat(), this.keepPrepared);
        if (!idsLookedUp && numAffectedRows !== BigInt(rows.length)) throw new IdAlreadyStored(`${rows.length - Number(numAffectedRows)} of ${rows.length}`);
      }
    }
  }

  /** Decide, store and ack one batch; mutates `head` to the new head; its log rows go to `appends`. */
  private async commitBatch(trx: Tx, b: CheckedBatch, head: EpochHead | null, appends: GroupAppends, storedIds: Set<string> | null, lookUpIds: boolean): Promise<Outcome> {
    const gatewayTime = new Date(this.clock.now()).toISOString();
    if (!head) return { deviceId: b.deviceId, ack: null, refused: 'device is not enrolled', stored: 0 };
    const all = [...b.records.map((r) => ({ id: r.id, seq: r.seq })), ...b.rejected];
    const refuseAll = (code: Rejection['code'], reason: string): Outcome => ({
      deviceId: b.deviceId,
      stored: 0,
      ack: { batchId: b.batchId, committedThroughSeq: 0, rejected: all.map((r) => ({ id: r.id, seq: r.seq, code, reason })), gatewayTime },
    });
    if (head.retired) return refuseAll('retired-device', 'this device is retired');
    if (b.keyFingerprint && b.keyFingerprint !== head.fingerprint) {
      return refuseAll('stale-key', `signed with key ${b.keyFingerprint.slice(0, 12)}…, but the device is enrolled with ${head.fingerprint.slice(0, 12)}… (epoch ${head.epoch})`);
    }

    const rejected: Rejection[] = [...b.rejected];
    const reject = (r: CheckedRecord, code: Rejection['code'], reason: string) => rejected.push({ id: r.id, seq: r.seq, code, reason });
    let belongs = b.keyFingerprint === head.fingerprint;
    const start = { seq: head.seq, hash: head.hash };

    // Resends of stored records are no-ops; anything else at a stored seq is a fork. A seq this
    // group moved the head past is among its appends, not yet in the table.
    const old = b.records.filter((r) => r.seq <= head.seq);
    if (old.length > 0) {
      const appended = old.map((r) => appendedAt(appends, b.deviceId, head.epoch, r.seq)).filter((r) => r !== undefined);
      const appendedSeqs = new Set(appended.map((r) => r.seq));
      const inTable = old.filter((r) => !appendedSeqs.has(r.seq));
      const fromTable =
        inTable.length === 0
          ? []
          : await trx
              .selectFrom('records')
              .select(['seq', 'id', 'hash'])
              .where('device_id', '=', b.deviceId)
              .where('epoch', '=', head.epoch)
              .where(
                'seq',
                'in',
                inTable.map((r) => r.seq),
              )
              .execute();
      const bySeq = new Map([...fromTable, ...appended].map((s) => [s.seq, s]));
      for (const r of old) {
        const s = bySeq.get(r.seq);
        if (s && s.id === r.id && s.hash === r.hash) belongs = true;
        else reject(r, 'chain-fork', `a different record is already stored at seq ${r.seq}`);
      }
    }

    let fresh: CheckedRecord[] = [];
    let gapAt: number | null = null;
    let cursor = { seq: head.seq, hash: head.hash };
    for (const r of b.records) {
      if (r.seq <= head.seq) continue;
      if (gapAt !== null || r.seq !== cursor.seq + 1) {
        gapAt ??= r.seq;
        reject(r, 'chain-gap', `expected seq ${cursor.seq + 1}, got ${r.seq}`);
        continue;
      }
      if (r.prevHash !== cursor.hash) {
        gapAt = r.seq;
        reject(r, 'chain-fork', `record does not follow the stored head at seq ${cursor.seq}`);
        continue;
      }
      fresh.push(r);
      cursor = { seq: r.seq, hash: r.hash };
    }

    if (lookUpIds && fresh.length > 0) {
      // An id already stored belongs to another record: a replay or a forgery. The chain cannot
      // go past it, so the batch stops just before it. (Not looked up, the insert finds it.)
      const fast = this.fast;
      const stored = (id: string) => (fast ? fast.idTaken.get(id) !== undefined : storedIds!.has(id));
      const taken = new Set(fresh.filter((r) => appends.ids.has(r.id) || stored(r.id)).map((r) => r.id));
      const cut = fresh.findIndex((r) => taken.has(r.id));
      if (cut >= 0) {
        for (const r of fresh.slice(cut))
          reject(
            r,
            taken.has(r.id) ? 'duplicate-id' : 'chain-gap',
            taken.has(r.id) ? 'this record id is already stored for another record' : `follows a refused record at seq ${fresh[cut]!.seq}`,
          );
        fresh = fresh.slice(0, cut);
      }
    }
    const logs: NonNullable<Outcome['logs']> = [];
    if (fresh.length > 0) {
      const last = fresh[fresh.length - 1]!;
      if (verifyHashSignature(last.hash, last.sig, this.keyOf(head))) {
        belongs = true;
      } else {
        logs.push({ level: 'warn', fields: { deviceId: b.deviceId, epoch: head.epoch, seq: last.seq }, msg: 'batch head signature does not verify: batch refused' });
        for (const r of fresh) reject(r, 'bad-signature', 'the batch head signature does not verify with the enrolled key');
        fresh = [];
      }
    }

    if (gapAt !== null && rejected.some((x) => x.code === 'chain-gap')) {
      appends.gaps.push({ device_id: b.deviceId, epoch: head.epoch, expected_seq: start.seq + fresh.length + 1, got_seq: gapAt, detected_at: gatewayTime });
      logs.push({ level: 'error', fields: { deviceId: b.deviceId, epoch: head.epoch, expected: start.seq + fresh.length + 1, got: gapAt }, msg: 'chain gap: a record is missing' });
    }
    if (fresh.length > 0) {
      appends.runs.push({ deviceId: b.deviceId, epoch: head.epoch, deviceWindowId: head.windowId, storedAt: gatewayTime, records: fresh });
      appends.rows += fresh.length;
      if (lookUpIds) for (const r of fresh) appends.ids.add(r.id);
      const last = fresh[fresh.length - 1]!;
      appends.moved.set(b.deviceId, { deviceId: b.deviceId, epoch: head.epoch, seq: last.seq, hash: last.hash });
      head.seq = last.seq;
      head.hash = last.hash;
    }
    return {
      deviceId: b.deviceId,
      stored: fresh.length,
      ...(logs.length > 0 ? { logs } : {}),
      ack: {
        batchId: b.batchId,
        committedThroughSeq: belongs ? head.seq : 0,
        ...(belongs && head.seq > 0 ? { headHash: head.hash } : {}),
        rejected: rejected.map((r) => ({ ...r, reason: r.reason.slice(0, 300) })),
        gatewayTime,
      },
    };
  }

  private keyOf(head: EpochHead): KeyObject {
    let key = this.keys.get(head.fingerprint);
    if (!key) this.keys.set(head.fingerprint, (key = createPublicKey(head.pem)));
    return key;
  }
}

/** The record this group appended at `seq` of the device's chain in `epoch`, if it did (a run's records have consecutive seqs). */
function appendedAt(a: GroupAppends, deviceId: string, epoch: number, seq: number): CheckedRecord | undefined {
  for (const run of a.runs) {
    if (run.deviceId !== deviceId || run.epoch !== epoch) continue;
    const r = run.records[seq - run.records[0]!.seq];
    if (r?.seq === seq) return r;
  }
  return undefined;
}
