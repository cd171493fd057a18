/** The 村级数据导入 page in the console's menu (router/routes.ts lists it): hall IT's, as the gateway's route allows. */
import { FolderOpened } from '@element-plus/icons-vue';
import type { RouteRecordRaw } from 'vue-router';

export const villagePage: RouteRecordRaw = {
  path: 'village',
  name: 'village',
  component: () => import('./VillageView.vue'),
  meta: { roles: ['hall-it'], titleKey: 'nav.village', icon: FolderOpened },
};
