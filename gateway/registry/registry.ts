/**
 * Hall IT's registry of windows and staff, and what each device is told of its window (the config
 * it works from, offline if need be). Devices themselves (registration, enrolment, retirement)
 * are in gateway/enrolment.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { DEVICE_COMMANDS, StaffEntrySchema, type DeviceConfig, type StaffEntry } from '@hcp/contract';
import type { Clock, HallSettings } from '../feature.js';
import type { Db, GatewayStore } from '../store/database.js';
import { RegistryError } from './registry-error.js';

export const WindowBodySchema = z
  .object({
    windowId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'window id must be lower-case letters, digits and -'),
    number: z.string().trim().min(1).max(16),
    /** The department by id (the console), or by name (scripts; a department of that name is made if there is none). */
    departmentId: z.string().min(1).max(64).optional(),
    department: z.string().trim().min(1).max(100).optional(),
  })
  .refine((w) => w.departmentId !== undefined || w.department !== undefined, { path: ['departmentId'], message: 'give the department (departmentId, or its name as department)' });
export type WindowBody = z.infer<typeof WindowBodySchema>;

export const StaffBodySchema = StaffEntrySchema.extend({ windowId: z.string().min(1).max(64).nullable() });
export type StaffBody = z.infer<typeof StaffBodySchema>;

export interface WindowRow {
  windowId: string;
  number: string;
  department: string;
  departmentId: string | null;
}

export type StaffRow = StaffEntry & { windowId: string | null };

const WINDOW_COLUMNS = ['window_id as windowId', 'number', 'department', 'department_id as departmentId'] as const;

/** The window's department: by id, or by name (made, with a new id, if the hall has none of that name). */
async function departmentFor(trx: Db, w: WindowBody, now: string): Promise<{ department_id: string; name: string }> {
  if (w.departmentId) {
    const d = await trx.selectFrom('departments').select(['department_id', 'name']).where('department_id', '=', w.departmentId).executeTakeFirst();
    if (!d) throw new RegistryError('not-found', `no department ${w.departmentId}`);
    return d;
  }
  const name = w.department!;
  const found = await trx.selectFrom('departments').select(['department_id', 'name']).where('name', '=', name).executeTakeFirst();
  if (found) return found;
  const made = { department_id: `dept-${randomBytes(4).toString('hex')}`, name };
  await trx
    .insertInto('departments')
    .values({ ...made, parent_id: null, created_at: now })
    .execute();
  return made;
}

export interface ContactKeyInfo {
  keyId: string;
  publicKeyPem: string;
}

export class Registry {
  constructor(
    private readonly store: GatewayStore,
    private readonly hall: HallSettings,
    private readonly clock: Clock,
    private contactKey: ContactKeyInfo | (() => ContactKeyInfo) | undefined,
  ) {}

  /**
   * Where the key devices seal call-back numbers to comes from: the follow-up feature's key ring
   * (gateway/contact-key.ts), whose key changes every epoch. Without it devices take no number: a
   * hall that does not follow 差评 up promises no call-back.
   */
  useContactKeys(source: () => ContactKeyInfo): void {
    this.contactKey = source;
  }

  /** Whether phones reach hall.qrBaseUrl now (the phone feature's probe, gateway/phone/phone-reach.ts); while not, devices hide the QR codes. */
  private phonesReach: () => boolean = () => true;

  usePhoneReachability(source: () => boolean): void {
    this.phonesReach = source;
  }

  async upsertWindow(w: WindowBody): Promise<void> {
    const now = new Date(this.clock.now()).toISOString();
    await this.store.write(async (trx) => {
      const clash = await trx.selectFrom('windows').select('window_id').where('number', '=', w.number).where('window_id', '!=', w.windowId).executeTakeFirst();
      if (clash) throw new RegistryError('conflict', `window number ${w.number} is already window ${clash.window_id}`);
      const dept = await departmentFor(trx, w, now);
      await trx
        .insertInto('windows')
        .values({ window_id: w.windowId, number: w.number, department: dept.name, department_id: dept.department_id, created_at: now })
        .onConflict((oc) =>
          oc
            .column('window_id')
            .doUpdateSet((eb) => ({ number: eb.ref('excluded.number'), department: eb.ref('excluded.department'), department_id: eb.ref('excluded.department_id') })),
        )
        .execute();
    });
  }

  async listWindows(): Promise<WindowRow[]> {
    return this.store.db.selectFrom('windows').select(WINDOW_COLUMNS).orderBy('number').execute();
  }

  async window(windowId: string): Promise<WindowRow | undefined> {
    return this.store.db.selectFrom('windows').select(WINDOW_COLUMNS).where('window_id', '=', windowId).executeTakeFirst();
  }

  async windowByNumber(number: string): Promise<WindowRow | undefined> {
    return this.store.db.selectFrom('windows').select(WINDOW_COLUMNS).where('number', '=', number).executeTakeFirst();
  }

