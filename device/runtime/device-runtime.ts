/**
 * The device runtime's state machine: who is logged in, whether the window is paused, the open
 * invitation, the rating in progress. Every input (panel, NFC, touch, simulator, tests) arrives
 * through `submit`; a rating is committed to SQLite before anything confirms it.
 *
 * 一次一评 (R3): a press is a rating only while an invitation is open; the invitation is consumed by
 * the rating in the same SQLite transaction (unique invitation_id), so no crash can let one
 * invitation take two ratings.
 */
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import type { Logger } from 'pino';
import {
  DeviceConfigSchema,
  InvitationRefSchema,
  LanguageSchema,
  LEVELS,
  RATED_ELSEWHERE_REASON,
  reasonCodesProblem,
  type DeviceConfig,
  type DeviceView,
  type InvitationRef,
  type InvitePayload,
  type RatingLevel,
  type RatingRecord,
  type ViewNotice,
} from '../contract/index.js';
import { type ChainStore, StoreError } from '../store/chain-store.js';
import { sealContact } from '../store/contact-seal.js';
import type { EventLog } from '../store/event-log.js';
import type { KvState } from '../store/kv-state.js';
import { TypedEventBus } from './event-bus.js';
import { IntegrityTracker } from './integrity-facts.js';
import type { DeviceInput, InputOutcome, InputSink, RuntimeHandle } from './ports.js';
import { buildView } from './view-builder.js';
import { findStaffByBadge } from './window-config.js';

const SessionSchema = z.object({ staffId: z.string().nullable(), paused: z.boolean() });
const OpenInvitationSchema = InvitationRefSchema.extend({ expiresAt: z.string() });
const SettingsSchema = z.object({ language: LanguageSchema, largeText: z.boolean(), highContrast: z.boolean(), speech: z.boolean() });
type OpenInvitation = z.infer<typeof OpenInvitationSchema>;
type Settings = z.infer<typeof SettingsSchema>;

export interface RuntimeOptions {
  deviceId: string;
  store: ChainStore;
  kv: KvState;
  events: EventLog;
  logger: Logger;
  /** Used until the gateway's retained config arrives (and cached after). */
  initialConfig: DeviceConfig;
  detailsTimeoutSec: number;
  thanksTimeoutSec: number;
  /** The stamp clock (device/clock/stamp-clock.ts); Date.now only where no program composed one (unit tests). */
  now?: () => number;
}

export interface DetailsInput {
  ratingId: string;
  reasons: number[];
  comment?: string;
  phone?: string;
  consent: boolean;
}

const fail = (code: string, reason: string): InputOutcome => ({ accepted: false, code, reason });

export class DeviceRuntime implements InputSink, RuntimeHandle {
  readonly events: TypedEventBus;
  private config: DeviceConfig;
  private session: z.infer<typeof SessionSchema>;
  private invitation: OpenInvitation | null;
  private lastRating: { id: string; level: RatingLevel; phase: 'details' | 'thanks' } | null = null;
  private settings: Settings;
  private connection: DeviceView['connection'] = { gateway: 'offline', panel: 'absent', reader: 'absent' };
  private readonly integrity = new IntegrityTracker();
  /** A badge capture hall IT asked for (issue 11): in memory only, a restart ends it. */
  private capture: { id: string } | null = null;
  private readonly timers = new Map<'invitation' | 'screen' | 'capture' | 'notice', NodeJS.Timeout>();
  /** Said to the citizen for a moment: the case on screen was rated on a phone first (issue 13). */
  private notice: ViewNotice | null = null;
  private readonly now: () => number;
  private revision = 0;

  constructor(private readonly o: RuntimeOptions) {
    this.now = o.now ?? Date.now;
    this.events = new TypedEventBus(o.logger);
    this.config = o.kv.get('config', DeviceConfigSchema) ?? o.initialConfig;
    this.session = o.kv.get('session', SessionSchema) ?? { staffId: null, paused: false };
    this.settings = o.kv.get('settings', SettingsSchema) ?? { language: 'zh', largeText: false, highContrast: false, speech: false };
    this.invitation = this.restoredInvitation(o.kv.get('invitation', OpenInvitationSchema) ?? null);
    if (this.invitation) this.armTimer(this.invitation);
  }

  view(): DeviceView {
    return buildView({
      revision: this.revision,
      config: this.config,
      staffId: this.session.staffId,
      paused: this.session.paused,
      invitation: this.invitation,
      lastRating: this.lastRating,
      connection: this.connection,
      settings: this.settings,
      timeouts: { detailsSec: this.o.detailsTimeoutSec, thanksSec: this.o.thanksTimeoutSec },
      notice: this.notice,
    });
  }

