/**
 * Shapes of gateway answers that /openapi.json does not describe (their routes have no response
 * schema, so the generated schema.d.ts says nothing about them). Each is copied from the gateway
 * type named beside it; they are API gaps, reported to the lead, and go away when the routes
 * describe their answers (docs/STYLE.md §11: one source for each contract).
 */

/** GET /api/windows — gateway/registry/registry.ts WindowRow. */
export interface WindowRow {
  windowId: string;
  number: string;
  department: string;
  departmentId: string | null;
}

/** GET /api/staff — gateway/registry/registry.ts StaffRow without the photo, plus hasPhoto (registry-routes.ts). */
export interface StaffRow {
  staffId: string;
  staffNo: string;
  name: string;
  post: string;
  title: string;
  badgeUids: string[];
  windowId: string | null;
  hasPhoto: boolean;
}

/** The facts a device reports — @hcp/contract DeviceStatus (merged, so any may be missing). */
export interface DeviceFacts {
  online?: boolean;
  softwareVersion?: string;
  backlog?: number;
  lastSyncAt?: string | null;
  clockOffsetMs?: number;
  panel?: 'connected' | 'disconnected' | 'absent';
  reader?: 'connected' | 'disconnected' | 'absent';
  storeFill?: number;
  at?: string;
}

/** GET /api/devices — gateway/devices/device-status.ts DeviceView. */
export interface DeviceView {
  deviceId: string;
  windowId: string | null;
  retired: boolean;
  enrolled: boolean;
  epoch: number;
  headSeq: number;
  online: boolean;
  offlineSince: string | null;
  lastSeenAt: string | null;
  status: DeviceFacts | null;
}

/** GET /api/alerts and the live stream's `alert` event — gateway/alerts/alert-board.ts AlertView. */
export interface AlertView {
  id: number;
  kind: string;
  subject: string;
  detail: string;
  raisedAt: string;
  lastAt: string;
  count: number;
  clearedAt: string | null;
  ackedAt: string | null;
  ackedBy: string | null;
  ackComment: string | null;
}

/** POST /api/devices — gateway/enrolment/enrolment.ts registerDevice(). */
export interface EnrolmentCode {
  code: string;
  expiresAt: string;
}