  /** Insert or replace a staff member; `photo` must already be a normalised data URL (photos.ts). */
  async upsertStaff(s: StaffBody): Promise<{ previousWindowId: string | null }> {
    if (s.windowId && !(await this.window(s.windowId))) throw new RegistryError('not-found', `no window ${s.windowId}`);
    return this.store.write(async (trx) => {
      // One badge, one person: a badge on two staff would log in whichever the device found first.
      const mine = new Set(s.badgeUids.map((u) => u.toUpperCase()));
      if (mine.size) {
        const others = await trx.selectFrom('staff').select(['staff_id', 'name', 'badge_uids']).where('staff_id', '!=', s.staffId).execute();
        for (const o of others) {
          const clash = (JSON.parse(o.badge_uids) as string[]).find((u) => mine.has(u.toUpperCase()));
          if (clash) throw new RegistryError('conflict', `badgeUids: badge ${clash} already belongs to ${o.name} (${o.staff_id}); take it off them first`);
        }
      }
      const before = await trx.selectFrom('staff').select('window_id').where('staff_id', '=', s.staffId).executeTakeFirst();
      await trx
        .insertInto('staff')
        .values({
          staff_id: s.staffId,
          staff_no: s.staffNo,
          name: s.name,
          post: s.post,
          title: s.title,
          window_id: s.windowId,
          badge_uids: JSON.stringify(s.badgeUids),
          photo: s.photo ?? null,
        })
        .onConflict((oc) =>
          oc.column('staff_id').doUpdateSet((eb) => ({
            staff_no: eb.ref('excluded.staff_no'),
            name: eb.ref('excluded.name'),
            post: eb.ref('excluded.post'),
            title: eb.ref('excluded.title'),
            window_id: eb.ref('excluded.window_id'),
            badge_uids: eb.ref('excluded.badge_uids'),
            photo: eb.ref('excluded.photo'),
          })),
        )
        .execute();
      return { previousWindowId: before?.window_id ?? null };
    });
  }

  async setStaffPhoto(staffId: string, photo: string): Promise<string | null> {
    const r = await this.store.db.updateTable('staff').set({ photo }).where('staff_id', '=', staffId).returning('window_id').executeTakeFirst();
    if (!r) throw new RegistryError('not-found', `no staff ${staffId}`);
    return r.window_id;
  }

  async listStaff(windowId?: string, db: Db = this.store.db): Promise<StaffRow[]> {
    let q = db.selectFrom('staff').selectAll().orderBy('staff_no');
    if (windowId) q = q.where('window_id', '=', windowId);
    const rows = await q.execute();
    return rows.map((r) => ({
      staffId: r.staff_id,
      staffNo: r.staff_no,
      name: r.name,
      post: r.post,
      title: r.title,
      windowId: r.window_id,
      badgeUids: JSON.parse(r.badge_uids) as string[],
      ...(r.photo ? { photo: r.photo } : {}),
    }));
  }

  /** Active devices of a window (or of every window). */
  async deviceIds(windowId: string | null): Promise<string[]> {
    let q = this.store.db.selectFrom('devices').select('device_id').where('retired', '=', 0).where('enrolled_at', 'is not', null);
    if (windowId) q = q.where('window_id', '=', windowId);
    return (await q.execute()).map((r) => r.device_id);
  }

  /** The config a device works from (window, roster with photos, catalogue, timeouts, contact key). */
  async configFor(deviceId: string): Promise<DeviceConfig | null> {
    return this.store.write(async (trx) => {
      const d = await trx
        .selectFrom('devices as d')
        .innerJoin('windows as w', 'w.window_id', 'd.window_id')
        .select(['d.window_id', 'd.config_version', 'w.number', 'w.department'])
        .where('d.device_id', '=', deviceId)
        .where('d.retired', '=', 0)
        .executeTakeFirst();
      if (!d?.window_id) return null;
      const version = d.config_version + 1;
      await trx.updateTable('devices').set({ config_version: version }).where('device_id', '=', deviceId).execute();
      const roster = await this.listStaff(d.window_id, trx);
      return {
        configVersion: version,
        deviceId,
        hallName: this.hall.hallName,
        window: { id: d.window_id, number: d.number, department: d.department },
        roster: roster.map(({ windowId: _w, ...s }) => s),
        catalogueVersion: this.hall.catalogueVersion,
        invitationTimeoutSec: this.hall.invitationTimeoutSec,
        ...(this.contactKey ? { contactKey: typeof this.contactKey === 'function' ? this.contactKey() : this.contactKey } : {}),
        ...(this.hall.qrBaseUrl && this.phonesReach() ? { qrBaseUrl: this.hall.qrBaseUrl } : {}),
        // Tells the device it may subscribe to its command topic (badge capture, issue 11).
        commands: [...DEVICE_COMMANDS],
      };
    });
  }
}