  currentConfig(): DeviceConfig {
    return this.config;
  }

  async submit(input: DeviceInput): Promise<InputOutcome> {
    switch (input.kind) {
      case 'badge':
        return this.badge(input.uid);
      case 'press':
        return this.press(input.level, input.source === 'panel' ? 'device-button' : 'device-touch');
      case 'please-rate':
        return this.openInvitation({ source: 'staff' });
      case 'pause':
        return this.setPaused(true);
      case 'resume':
        return this.setPaused(false);
    }
  }

  // ---- GatewayFacing ------------------------------------------------------------------------

  applyConfig(config: DeviceConfig): void {
    if (config.deviceId !== this.o.deviceId) throw new Error(`config is for device ${config.deviceId}, not ${this.o.deviceId}`);
    this.config = config;
    this.o.kv.set('config', config);
    // A staff member removed from the roster is logged out.
    if (this.session.staffId && !config.roster.some((s) => s.staffId === this.session.staffId)) this.logout('removed from roster');
    this.o.events.record('config-applied', { configVersion: config.configVersion });
    this.changed();
  }

  async openCaseInvitation(invite: InvitePayload): Promise<InputOutcome> {
    return this.openInvitation({ source: 'case', id: invite.inviteId, caseNo: invite.caseNo, itemCode: invite.itemCode, itemName: invite.itemName }, invite.validForSec);
  }

  withdrawInvitation(inviteId: string, reason: string): InputOutcome {
    if (this.invitation?.id === inviteId) {
      this.closeInvitation('withdrawn');
      // Rated on a phone first: say so, rather than leave the citizen wondering where the case went.
      if (reason === RATED_ELSEWHERE_REASON) this.showNotice(RATED_ELSEWHERE_REASON);
      this.changed();
      return { accepted: true };
    }
    if (this.o.store.hasRatingForInvitation(inviteId)) return fail('already-rated', 'it was already rated');
    return fail('not-open', 'it was not open on this device (expired, replaced or never opened)');
  }

  captureBadge(captureId: string, forSec: number): InputOutcome {
    // A newer capture replaces an older one: hall IT clicked again, or on another staff member.
    this.capture = { id: captureId };
    this.clearTimer('capture');
    this.timers.set(
      'capture',
      setTimeout(() => {
        if (this.capture?.id === captureId) this.capture = null;
        this.timers.delete('capture');
      }, forSec * 1000).unref(),
    );
    return { accepted: true };
  }

  setConnection(part: 'gateway' | 'panel' | 'reader', state: string): void {
    if (part === 'gateway') this.connection = { ...this.connection, gateway: state === 'online' ? 'online' : 'offline' };
    else this.connection = { ...this.connection, [part]: state as DeviceView['connection']['panel'] };
    this.changed();
  }

  // ---- Inputs -------------------------------------------------------------------------------

  private badge(uid: string): InputOutcome {
    // While a capture is open the tap is hall IT's, whoever's badge it is: nobody logs in or out.
    if (this.capture) {
      const captureId = this.capture.id;
      this.capture = null;
      this.clearTimer('capture');
      this.o.events.record('badge-captured', { captureId });
      this.events.emit('badge-captured', { captureId, uid: uid.toUpperCase() });
      return { accepted: true };
    }
    const staff = findStaffByBadge(this.config, uid);
    if (!staff) {
      this.o.events.record('unknown-badge');
      return fail('unknown-badge', 'this badge is not on the window roster');
    }
    if (this.session.staffId === staff.staffId) {
      this.logout('badge');
      return { accepted: true };
    }
    if (this.session.staffId) this.logout('replaced');
    this.session = { staffId: staff.staffId, paused: false };
    this.o.kv.set('session', this.session);
    this.o.events.record('staff-login', { staffId: staff.staffId });
    this.events.emit('staff-login', { staffId: staff.staffId });
    this.changed();
    return { accepted: true };
  }

  private logout(why: string): void {
    const staffId = this.session.staffId;
    this.closeInvitation('logout');
    // The next person at the window must not see the previous citizen's screen.
    this.lastRating = null;
    this.clearTimer('screen');
    this.session = { staffId: null, paused: false };
    this.o.kv.set('session', this.session);
    if (staffId) {
      this.o.events.record('staff-logout', { staffId, why });
      this.events.emit('staff-logout', { staffId });
    }
    this.changed();
  }

  private setPaused(paused: boolean): InputOutcome {
    if (!this.session.staffId) return fail('no-staff', 'nobody is logged in at this window');
    if (paused) this.closeInvitation('paused');
    this.session = { ...this.session, paused };
    this.o.kv.set('session', this.session);
    this.o.events.record(paused ? 'paused' : 'resumed');
    this.changed();
    return { accepted: true };
  }

