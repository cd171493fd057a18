/**
 * Case invitations to devices, kept until they are delivered or no longer valid (issue 10, hole 4).
 * An invitation is stored first, then published if the device is online; a device that is offline
 * gets it when it connects — while it is still valid (the citizen is still at the window), never
 * later. The device answers with a receipt (armed, or refused and why), so the business system can
 * be told the truth: delivered, refused, or queued.
 *
 *   queued ─publish→ sent ─receipt→ armed | refused
 *   queued | sent ─valid_until passes→ expired
 *   any open state ─case withdrawn→ withdrawn;  ─a newer invitation to the same device→ superseded
 *
 * A device shows one invitation at a time: when it reconnects only the newest valid one is sent.
 */
import type { Logger } from 'pino';
import { v7 as uuidv7 } from 'uuid';
import type { InviteReceipt } from '@hcp/contract';
import type { Clock, DeviceChannel, GatewayEventBus } from '../feature.js';
import type { GatewayStore, Tx } from '../store/database.js';
import type { InvitationsTable } from '../store/tables.js';
import { leasesOf } from '../workers/job-lease.js';

export type InvitationState = 'queued' | 'sent' | 'armed' | 'refused' | 'expired' | 'withdrawn' | 'superseded';
const OPEN: InvitationState[] = ['queued', 'sent', 'armed'];

export interface InvitationView {
  inviteId: string;
  state: InvitationState;
  stateAt: string;
  issuedAt: string;
  validUntil: string;
  reason: string | null;
}

export function invitationView(r: InvitationsTable): InvitationView {
  return { inviteId: r.invite_id, state: r.state as InvitationState, stateAt: r.state_at, issuedAt: r.issued_at, validUntil: r.valid_until, reason: r.reason };
}

export interface InvitationDeskOptions {
  store: GatewayStore;
  devices: DeviceChannel;
  events: GatewayEventBus;
  clock: Clock;
  logger: Logger;
  /** How long after it is issued an invitation may still reach the device. */
  validSec: number;
  expireEveryMs?: number;
}

export class InvitationDesk {
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: Array<() => void> = [];
  private readonly waiters = new Map<string, Set<() => void>>();

  constructor(private readonly o: InvitationDeskOptions) {}

  private iso(ms = this.o.clock.now()): string {
    return new Date(ms).toISOString();
  }

