/**
 * Report snapshots (RULES.md R15): a report, once made, is a row that is never edited (SQL triggers
 * refuse it, reports-schema.ts); a correction is the next version, naming the one before by id and
 * hash and saying why. Two hashes: `content_hash` over the content's canonical JSON, and `hash` over
 * the canonical JSON of the envelope — every column but `hash` itself, content_hash standing for
 * the content — so that a changed cut-off, reason or link to the previous version is caught too.
 * verify() recomputes both from the stored row and checks the link to the previous version.
 */
import { z } from 'zod';
import type { Db, GatewayStore } from '../store/database.js';
import type { ReportSnapshotsTable } from '../store/tables.js';
import { canonicalJson, sha256Hex } from './canonical-json.js';
import type { Period, ReportKind } from './periods.js';
import { ReportContentSchema, type ReportContent } from './report-content.js';

export const WriteOffNoteSchema = z.object({
  assessId: z.string(),
  kind: z.enum(['mistaken', 'malicious']),
  approvedBy: z.string(),
  approvedAt: z.string(),
  reason: z.string(),
});
/** Why a version exists (null for a first version). */
export const VersionReasonSchema = z.object({
  zh: z.string(),
  en: z.string(),
  writeOffs: z.array(WriteOffNoteSchema).describe('ratings of the period written off since the previous version'),
  reinstated: z.array(z.string()).describe('ratings written off in the previous version and no longer'),
  ledgerChanges: z.number().int().describe('later changes to ratings of the period (late paper cards, late device records, replaced defaults)'),
});
export type VersionReason = z.infer<typeof VersionReasonSchema>;

/** What the data was read up to, to find later changes (report-changes.ts). */
export const BasisSchema = z.object({ logSeq: z.number().int(), writtenOff: z.array(z.number().int()) });
export type Basis = z.infer<typeof BasisSchema>;

export const SnapshotMetaSchema = z.object({
  snapshotId: z.string(),
  kind: z.enum(['monthly', 'quarterly']),
  period: z.string(),
  version: z.number().int(),
  from: z.string(),
  to: z.string(),
  cutoff: z.string(),
  generatedAt: z.string(),
  generatedBy: z.string().describe('`schedule`, `recheck` or the console user who asked'),
  previousId: z.string().nullable(),
  previousHash: z.string().nullable(),
  reason: VersionReasonSchema.nullable(),
  contentHash: z.string(),
  hash: z.string(),
  latest: z.boolean().describe('no later version of this period exists'),
});
export type SnapshotMeta = z.infer<typeof SnapshotMetaSchema>;

export const VerificationSchema = z.object({
  snapshotId: z.string(),
  ok: z.boolean(),
  contentHash: z.object({ stored: z.string(), computed: z.string(), ok: z.boolean() }),
  hash: z.object({ stored: z.string(), computed: z.string(), ok: z.boolean() }),
  previous: z.object({ id: z.string().nullable(), ok: z.boolean(), message: z.string() }),
  contentValid: z.boolean().describe('the stored content still reads as a report'),
});
export type Verification = z.infer<typeof VerificationSchema>;

/** The envelope as hashed: every column but `hash`. */
function envelopeOf(r: Omit<ReportSnapshotsTable, 'hash'>): Record<string, unknown> {
  return {
    format: 'hcp-report-snapshot/1',
    snapshotId: r.snapshot_id,
    kind: r.kind,
    period: r.period,
    version: r.version,
    from: r.period_from,
    to: r.period_to,
    cutoff: r.cutoff,
    generatedAt: r.generated_at,
    generatedBy: r.generated_by,
    previousId: r.previous_id,
    previousHash: r.previous_hash,
    reason: r.reason === null ? null : JSON.parse(r.reason),
    basis: JSON.parse(r.basis),
    contentHash: r.content_hash,
  };
}

export const snapshotIdOf = (kind: ReportKind, period: string, version: number) => `${kind}-${period}-v${version}`;

function metaOf(r: ReportSnapshotsTable, latest: boolean): SnapshotMeta {
  return {
    snapshotId: r.snapshot_id,
    kind: r.kind as ReportKind,
    period: r.period,
    version: r.version,
    from: r.period_from,
    to: r.period_to,
    cutoff: r.cutoff,
    generatedAt: r.generated_at,
    generatedBy: r.generated_by,
    previousId: r.previous_id,
    previousHash: r.previous_hash,
    reason: r.reason === null ? null : VersionReasonSchema.parse(JSON.parse(r.reason)),
    contentHash: r.content_hash,
    hash: r.hash,
    latest,
  };
}

export interface NewSnapshot {
  period: Period;
  content: ReportContent;
  basis: Basis;
  cutoff: string;
  generatedAt: string;
  generatedBy: string;
  reason: VersionReason | null;
}

export class ReportSnapshots {
  constructor(private readonly store: GatewayStore) {}

  private get db(): Db {
    return this.store.db;
  }