  /** `validForSec`: how long a case invitation may still be open, from now (its arrival); it only ever shortens the timeout. */
  private openInvitation(p: Partial<InvitationRef> & { source: 'case' | 'staff' }, validForSec?: number): InputOutcome {
    if (!this.session.staffId) return fail('no-staff', 'nobody is logged in at this window');
    if (this.session.paused) return fail('paused', 'the window is paused');
    if (p.source === 'staff' && this.invitation) return { accepted: true }; // "please rate" twice: one invitation
    // The gateway sends queued invitations again after each connection: the one on screen stays as it is.
    if (p.id && this.invitation?.id === p.id) return { accepted: true };
    if (p.id && this.o.store.hasRatingForInvitation(p.id)) return fail('invitation-used', 'this invitation already has its rating');
    const at = this.now();
    const openSec = Math.min(this.config.invitationTimeoutSec, validForSec ?? Infinity);
    const inv: OpenInvitation = {
      id: p.id ?? uuidv7(),
      source: p.source,
      ...(p.caseNo ? { caseNo: p.caseNo } : {}),
      ...(p.itemCode ? { itemCode: p.itemCode } : {}),
      ...(p.itemName ? { itemName: p.itemName } : {}),
      invitedAt: new Date(at).toISOString(),
      expiresAt: new Date(at + openSec * 1000).toISOString(),
    };
    if (this.invitation) this.events.emit('disarmed', { reason: 'replaced' });
    this.invitation = inv;
    // The next citizen's invitation ends the previous one's thanks/details screen (its rating is kept).
    if (this.lastRating) {
      this.lastRating = null;
      this.clearTimer('screen');
    }
    this.o.kv.set('invitation', inv);
    this.o.events.record('invitation-opened', { source: inv.source });
    this.armTimer(inv);
    this.events.emit('armed', { invitationId: inv.id, expiresAt: inv.expiresAt });
    this.changed();
    return { accepted: true };
  }

  private press(level: RatingLevel, channel: RatingRecord['channel']): InputOutcome {
    if (!LEVELS[level]) return fail('bad-level', `rating level must be 1..5, got ${String(level)}`);
    const inv = this.invitation;
    if (!inv) {
      this.integrity.notePressWhileNotArmed();
      this.o.events.record('press-not-armed');
      this.events.emit('press-ignored', { reason: 'not-armed' });
      return fail('not-armed', 'no invitation is open: a press is a rating only after an invitation (一次一评)');
    }
    const now = this.now();
    const { expiresAt: _e, ...invitation } = inv;
    const rec = {
      kind: 'rating' as const,
      id: uuidv7(),
      at: new Date(now).toISOString(),
      level,
      channel,
      catalogueVersion: this.config.catalogueVersion,
      windowId: this.config.window.id,
      ...(this.session.staffId ? { staffId: this.session.staffId } : {}),
      invitation,
      facts: this.integrity.factsFor(now, Date.parse(inv.invitedAt), this.session.staffId !== null),
    };
    let stored: ReturnType<ChainStore['append']>;
    try {
      stored = this.o.store.append(rec);
    } catch (err) {
      return this.storeFailure(err);
    }
    // Durable from here on: only now confirm to anyone.
    this.integrity.noteRated(now);
    this.invitation = null;
    this.clearTimer('invitation');
    this.lastRating = { id: rec.id, level, phase: LEVELS[level].bad ? 'details' : 'thanks' };
    this.screenTimer(this.lastRating.phase === 'details' ? this.o.detailsTimeoutSec : this.o.thanksTimeoutSec);
    this.events.emit('rating-committed', { ratingId: rec.id, level, seq: stored.seq });
    this.events.emit('disarmed', { reason: 'rated' });
    this.events.emit('records-appended', { throughSeq: stored.seq });
    this.changed();
    return { accepted: true, ratingId: rec.id };
  }