  async start(): Promise<void> {
    if (this.timer) return;
    this.unsubscribe.push(
      this.o.events.on('device-online', ({ deviceId }) => this.deliver(deviceId)),
      this.o.events.on('invite-receipt', ({ deviceId, receipt }) => this.onReceipt(deviceId, receipt)),
    );
    // Several workers: the one holding the lease expires invitations.
    const expireHere = () => {
      if (leasesOf(this.o.store).holds('invitation-expiry')) void this.expire().catch((err) => this.o.logger.error({ err }, 'invitation expiry failed'));
    };
    this.timer = setInterval(expireHere, this.o.expireEveryMs ?? 10_000);
    this.timer.unref();
    await this.expire();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const u of this.unsubscribe.splice(0)) u();
    for (const set of this.waiters.values()) for (const w of set) w();
    this.waiters.clear();
  }

  /** Store a new invitation for a case (in the caller's transaction); deliver() sends it. */
  async issue(trx: Tx, caseNo: string, deviceId: string): Promise<InvitationsTable> {
    const now = this.o.clock.now();
    const row: InvitationsTable = {
      invite_id: uuidv7(),
      case_no: caseNo,
      device_id: deviceId,
      issued_at: this.iso(now),
      valid_until: this.iso(now + this.o.validSec * 1000),
      state: 'queued',
      state_at: this.iso(now),
      reason: null,
    };
    await trx.insertInto('invitations').values(row).execute();
    return row;
  }

  /** Send the device its newest valid invitation, if it is online; older open ones are superseded. */
  async deliver(deviceId: string): Promise<void> {
    const now = this.o.clock.now();
    const pick = await this.o.store.write(async (trx) => {
      const online = await trx.selectFrom('devices').select('online').where('device_id', '=', deviceId).executeTakeFirst();
      if (!online?.online) return null;
      const open = await trx
        .selectFrom('invitations')
        .selectAll()
        .where('device_id', '=', deviceId)
        .where('state', 'in', ['queued', 'sent'])
        .where('valid_until', '>', this.iso(now))
        .orderBy('issued_at', 'desc')
        .execute();
      const newest = open[0];
      if (!newest) return null;
      await trx
        .updateTable('invitations')
        .set({ state: 'superseded', state_at: this.iso(now), reason: `a newer invitation (${newest.invite_id}) went to the device` })
        .where('device_id', '=', deviceId)
        .where('state', 'in', OPEN)
        .where('invite_id', '!=', newest.invite_id)
        .execute();
      const c = await trx.selectFrom('cases').select(['item_code', 'item_name']).where('case_no', '=', newest.case_no).executeTakeFirst();
      return { row: newest, item: c };
    });
    if (!pick) return;
    const { row, item } = pick;
    const validForSec = Math.max(1, Math.floor((Date.parse(row.valid_until) - now) / 1000));
    try {
      await this.o.devices.send(deviceId, 'invite', {
        inviteId: row.invite_id,
        caseNo: row.case_no,
        issuedAt: row.issued_at,
        validForSec,
        ...(item?.item_code ? { itemCode: item.item_code } : {}),
        ...(item?.item_name ? { itemName: item.item_name } : {}),
      });
    } catch (err) {
      this.o.logger.warn({ err, deviceId }, 'invitation not published; it stays queued for the next connection');
      return;
    }
    await this.o.store.db.updateTable('invitations').set({ state: 'sent', state_at: this.iso() }).where('invite_id', '=', row.invite_id).where('state', '=', 'queued').execute();
  }

  /** Wait (up to `ms`) for the device's answer to an invitation; returns its state then. */
  async settle(inviteId: string, ms: number): Promise<InvitationView | undefined> {
    const end = Date.now() + ms;
    for (;;) {
      const row = await this.o.store.db.selectFrom('invitations').selectAll().where('invite_id', '=', inviteId).executeTakeFirst();
      if (!row || !['queued', 'sent'].includes(row.state) || Date.now() >= end) return row ? invitationView(row) : undefined;
      // A receipt handled here wakes us at once; one handled by another worker is seen by the poll.
      await new Promise<void>((resolve) => {
        const set = this.waiters.get(inviteId) ?? new Set();
        this.waiters.set(inviteId, set);
        const done = () => {
          clearTimeout(t);
          set.delete(done);
          resolve();
        };
        const t = setTimeout(done, Math.min(200, Math.max(0, end - Date.now())));
        set.add(done);
      });
    }
  }

  /** Withdraw every open invitation of a case; devices showing it are told to take it off screen. */
  async withdraw(caseNo: string, reason: string): Promise<void> {
    const now = this.iso();
    const open = await this.o.store.write(async (trx) => {
      const rows = await trx.selectFrom('invitations').selectAll().where('case_no', '=', caseNo).where('state', 'in', OPEN).execute();
      await trx.updateTable('invitations').set({ state: 'withdrawn', state_at: now, reason }).where('case_no', '=', caseNo).where('state', 'in', OPEN).execute();
      return rows;
    });
    for (const r of open.filter((x) => x.state !== 'queued')) {
      await this.o.devices
        .send(r.device_id, 'invite', { withdraw: r.invite_id, reason })
        .catch((err) => this.o.logger.warn({ err, deviceId: r.device_id }, 'withdrawal not published; the invitation expires on the device by itself'));
    }
  }

  async forCase(caseNo: string): Promise<InvitationView[]> {
    // Ran out since the last sweep: say so now, not at the next tick.
    await this.expire();
    const rows = await this.o.store.db.selectFrom('invitations').selectAll().where('case_no', '=', caseNo).orderBy('issued_at').execute();
    return rows.map(invitationView);
  }

  private async onReceipt(deviceId: string, r: InviteReceipt): Promise<void> {
    const reason = r.outcome === 'armed' ? null : [r.code, r.reason].filter(Boolean).join(': ') || null;
    await this.o.store.db
      .updateTable('invitations')
      .set({ state: r.outcome, state_at: this.iso(), reason })
      .where('invite_id', '=', r.inviteId)
      .where('device_id', '=', deviceId)
      .where('state', 'in', r.outcome === 'withdrawn' ? ['withdrawn', ...OPEN] : ['queued', 'sent'])
      .execute();
    for (const w of this.waiters.get(r.inviteId) ?? []) w();
  }

  async expire(): Promise<void> {
    const now = this.iso();
    await this.o.store.db
      .updateTable('invitations')
      .set({ state: 'expired', state_at: now, reason: 'not delivered while the citizen could still be at the window' })
      .where('state', 'in', ['queued', 'sent'])
      .where('valid_until', '<=', now)
      .execute();
  }
}