  /** Every snapshot's envelope, newest period first, versions in order; optionally one kind or period. */
  async list(filter: { kind?: ReportKind; period?: string } = {}): Promise<SnapshotMeta[]> {
    let q = this.db.selectFrom('report_snapshots').selectAll();
    if (filter.kind) q = q.where('kind', '=', filter.kind);
    if (filter.period) q = q.where('period', '=', filter.period);
    const rows = await q.orderBy('period', 'desc').orderBy('kind').orderBy('version').execute();
    const newest = new Map<string, number>();
    for (const r of rows) newest.set(`${r.kind}/${r.period}`, Math.max(newest.get(`${r.kind}/${r.period}`) ?? 0, r.version));
    return rows.map((r) => metaOf(r, newest.get(`${r.kind}/${r.period}`) === r.version));
  }

  /** The latest version of a period's report, or null. */
  async latestRow(kind: ReportKind, period: string): Promise<ReportSnapshotsTable | null> {
    return (
      (await this.db.selectFrom('report_snapshots').selectAll().where('kind', '=', kind).where('period', '=', period).orderBy('version', 'desc').limit(1).executeTakeFirst()) ??
      null
    );
  }

  /** One snapshot with its content, or null. */
  async get(snapshotId: string): Promise<{ meta: SnapshotMeta; content: ReportContent } | null> {
    const r = await this.db.selectFrom('report_snapshots').selectAll().where('snapshot_id', '=', snapshotId).executeTakeFirst();
    if (!r) return null;
    const latest = await this.latestRow(r.kind as ReportKind, r.period);
    return { meta: metaOf(r, latest?.version === r.version), content: ReportContentSchema.parse(JSON.parse(r.content)) };
  }

  /** Store the next version of a period's report (the first, or one naming the latest before it). */
  publish(s: NewSnapshot): Promise<SnapshotMeta> {
    return this.store.write(async (trx) => {
      const prev = await trx
        .selectFrom('report_snapshots')
        .select(['snapshot_id', 'version', 'hash'])
        .where('kind', '=', s.period.kind)
        .where('period', '=', s.period.period)
        .orderBy('version', 'desc')
        .limit(1)
        .executeTakeFirst();
      if (prev && !s.reason) throw new Error(`report ${prev.snapshot_id} exists: a new version needs a reason`);
      const version = (prev?.version ?? 0) + 1;
      const content = canonicalJson(s.content);
      const row: Omit<ReportSnapshotsTable, 'hash'> = {
        snapshot_id: snapshotIdOf(s.period.kind, s.period.period, version),
        kind: s.period.kind,
        period: s.period.period,
        version,
        period_from: s.period.from,
        period_to: s.period.to,
        cutoff: s.cutoff,
        generated_at: s.generatedAt,
        generated_by: s.generatedBy,
        previous_id: prev?.snapshot_id ?? null,
        previous_hash: prev?.hash ?? null,
        reason: s.reason ? canonicalJson(s.reason) : null,
        basis: canonicalJson(s.basis),
        content,
        content_hash: sha256Hex(content),
      };
      const full = { ...row, hash: sha256Hex(canonicalJson(envelopeOf(row))) };
      await trx.insertInto('report_snapshots').values(full).execute();
      return metaOf(full, true);
    });
  }

  /** Recompute both hashes of a stored snapshot and check its link to the version before. */
  async verify(snapshotId: string): Promise<Verification | null> {
    const r = await this.db.selectFrom('report_snapshots').selectAll().where('snapshot_id', '=', snapshotId).executeTakeFirst();
    if (!r) return null;
    const contentHash = sha256Hex(r.content);
    let hash = '';
    try {
      hash = sha256Hex(canonicalJson(envelopeOf(r)));
    } catch {
      hash = '(the stored envelope is not JSON)';
    }
    let contentValid = true;
    try {
      ReportContentSchema.parse(JSON.parse(r.content));
    } catch {
      contentValid = false;
    }
    let previous: Verification['previous'] = {
      id: null,
      ok: r.version === 1 && r.previous_id === null,
      message: r.version === 1 ? 'first version' : 'a later version names no previous one',
    };
    if (r.previous_id !== null) {
      const p = await this.db.selectFrom('report_snapshots').select(['hash', 'version', 'kind', 'period']).where('snapshot_id', '=', r.previous_id).executeTakeFirst();
      const ok = !!p && p.hash === r.previous_hash && p.version === r.version - 1 && p.kind === r.kind && p.period === r.period;
      previous = {
        id: r.previous_id,
        ok,
        message: !p ? 'the previous version is missing' : ok ? 'names the previous version and its hash' : 'the previous version’s hash or number does not match',
      };
    }
    const v = {
      snapshotId,
      contentHash: { stored: r.content_hash, computed: contentHash, ok: contentHash === r.content_hash },
      hash: { stored: r.hash, computed: hash, ok: hash === r.hash },
      previous,
      contentValid,
    };
    return { ...v, ok: v.contentHash.ok && v.hash.ok && previous.ok && contentValid };
  }
}
