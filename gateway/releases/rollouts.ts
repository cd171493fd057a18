/**
 * Which device is offered which release, and where each stands (docs/UPDATE.md). A rollout offers a
 * release to one device first (the canary) and holds the rest until the canary reports healthy —
 * or until hall IT says "continue" anyway. A device has at most one live offer: a newer offer
 * supersedes the one before. State changes come from the devices' check-ins (device-update-routes.ts).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { UpdateReport } from '@hcp/contract/release';
import type { Clock } from '../feature.js';
import type { GatewayStore } from '../store/database.js';
import { LIVE_OFFER_STATES, type OfferState, type ReleaseDb, type ReleaseTx } from './releases-schema.js';

export class RolloutError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

export interface OfferRow {
  deviceId: string;
  version: string;
  role: 'canary' | 'rest' | 'direct';
  state: OfferState;
  reason: string | null;
  stateAt: string;
}

/** A check-in's outcome: the live offer (with a fresh download token) if any, and the reports recorded (not ignored). */
export interface CheckInResult {
  offer: { version: string; token: string; released: string[] } | null;
  recorded: UpdateReport[];
}

export class Rollouts {
  constructor(
    private readonly store: GatewayStore,
    private readonly clock: Clock,
  ) {}

  private get db(): ReleaseDb {
    return this.store.db as unknown as ReleaseDb;
  }

  private write<T>(fn: (trx: ReleaseTx) => Promise<T>): Promise<T> {
    return this.store.write((trx) => fn(trx as unknown as ReleaseTx));
  }

  private now(): string {
    return new Date(this.clock.now()).toISOString();
  }

  /**
   * Offer `version` to `canary` now and to `rest` once the canary is healthy (or to everyone now
   * when there is no canary). Devices must be registered and not retired.
   */
  async offer(version: string, o: { canary?: string | undefined; rest: string[]; by: string }): Promise<{ offered: string[]; held: string[] }> {
    const ids = [...new Set([...(o.canary ? [o.canary] : []), ...o.rest])];
    if (ids.length === 0) throw new RolloutError(400, 'no-devices', 'name at least one device');
    return this.write(async (trx) => {
      const release = await trx.selectFrom('releases').select('version').where('version', '=', version).executeTakeFirst();
      if (!release) throw new RolloutError(404, 'unknown-release', `no release ${version} has been uploaded`);
      const known = await trx.selectFrom('devices').select('device_id').where('device_id', 'in', ids).where('retired', '=', 0).execute();
      const missing = ids.filter((id) => !known.some((k) => k.device_id === id));
      if (missing.length) throw new RolloutError(404, 'unknown-device', `not registered (or retired): ${missing.join(', ')}`);
      const now = this.now();
      // One live offer per device: whatever it was offered before gives way.
      await trx
        .updateTable('release_offers')
        .set({ state: 'superseded', state_at: now, token_hash: null })
        .where('device_id', 'in', ids)
        .where('version', '!=', version)
        .where('state', 'in', ['held', ...LIVE_OFFER_STATES])
        .execute();
      const offered: string[] = [];
      const held: string[] = [];
      for (const id of ids) {
        const isCanary = id === o.canary;
        const state: OfferState = o.canary && !isCanary ? 'held' : 'offered';
        const role = isCanary ? 'canary' : o.canary ? 'rest' : 'direct';
        await trx.deleteFrom('release_offers').where('device_id', '=', id).where('version', '=', version).execute();
        await trx
          .insertInto('release_offers')
          .values({ device_id: id, version, role, state, reason: null, token_hash: null, offered_by: o.by, created_at: now, state_at: now })
          .execute();
        (state === 'held' ? held : offered).push(id);
      }
      return { offered, held };
    });
  }

  /** Offer the held devices now (hall IT decided not to wait for the canary). */
  async continueRollout(version: string): Promise<string[]> {
    return this.write(async (trx) => this.releaseHeld(trx, version));
  }

  private async releaseHeld(trx: ReleaseTx, version: string): Promise<string[]> {
    const held = await trx.selectFrom('release_offers').select('device_id').where('version', '=', version).where('state', '=', 'held').execute();
    if (held.length === 0) return [];
    await trx.updateTable('release_offers').set({ state: 'offered', state_at: this.now() }).where('version', '=', version).where('state', '=', 'held').execute();
    return held.map((h) => h.device_id);
  }

  /**
   * A device's check-in: record its reports, then answer its live offer (with a fresh download
   * token) or null, and which reports were recorded. A healthy canary releases the rest of its rollout.
   */
  async checkIn(deviceId: string, reports: UpdateReport[]): Promise<CheckInResult> {
    return this.write(async (trx) => {
      const now = this.now();
      let released: string[] = [];
      const recorded: UpdateReport[] = [];
      for (const r of reports) {
        const row = await trx.selectFrom('release_offers').select(['role', 'state']).where('device_id', '=', deviceId).where('version', '=', r.version).executeTakeFirst();
        // A report on an offer that was superseded or never made changes nothing.
        if (!row || row.state === 'superseded' || row.state === 'held') continue;
        await trx
          .updateTable('release_offers')
          .set({ state: r.state, reason: r.reason ?? null, state_at: now, ...(r.state === 'installed' || r.state === 'downloading' ? {} : { token_hash: null }) })
          .where('device_id', '=', deviceId)
          .where('version', '=', r.version)
          .execute();
        recorded.push(r);
        if (r.state === 'healthy' && row.role === 'canary') released = await this.releaseHeld(trx, r.version);
      }
      const live = await trx.selectFrom('release_offers').select('version').where('device_id', '=', deviceId).where('state', 'in', LIVE_OFFER_STATES).executeTakeFirst();
      if (!live) return { offer: null, recorded };
      const token = randomBytes(24).toString('base64url');
      await trx
        .updateTable('release_offers')
        .set({ token_hash: tokenHash(token) })
        .where('device_id', '=', deviceId)
        .where('version', '=', live.version)
        .execute();
      return { offer: { version: live.version, token, released }, recorded };
    });
  }

  /** Whether `token` is the download token of a live offer of `version` to `deviceId`. */
  async mayDownload(deviceId: string, version: string, token: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('release_offers as o')
      .innerJoin('devices as d', 'd.device_id', 'o.device_id')
      .select('o.device_id')
      .where('o.device_id', '=', deviceId)
      .where('o.version', '=', version)
      .where('o.token_hash', '=', tokenHash(token))
      .where('o.state', 'in', LIVE_OFFER_STATES)
      .where('d.retired', '=', 0)
      .executeTakeFirst();
    return row !== undefined;
  }

  async offersOf(version: string): Promise<OfferRow[]> {
    const rows = await this.db.selectFrom('release_offers').selectAll().where('version', '=', version).orderBy('device_id').execute();
    return rows.map((r) => ({ deviceId: r.device_id, version: r.version, role: r.role, state: r.state, reason: r.reason, stateAt: r.state_at }));
  }
}
