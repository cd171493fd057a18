/**
 * The 发布 page in the console's menu (router/routes.ts lists it). The gateway's release routes let
 * hall IT change and managers and supervisors read; the menu is hall IT's, whose work it is.
 */
import { Upload } from '@element-plus/icons-vue';
import type { RouteRecordRaw } from 'vue-router';

export const releasesPage: RouteRecordRaw = {
  path: 'releases',
  name: 'releases',
  component: () => import('./ReleasesView.vue'),
  meta: { roles: ['hall-it', 'manager', 'supervisor'], menuRoles: ['hall-it'], titleKey: 'nav.releases', icon: Upload },
};
