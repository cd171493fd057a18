/**
 * What the device knows of its window: hall, window, roster, catalogue, timeouts, the hall's
 * contact key. It comes from the gateway (retained config, cached in SQLite so the device works
 * offline) or, before the first config arrives, from the bootstrap section of the config file.
 */
import { z } from 'zod';
import { DeviceConfigSchema, StaffEntrySchema, CURRENT_CATALOGUE_VERSION, type DeviceConfig } from '../contract/index.js';

export const BootstrapSchema = z.object({
  hallName: z.string().min(1).max(100),
  window: z.object({ id: z.string().min(1).max(64), number: z.string().min(1).max(16), department: z.string().max(100) }),
  roster: z.array(StaffEntrySchema).max(200).default([]),
  catalogueVersion: z.string().min(1).max(32).default(CURRENT_CATALOGUE_VERSION),
  contactKey: DeviceConfigSchema.shape.contactKey,
  qrBaseUrl: z.string().url().optional(),
});
export type Bootstrap = z.infer<typeof BootstrapSchema>;

export function configFromBootstrap(deviceId: string, b: Bootstrap, invitationTimeoutSec: number): DeviceConfig {
  return {
    configVersion: 1,
    deviceId,
    hallName: b.hallName,
    window: b.window,
    roster: b.roster,
    catalogueVersion: b.catalogueVersion,
    invitationTimeoutSec,
    ...(b.contactKey ? { contactKey: b.contactKey } : {}),
    ...(b.qrBaseUrl ? { qrBaseUrl: b.qrBaseUrl } : {}),
  };
}

/** Badge UIDs are compared as upper-case hex. */
export function findStaffByBadge(config: DeviceConfig, uid: string) {
  const wanted = uid.toUpperCase();
  return config.roster.find((s) => s.badgeUids.includes(wanted));
}
