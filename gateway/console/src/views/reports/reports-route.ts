/**
 * The 统计报表 page in the console's menu (router/routes.ts lists it). One route: the list of
 * snapshots, and one report when the query names it (`/reports?id=monthly-2026-11-v2`), so a link to
 * a report can be shared. Department heads do not have it in their menu, but a link someone shares
 * lets them in so that they are told, in words, why reports are not theirs (the API refuses them: a
 * snapshot is hashed whole), rather than sent elsewhere without a word.
 */
import { TrendCharts } from '@element-plus/icons-vue';
import type { RouteRecordRaw } from 'vue-router';

export const reportsPage: RouteRecordRaw = {
  path: 'reports',
  name: 'reports',
  component: () => import('./ReportsView.vue'),
  meta: { roles: ['manager', 'supervisor', 'dept-head'], menuRoles: ['manager', 'supervisor'], titleKey: 'nav.reports', icon: TrendCharts },
};
