/**
 * Export a device's unacknowledged records to a signed bundle file (issue 13, the village path;
 * docs/VILLAGE.md). Safe while the device program runs: the store is SQLite in WAL mode, so this
 * second connection reads one consistent snapshot (one read transaction) while the program keeps
 * appending. Repeatable: each export takes everything still unacknowledged — the same records as
 * the MQTT outbox (ChainStore.nextBatch), rejected ones excepted — so a lost stick costs nothing but
 * another export. Nothing in the store is changed: only a receipt or an ack moves the mark.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import type { ChainRecord, ClockRun } from '../contract/index.js';
import { keyFingerprint } from '../contract/chain.js';
import { MAX_BUNDLE_RECORDS, bundleFileName, signBundle, type VillageBundle } from '../contract/village-bundle.js';
import { ChainStore } from '../store/chain-store.js';
import { openDeviceDatabase, type Db } from '../store/database.js';

export interface ExportOptions {
  dataDir: string;
  deviceId: string;
  /** The folder to write to (the USB stick's mount point). */
  outDir: string;
  /** The device's clock, for `createdAt` (the CLI uses the system clock). */
  now?: () => number;
}

export type ExportResult =
  | { written: true; file: string; bundle: Pick<VillageBundle, 'bundleId' | 'deviceId' | 'ackedThroughSeq'> & { records: number; fromSeq: number; throughSeq: number } }
  | { written: false; reason: string };

/** The device's key, which only a device that has run once has. */
export function readDeviceKeyPair(dataDir: string) {
  const file = join(dataDir, 'device-key.pem');
  if (!existsSync(file) || !existsSync(join(dataDir, 'device.db'))) {
    throw new Error(`no device store in ${dataDir} (device.db and device-key.pem): is dataDir in the config right?`);
  }
  const privateKey = createPrivateKey(readFileSync(file));
  const publicKeyPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
  return { privateKey, publicKeyPem, fingerprint: keyFingerprint(publicKeyPem) };
}

export function exportBundle(o: ExportOptions): ExportResult {
  const key = readDeviceKeyPair(o.dataDir);
  const db = openDeviceDatabase(join(o.dataDir, 'device.db'));
  try {
    const store = new ChainStore(db, o.deviceId, key.privateKey);
    // One read transaction: the records, the ack mark and the clock runs of the same instant.
    const snapshot = db.transaction(() => {
      const ackedThroughSeq = store.ackState().through;
      const records = store.nextBatch(MAX_BUNDLE_RECORDS, 0);
      const clocks = records.length ? carriedClockRuns(db, records[0]!.seq, records[records.length - 1]!.seq) : [];
      return { ackedThroughSeq, records, clocks };
    })();
    if (snapshot.records.length === 0) return { written: false, reason: `nothing to export: every record of ${o.deviceId} is acknowledged by the gateway` };
    const foreign = snapshot.records.find((r: ChainRecord) => r.deviceId !== o.deviceId);
    if (foreign) throw new Error(`the store holds records of device ${foreign.deviceId}, not ${o.deviceId}: is deviceId in the config right?`);
    const bundle = signBundle(
      {
        format: 'hcp-village-bundle-1',
        bundleId: uuidv7(),
        deviceId: o.deviceId,
        keyFingerprint: key.fingerprint,
        createdAt: new Date((o.now ?? Date.now)()).toISOString(),
        ackedThroughSeq: snapshot.ackedThroughSeq,
        clocks: snapshot.clocks,
        records: snapshot.records,
      },
      key.privateKey,
    );
    const file = writeDurably(o.outDir, bundleFileName(bundle), `${JSON.stringify(bundle)}\n`);
    const { records } = bundle;
    return {
      written: true,
      file,
      bundle: {
        bundleId: bundle.bundleId,
        deviceId: bundle.deviceId,
        ackedThroughSeq: bundle.ackedThroughSeq,
        records: records.length,
        fromSeq: records[0]!.seq,
        throughSeq: records[records.length - 1]!.seq,
      },
    };
  } finally {
    db.close();
  }
}

/**
 * The clock runs of seqs fromSeq..toSeq (ClockEpochs.runsFor's query), every one `current: false`
 * with the offset the device measured in that run, if any: a file carried for days has no transit
 * time from which the gateway could measure the clock of the run that wrote it.
 */
function carriedClockRuns(db: Db, fromSeq: number, toSeq: number): ClockRun[] {
  const rows = db
    .prepare(
      `SELECT epoch, first_seq, offset_ms FROM clock_epochs
        WHERE first_seq <= ? AND epoch >= COALESCE((SELECT MAX(epoch) FROM clock_epochs WHERE first_seq <= ?), 0)
        ORDER BY epoch`,
    )
    .all(toSeq, fromSeq) as Array<{ first_seq: number; offset_ms: number | null }>;
  const runs: ClockRun[] = [];
  for (const row of rows) {
    const run: ClockRun = { fromSeq: Math.max(row.first_seq, fromSeq), current: false, offsetMs: row.offset_ms };
    // An epoch that stamped nothing is shadowed by the next with the same first seq.
    if (runs.length > 0 && runs[runs.length - 1]!.fromSeq === run.fromSeq) runs[runs.length - 1] = run;
    else runs.push(run);
  }
  if (runs.length === 0 || runs[0]!.fromSeq > fromSeq) runs.unshift({ fromSeq, current: false, offsetMs: null });
  return runs;
}

/**
 * Write to a temp name, fsync, rename, fsync the folder: a stick pulled out early leaves either no
 * bundle or a whole one, never a half file under the bundle's name.
 */
function writeDurably(dir: string, name: string, text: string): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, name);
  const tmp = `${file}.part`;
  const fd = openSync(tmp, 'w', 0o644);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  const dirFd = openSync(dir, 'r');
  try {
    fsyncSync(dirFd);
  } catch {
    /* some file systems (FAT on a stick) cannot fsync a folder: the rename is done */
  } finally {
    closeSync(dirFd);
  }
  return file;
}
