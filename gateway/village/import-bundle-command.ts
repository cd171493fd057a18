/**
 * `gateway import-bundle --config gateway.json --file BUNDLE [--out DIR]` (issue 13, docs/VILLAGE.md):
 * hall IT's import of a village bundle at the command line, while the gateway runs or not (a second
 * connection to the store; ingest and the assessor commit with BEGIN IMMEDIATE and their own
 * cursors, so two processes never store or assess a record twice). Writes the receipt next to the
 * bundle (or in --out) for the device, and records the import in the audit log.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import { AuditLog } from '../audit/audit-log.js';
import { systemClock } from '../feature.js';
import { Assessor } from '../ratings/assessor.js';
import type { GatewayStore } from '../store/database.js';
import { writeFileAtomic } from '../tls/openssl.js';
import { BundleImporter } from './bundle-import.js';
import { loadReceiptSigner } from './receipt-signer.js';
import { VillageConfigSchema } from './village-config.js';

export interface ImportBundleCommand {
  store: GatewayStore;
  /** The config's `village` section, as validated with the rest of the config. */
  section: unknown;
  file: string;
  out?: string | undefined;
  logger: Logger;
}

/** Runs the import; returns the lines to print and the exit code (0 imported, 1 refused). */
export async function runImportBundle(c: ImportBundleCommand): Promise<{ code: number; lines: string[] }> {
  const config = VillageConfigSchema.parse(c.section);
  const assessor = new Assessor(c.store, systemClock, c.logger, () => undefined);
  const importer = new BundleImporter({
    store: c.store,
    clock: systemClock,
    logger: c.logger,
    signer: config.certFile && config.keyFile ? loadReceiptSigner(config.certFile, config.keyFile) : null,
    stored: () => assessor.catchUp(),
  });
  let text: string;
  try {
    text = readFileSync(c.file, 'utf8');
  } catch (err) {
    return { code: 1, lines: [`cannot read ${c.file}: ${(err as Error).message}`] };
  }
  const r = await importer.import(text);
  await importer.idle();
  const audit = new AuditLog(c.store, systemClock);
  if (!r.ok) {
    await audit.record({ actor: 'cli', action: 'village-bundle-refused', subject: null, detail: { file: c.file, problem: r.problem } });
    return { code: 1, lines: [`bundle refused: ${r.problem}`] };
  }
  const s = r.summary;
  await audit.record({
    actor: 'cli',
    action: 'village-bundle-imported',
    subject: s.deviceId,
    detail: { bundleId: s.bundleId, records: s.records, stored: s.stored, alreadyStored: s.alreadyStored, rejected: s.rejected, committedThroughSeq: s.committedThroughSeq },
  });
  const refused = Object.entries(s.rejected).map(([code, n]) => `${n} ${code}`);
  const lines = [
    `device ${s.deviceId} (enrolment ${s.epoch}): ${s.records} records, ${s.stored} stored now, ${s.alreadyStored} already stored` +
      `${refused.length ? `, refused: ${refused.join(', ')}` : ''}; the gateway holds its chain through seq ${s.committedThroughSeq}`,
  ];
  if (r.receipt) {
    const receiptFile = join(c.out ?? dirname(c.file), r.receiptFileName);
    writeFileAtomic(receiptFile, `${JSON.stringify(r.receipt)}\n`, 0o644);
    lines.push(`receipt written: ${receiptFile} (take it back to the device: device:import-receipt)`);
  } else {
    lines.push('no receipt: this gateway has no village.certFile/keyFile; the device learns what was stored at its next connection');
  }
  return { code: 0, lines };
}
