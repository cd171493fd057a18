/** What the core routes are given by the root (gateway.ts). */
import type { AlertBoard } from '../../alerts/alert-board.js';
import type { AuditLog } from '../../audit/audit-log.js';
import type { DeviceStatusBook } from '../../devices/device-status.js';
import type { DeviceLogin } from '../../enrolment/device-login.js';
import type { Enrolment } from '../../enrolment/enrolment.js';
import type { Clock } from '../../feature.js';
import type { Registry } from '../../registry/registry.js';
import type { SecurityLog } from '../../security/security-log.js';
import type { GatewayStore } from '../../store/database.js';
import type { ConsoleAuth } from '../console-auth.js';

export interface CoreServices {
  store: GatewayStore;
  registry: Registry;
  enrolment: Enrolment;
  login: DeviceLogin;
  status: DeviceStatusBook;
  alerts: AlertBoard;
  audit: AuditLog;
  security: SecurityLog;
  auth: ConsoleAuth;
  clock: Clock;
  /** The hall's name, for the console's header. */
  hallName: string;
  /** After a change to what the devices of a window (or all) show. */
  registryChanged(windowId: string | null): void;
  enrolled(deviceId: string): void;
  retired(deviceId: string): void;
}
