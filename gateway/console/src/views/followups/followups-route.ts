/**
 * The 差评处置 page in the console's menu (router/routes.ts lists it). One route: the list, and one
 * follow-up when the query names it (`/followups?id=fu-…`), so the menu stays one entry and a link to
 * a follow-up can be shared. Hall IT and auditors have no follow-ups (the API refuses them).
 */
import { Finished } from '@element-plus/icons-vue';
import type { RouteRecordRaw } from 'vue-router';

export const followupsPage: RouteRecordRaw = {
  path: 'followups',
  name: 'followups',
  component: () => import('./FollowupsView.vue'),
  meta: { roles: ['manager', 'dept-head', 'supervisor'], titleKey: 'nav.followups', icon: Finished },
};