  /** Reasons, comment and a consented call-back number after a 差评 (R2, R10, R12). */
  async addDetails(d: DetailsInput): Promise<InputOutcome> {
    const rating = this.o.store.getRecord(d.ratingId);
    if (rating?.kind !== 'rating') return fail('unknown-rating', 'no such rating on this device');
    if (this.o.store.hasDetailFor(d.ratingId)) return fail('already-detailed', 'this rating already has its details');
    const problem = reasonCodesProblem(rating.catalogueVersion, rating.level, d.reasons);
    if (problem) return fail('bad-reasons', problem);
    if (d.phone !== undefined && !d.consent) return fail('no-consent', "a call-back number needs the rater's explicit consent");
    if (d.phone !== undefined && !this.config.contactKey) return fail('callback-unavailable', 'call-back is not configured at this hall');
    const comment = d.comment?.trim();
    try {
      const stored = this.o.store.append({
        kind: 'detail',
        id: uuidv7(),
        at: new Date(this.now()).toISOString(),
        ratingId: d.ratingId,
        reasons: d.reasons,
        ...(comment ? { comment } : {}),
        ...(d.phone !== undefined && this.config.contactKey ? { contact: sealContact(d.phone, this.config.contactKey) } : {}),
      });
      this.events.emit('records-appended', { throughSeq: stored.seq });
    } catch (err) {
      return this.storeFailure(err);
    }
    this.finishDetails(d.ratingId);
    return { accepted: true };
  }

  /** The citizen is done (or walked away): no details, back to thanks then idle. */
  finishDetails(ratingId: string): InputOutcome {
    if (this.lastRating?.id !== ratingId) return fail('unknown-rating', 'that rating is no longer on screen');
    this.lastRating = { ...this.lastRating, phase: 'thanks' };
    this.screenTimer(this.o.thanksTimeoutSec);
    this.changed();
    return { accepted: true };
  }

  /** The citizen is still typing details: give them the full details timeout again. */
  detailsActivity(ratingId: string): InputOutcome {
    if (this.lastRating?.id !== ratingId || this.lastRating.phase !== 'details') return fail('unknown-rating', 'that rating is not waiting for details');
    this.screenTimer(this.o.detailsTimeoutSec);
    return { accepted: true };
  }

  updateSettings(patch: Partial<Settings>): Settings {
    this.settings = { ...this.settings, ...patch };
    this.o.kv.set('settings', this.settings);
    this.changed();
    return this.settings;
  }

  async stop(): Promise<void> {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.events.clear();
  }

  // ---- internals ----------------------------------------------------------------------------

  private storeFailure(err: unknown): InputOutcome {
    if (err instanceof StoreError) {
      this.o.events.record('storage-error', { code: err.code });
      return fail(err.code, err.message);
    }
    throw err;
  }

  private closeInvitation(reason: 'expired' | 'paused' | 'logout' | 'withdrawn'): void {
    if (!this.invitation) return;
    this.invitation = null;
    this.clearTimer('invitation');
    this.o.kv.delete('invitation');
    if (reason === 'expired') this.o.events.record('invitation-expired');
    if (reason === 'withdrawn') this.o.events.record('invitation-withdrawn');
    this.events.emit('disarmed', { reason });
  }

  /**
   * An invitation survives a restart only if it is still open and has not been rated. Its expiry
   * was stamped by the previous run's clock, which may differ from this run's (device/clock): it
   * never stays open longer than a whole invitation timeout from now.
   */
  private restoredInvitation(inv: OpenInvitation | null): OpenInvitation | null {
    if (!inv || this.o.store.hasRatingForInvitation(inv.id)) return null;
    const now = this.now();
    const left = Date.parse(inv.expiresAt) - now;
    if (!(left > 0)) return null;
    const most = this.config.invitationTimeoutSec * 1000;
    return left > most ? { ...inv, expiresAt: new Date(now + most).toISOString() } : inv;
  }

  private armTimer(inv: OpenInvitation): void {
    this.clearTimer('invitation');
    const ms = Math.max(0, Date.parse(inv.expiresAt) - this.now());
    this.timers.set(
      'invitation',
      setTimeout(() => {
        if (this.invitation?.id !== inv.id) return;
        this.closeInvitation('expired');
        this.changed();
      }, ms).unref(),
    );
  }

  private screenTimer(sec: number): void {
    this.clearTimer('screen');
    this.timers.set(
      'screen',
      setTimeout(() => {
        if (!this.lastRating) return;
        // Details not given in time: the committed rating stays, the screen moves on.
        if (this.lastRating.phase === 'details') return void this.finishDetails(this.lastRating.id);
        this.lastRating = null;
        this.changed();
      }, sec * 1000).unref(),
    );
  }

  private showNotice(notice: ViewNotice): void {
    this.notice = notice;
    this.clearTimer('notice');
    this.timers.set(
      'notice',
      setTimeout(() => {
        this.timers.delete('notice');
        this.notice = null;
        this.changed();
      }, this.o.thanksTimeoutSec * 1000).unref(),
    );
  }

  private clearTimer(name: 'invitation' | 'screen' | 'capture' | 'notice'): void {
    const t = this.timers.get(name);
    if (t) clearTimeout(t);
    this.timers.delete(name);
  }

  private changed(): void {
    this.revision += 1;
    this.events.emit('view', this.view());
  }
}
