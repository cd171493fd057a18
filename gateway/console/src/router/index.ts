/**
 * Hash routing (/#/live, /#/screen?key=…): the gateway serves one index.html at / and no console
 * path can shadow an API path. One guard decides every page: public pages open for anyone; the
 * others need a session (else the login page, remembering where the user was going) and a role the
 * page lists (else the role's first page).
 */
import { createRouter, createWebHashHistory, type RouteLocationNormalized } from 'vue-router';
import { whenUnauthorized } from '../api/client';
import { forgetSession, loadSession } from '../composables/useSession';
import { preloadCharts } from '../charts/echarts';
import { askLiveAnswers } from '../first-answers';
import { preloadRoute, prefetchWhenIdle } from './preload';
import { consolePages, homeFor, mayOpen } from './routes';

export const router = createRouter({
  history: createWebHashHistory(),
  routes: [
    { path: '/login', name: 'login', component: () => import('../views/LoginView.vue'), meta: { public: true } },
    { path: '/screen', name: 'screen', component: () => import('../views/ScreenView.vue'), meta: { public: true } },
    { path: '/', component: () => import('../components/AppLayout.vue'), children: consolePages },
    { path: '/:rest(.*)*', name: 'not-found', component: () => import('../views/NotFoundView.vue'), meta: { public: true } },
  ],
});

router.beforeEach(async (to: RouteLocationNormalized) => {
  if (to.meta.public) return true;
  // The page's code downloads while the gateway says who is logged in, not after (asked first:
  // the browser's six connections then carry the chunks).
  const session = loadSession();
  preloadRoute(to);
  // The live hall's figures travel while the session is checked (first-answers.ts).
  if (to.name === 'live') askLiveAnswers();
  const me = await session;
  if (me && to.name === 'live') preloadCharts();
  if (!me) return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} };
  if (to.path === '/' || !mayOpen(me.role, to.meta.roles)) return homeFor(me.role);
  return true;
});

// While someone types their password, the page most roles land on (and its frame) downloads.
router.afterEach((to) => {
  if (to.name === 'login') prefetchWhenIdle(router.resolve('/live'));
});

// A 401 from any call (the session expired, was ended, or the account disabled): back to login.
whenUnauthorized(() => {
  forgetSession();
  const here = router.currentRoute.value;
  if (here.meta.public) return;
  void router.replace({ name: 'login', query: { redirect: here.fullPath } });
});
