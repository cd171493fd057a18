/**
 * The 评议卡 page in the console's menu (router/routes.ts lists it): print cards, enter the filled
 * ones, see what was entered. Managers and department heads, as the gateway's paper routes allow.
 */
import { DocumentAdd } from '@element-plus/icons-vue';
import type { RouteRecordRaw } from 'vue-router';

export const paperPage: RouteRecordRaw = {
  path: 'paper',
  name: 'paper',
  component: () => import('./PaperView.vue'),
  meta: { roles: ['manager', 'dept-head'], titleKey: 'nav.paper', icon: DocumentAdd },
};
