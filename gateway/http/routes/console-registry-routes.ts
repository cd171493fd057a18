/**
 * The gateway side of the console's Registry and account screens (issue 11), built in one call so
 * the root (gateway.ts) adds them with one line: departments and service items, console accounts,
 * and hall IT's device screens (re-enrolment, provisioning, badge capture).
 */
import type { FastifyPluginAsync } from 'fastify';
import { ConsoleAccounts } from '../../accounts/console-accounts.js';
import { Departments } from '../../registry/departments.js';
import { ServiceItems } from '../../registry/service-items.js';
import { accountRoutes } from './account-routes.js';
import type { CoreServices } from './core-services.js';
import { departmentRoutes } from './department-routes.js';
import { deviceConsoleRoutes, type DeviceConsoleServices } from './device-console-routes.js';

export function consoleRegistryRoutes(s: CoreServices & DeviceConsoleServices): FastifyPluginAsync[] {
  const departments = new Departments(s.store, s.clock, s.audit);
  const items = new ServiceItems(s.store, s.clock, s.audit);
  const accounts = new ConsoleAccounts(s.store, s.clock, s.audit, s.auth);
  return [departmentRoutes(s, departments, items), accountRoutes(s, accounts), deviceConsoleRoutes(s)];
}
