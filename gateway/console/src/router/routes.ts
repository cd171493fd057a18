/**
 * The console's pages and who sees each. One list serves the menu (AppLayout) and the single guard
 * (router/index.ts), as Vben Admin cuts it; the roles mirror what the gateway's routes allow, and
 * the gateway still enforces every one of them.
 */
import { Bell, Connection, DataLine, Document, Files, Link, Monitor, OfficeBuilding, Postcard, Tickets, User, UserFilled, View } from '@element-plus/icons-vue';
import type { Component } from 'vue';
import type { RouteRecordRaw } from 'vue-router';
import type { Role } from '../api/types';
import type { MessageSchema } from '../i18n';
import { followupsPage } from '../views/followups/followups-route';
import { paperPage } from '../views/paper/paper-route';
import { releasesPage } from '../views/releases/releases-route';
import { reportsPage } from '../views/reports/reports-route';
import { villagePage } from '../views/village/village-route';

export type NavKey = `nav.${keyof MessageSchema['nav']}`;

declare module 'vue-router' {
  interface RouteMeta {
    /** Open without a login (the login page, the lobby screen). */
    public?: boolean;
    roles?: Role[];
    /** Roles whose menu lists it, when fewer than `roles` (the others may open a link to it and are told why it is not theirs). */
    menuRoles?: Role[];
    titleKey?: NavKey;
    icon?: Component;
    /** Shown under this menu group. */
    group?: 'registry';
  }
}

const READERS: Role[] = ['hall-it', 'manager', 'dept-head', 'supervisor'];

/** The pages inside the layout, in menu order. */
export const consolePages: RouteRecordRaw[] = [
  { path: 'live', name: 'live', component: () => import('../views/LiveView.vue'), meta: { roles: READERS, titleKey: 'nav.live', icon: DataLine } },
  followupsPage,
  reportsPage,
  paperPage,
  {
    path: 'screen-links',
    name: 'screen-links',
    component: () => import('../views/ScreenLinksView.vue'),
    meta: { roles: ['hall-it', 'manager'], titleKey: 'nav.screenLinks', icon: Monitor },
  },
  {
    path: 'devices',
    name: 'devices',
    component: () => import('../views/DevicesView.vue'),
    meta: { roles: ['hall-it', 'manager', 'supervisor'], titleKey: 'nav.devices', icon: Connection },
  },
  { path: 'alerts', name: 'alerts', component: () => import('../views/AlertsView.vue'), meta: { roles: ['hall-it', 'manager', 'supervisor'], titleKey: 'nav.alerts', icon: Bell } },
  {
    path: 'registry/departments',
    name: 'departments',
    component: () => import('../views/registry/DepartmentsView.vue'),
    meta: { roles: READERS, titleKey: 'nav.departments', icon: OfficeBuilding, group: 'registry' },
  },
  {
    path: 'registry/windows',
    name: 'windows',
    component: () => import('../views/registry/WindowsView.vue'),
    meta: { roles: READERS, titleKey: 'nav.windows', icon: Postcard, group: 'registry' },
  },
  {
    path: 'registry/items',
    name: 'items',
    component: () => import('../views/registry/ItemsView.vue'),
    meta: { roles: READERS, titleKey: 'nav.items', icon: Tickets, group: 'registry' },
  },
  {
    path: 'registry/staff',
    name: 'staff',
    component: () => import('../views/registry/StaffView.vue'),
    meta: { roles: READERS, titleKey: 'nav.staff', icon: UserFilled, group: 'registry' },
  },
  {
    path: 'registry/devices',
    name: 'registry-devices',
    component: () => import('../views/registry/RegistryDevicesView.vue'),
    meta: { roles: ['hall-it'], titleKey: 'nav.registryDevices', icon: Link, group: 'registry' },
  },
  releasesPage,
  villagePage,
  { path: 'accounts', name: 'accounts', component: () => import('../views/AccountsView.vue'), meta: { roles: ['hall-it'], titleKey: 'nav.accounts', icon: User } },
  {
    path: 'integrity',
    name: 'integrity',
    component: () => import('../views/IntegrityView.vue'),
    meta: { roles: ['manager', 'supervisor', 'dept-head'], titleKey: 'nav.integrity', icon: View },
  },
  { path: 'audit', name: 'audit', component: () => import('../views/AuditView.vue'), meta: { roles: ['auditor'], titleKey: 'nav.audit', icon: Document } },
];

/** The icon of the registry group in the menu. */
export const REGISTRY_ICON: Component = Files;

/** The first page a role may open: where a login lands. */
export function homeFor(role: Role): string {
  const page = consolePages.find((p) => p.meta?.roles?.includes(role));
  return page ? `/${page.path}` : '/login';
}

export function mayOpen(role: Role, roles: Role[] | undefined): boolean {
  return !roles || roles.includes(role);
}
