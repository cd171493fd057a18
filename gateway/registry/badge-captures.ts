/**
 * Badge capture (issue 11): hall IT picks a device and clicks "capture"; the gateway sends the
 * device a `captureBadge` command; the next badge tapped there within `forSec` is reported on the
 * device's `badge` topic instead of logging anyone in or out; the console polls the capture and
 * puts the UID on a staff member (PUT /api/staff). Captures are rows, not memory, so a tap reaching
 * another gateway worker (a site broker's shared subscription) is still seen by the one asked.
 *
 * A report is taken only from the device the capture was sent to, once, and in time (a few seconds
 * of grace: the device's window starts when the command arrives, after ours). Anything else is a
 * security event. Badge UIDs are staff identity, never a rater's.
 */
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { BadgeCaptureSchema, MAX_BADGE_CAPTURE_SEC, type DeviceCommand } from '@hcp/contract';
import type { Actor, AuditLog } from '../audit/audit-log.js';
import type { Clock } from '../feature.js';
import type { GatewayStore } from '../store/database.js';
import { RegistryError } from './registry-error.js';

/** How long a capture waits for a tap when the console does not say. */
export const DEFAULT_CAPTURE_SEC = 60;
/** A tap the device took just before its window closed may reach us just after ours did. */
export const REPORT_GRACE_MS = 5000;
/** Captures are kept this long (hall IT's trail is the audit log). */
const KEEP_MS = 24 * 3600_000;

export const CaptureBodySchema = z.object({ forSec: z.number().int().min(5).max(MAX_BADGE_CAPTURE_SEC).default(DEFAULT_CAPTURE_SEC) });
export const CaptureStartedSchema = z.object({ captureId: z.string(), expiresAt: z.string() });
export const CaptureStateSchema = z.object({
  captureId: z.string(),
  deviceId: z.string(),
  state: z.enum(['waiting', 'captured', 'expired']),
  expiresAt: z.string(),
  /** Upper-case hex, once captured. */
  uid: z.string().optional(),
  capturedAt: z.string().optional(),
});
export type CaptureState = z.infer<typeof CaptureStateSchema>;

export interface BadgeCapturesOptions {
  store: GatewayStore;
  clock: Clock;
  audit: AuditLog;
  /** Publish on the device's own `command` topic; rejects when the broker link is down. */
  send(deviceId: string, command: DeviceCommand): Promise<void>;
  /** A refused report (malformed, unknown capture, another device's, too late): a security event. */
  refused(deviceId: string, detail: string): void;
  /**
   * Whether this gateway sees devices' subscriptions (the embedded broker does, a site broker does
   * not): then a device that never subscribed to commands (older software) is refused at once
   * instead of leaving the console waiting for a tap that cannot come.
   */
  seesSubscriptions: boolean;
}

export class BadgeCaptures {
  /** Devices whose live session subscribed to their command topic. */
  private readonly listening = new Set<string>();

  constructor(private readonly o: BadgeCapturesOptions) {}

  /** The broker saw the device subscribe to these of its topics. */
  subscribed(deviceId: string, kinds: readonly string[]): void {
    if (kinds.includes('command')) this.listening.add(deviceId);
  }

  /** The device's session ended. */
  disconnected(deviceId: string): void {
    this.listening.delete(deviceId);
  }

  async start(deviceId: string, forSec: number, actor: Actor): Promise<{ captureId: string; expiresAt: string }> {
    const device = await this.o.store.db.selectFrom('devices').select(['retired', 'online', 'enrolled_at']).where('device_id', '=', deviceId).executeTakeFirst();
    if (!device) throw new RegistryError('not-found', `no device ${deviceId}`);
    if (device.retired) throw new RegistryError('retired', `device ${deviceId} is retired`);
    if (!device.online) throw new RegistryError('conflict', `device ${deviceId} is offline: a badge can be captured only on a device that is connected`);
    if (this.o.seesSubscriptions && !this.listening.has(deviceId)) {
      throw new RegistryError('conflict', `device ${deviceId} does not listen for console commands: its software predates badge capture, or it connected a moment ago`);
    }
    const now = this.o.clock.now();
    const captureId = uuidv7();
    const expiresAt = new Date(now + forSec * 1000).toISOString();
    await this.o.store.write(async (trx) => {
      await trx
        .deleteFrom('badge_captures')
        .where('requested_at', '<', new Date(now - KEEP_MS).toISOString())
        .execute();
      await trx
        .insertInto('badge_captures')
        .values({
          capture_id: captureId,
          device_id: deviceId,
          requested_by: actor.username,
          requested_at: new Date(now).toISOString(),
          expires_at: expiresAt,
          uid: null,
          captured_at: null,
        })
        .execute();
      await this.o.audit.record({ actor: actor.username, action: 'badge-capture-started', subject: deviceId, detail: { captureId, forSec }, remote: actor.remote }, trx);
    });
    try {
      await this.o.send(deviceId, { captureBadge: { captureId, forSec } });
    } catch {
      throw new RegistryError('conflict', `the capture could not be sent to device ${deviceId} (the broker link is down): try again`);
    }
    return { captureId, expiresAt };
  }

  async state(captureId: string): Promise<CaptureState> {
    const row = await this.o.store.db.selectFrom('badge_captures').selectAll().where('capture_id', '=', captureId).executeTakeFirst();
    if (!row) throw new RegistryError('not-found', `no badge capture ${captureId}`);
    const base = { captureId, deviceId: row.device_id, expiresAt: row.expires_at };
    if (row.uid) return { ...base, state: 'captured', uid: row.uid, ...(row.captured_at ? { capturedAt: row.captured_at } : {}) };
    return { ...base, state: this.o.clock.now() > Date.parse(row.expires_at) + REPORT_GRACE_MS ? 'expired' : 'waiting' };
  }

  /** A device's message on its `badge` topic. */
  async report(deviceId: string, payload: Buffer): Promise<void> {
    let parsed: ReturnType<typeof BadgeCaptureSchema.safeParse> | undefined;
    try {
      parsed = BadgeCaptureSchema.safeParse(JSON.parse(payload.toString('utf8')));
    } catch {
      /* not JSON: refused below */
    }
    if (!parsed?.success) return this.o.refused(deviceId, 'malformed badge capture');
    const { captureId, uid } = parsed.data;
    const now = this.o.clock.now();
    const refusal = await this.o.store.write(async (trx) => {
      const row = await trx.selectFrom('badge_captures').selectAll().where('capture_id', '=', captureId).executeTakeFirst();
      if (!row || row.device_id !== deviceId) return 'no capture of this device has that id';
      // QoS 1 may deliver the same report twice: the same badge again is no news.
      if (row.uid) return row.uid === uid ? null : 'the capture already has its badge';
      if (now > Date.parse(row.expires_at) + REPORT_GRACE_MS) return 'the capture had expired';
      await trx
        .updateTable('badge_captures')
        .set({ uid, captured_at: new Date(now).toISOString() })
        .where('capture_id', '=', captureId)
        .execute();
      await this.o.audit.record({ actor: `device:${deviceId}`, action: 'badge-captured', subject: captureId, detail: { uid, requestedBy: row.requested_by } }, trx);
      return null;
    });
    if (refusal) this.o.refused(deviceId, `badge capture refused: ${refusal}`);
  }
}
