/** Derives the screen the kiosk shows from the runtime's state: the UI never decides on its own. */
import { LEVELS, type DeviceConfig, type DeviceView, type InvitationRef, type RatingLevel, type Language, type ViewNotice } from '../contract/index.js';

export interface ViewInputs {
  revision: number;
  config: DeviceConfig;
  staffId: string | null;
  paused: boolean;
  invitation: (InvitationRef & { expiresAt: string }) | null;
  lastRating: { id: string; level: RatingLevel; phase: 'details' | 'thanks' } | null;
  connection: DeviceView['connection'];
  settings: { language: Language; largeText: boolean; highContrast: boolean; speech: boolean };
  timeouts: DeviceView['timeouts'];
  notice?: ViewNotice | null;
}

export function buildView(s: ViewInputs): DeviceView {
  const staff = s.staffId ? (s.config.roster.find((r) => r.staffId === s.staffId) ?? null) : null;
  const screen: DeviceView['screen'] = s.lastRating ? s.lastRating.phase : !staff || s.paused ? 'paused' : s.invitation ? 'armed' : 'idle';
  const qr = s.config.qrBaseUrl?.replace(/\/$/, '');
  const view: DeviceView = {
    revision: s.revision,
    screen,
    hallName: s.config.hallName,
    window: s.config.window,
    staff: staff
      ? { staffId: staff.staffId, staffNo: staff.staffNo, name: staff.name, post: staff.post, title: staff.title, ...(staff.photo ? { photo: staff.photo } : {}) }
      : null,
    invitation: s.invitation
      ? {
          id: s.invitation.id,
          source: s.invitation.source,
          ...(s.invitation.caseNo ? { caseNo: s.invitation.caseNo } : {}),
          ...(s.invitation.itemName ? { itemName: s.invitation.itemName } : {}),
          expiresAt: s.invitation.expiresAt,
          ...(qr ? { qrUrl: `${qr}/r/${s.config.deviceId}/${s.invitation.id}` } : {}),
        }
      : null,
    lastRating: s.lastRating ? { id: s.lastRating.id, level: s.lastRating.level, bad: LEVELS[s.lastRating.level].bad } : null,
    catalogueVersion: s.config.catalogueVersion,
    callbackAvailable: s.config.contactKey !== undefined,
    ...(qr ? { windowQrUrl: `${qr}/w/${s.config.window.id}` } : {}),
    connection: s.connection,
    settings: s.settings,
    timeouts: s.timeouts,
  };
  // Only while nothing else is on screen: a new invitation or a rating says more.
  if (s.notice && (screen === 'idle' || screen === 'paused')) view.notice = s.notice;
  return view;
}
