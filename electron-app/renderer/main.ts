/**
 * The kiosk renderer's composition root: read the token, open the live view, and mount the screen
 * the runtime's DeviceView names. The UI never decides a screen on its own (device/runtime/view-builder.ts);
 * it re-mounts only when the screen's identity changes, so a push about connection or settings
 * does not throw away what a citizen is typing.
 */
import './no-drop.js';
import type { DeviceView, Language } from '@hcp/contract';
import { LiveView, LocalApi, readToken } from './api.js';
import { citizenControls } from './citizen-controls.js';
import { h } from './dom.js';
import { hallItCorner } from './hall-it-exit.js';
import { LANG_TAG, WORDS } from './i18n.js';
import { noteInteractive } from './metrics.js';
import { armedScreen } from './screens/armed.js';
import type { Screen, ScreenContext } from './screens/context.js';
import { detailsScreen } from './screens/details.js';
import { idleScreen } from './screens/idle.js';
import { pausedScreen } from './screens/paused.js';
import { thanksScreen } from './screens/thanks.js';
import { speak } from './speech.js';
import { statusBadge } from './status-badge.js';

const token = readToken();
const api = new LocalApi(token);
const stage = h('div', { class: 'stage' });
const badge = statusBadge();
let view: DeviceView | null = null;
let linkUp = false;
let mounted: { key: string; screen: Screen } | null = null;
// The citizen's language and text size: shown above every screen, in this page's memory only.
const controls = citizenControls(() => {
  if (view) render(view);
});

// Until the runtime answers (boot order, wrong token): a calm placeholder, never a blank screen.
stage.append(h('main', { class: 'screen connecting' }, h('h1', { class: 'connecting-text' }, '正在连接… Connecting…')));
document.body.replaceChildren(
  stage,
  badge.root,
  hallItCorner(() => WORDS[view ? controls.effective(view).language : 'zh']),
);
badge.paint(null, WORDS.zh, false);
// No pinch-zoom or context menu for citizens (the Electron shell also disables zoom).
document.addEventListener('contextmenu', (e) => e.preventDefault());
document.addEventListener('gesturestart', (e) => e.preventDefault());

/** Text size is a class on the root alone: toggling it must not re-mount (and lose) what is being typed. */
function screenKey(v: DeviceView, lang: Language): string {
  return [v.screen, v.staff?.staffId, v.staff?.photo?.length, v.invitation?.id, v.lastRating?.id, lang, v.settings.highContrast, v.notice].join('|');
}

function render(next: DeviceView): void {
  const settings = controls.settle(view, next);
  view = next;
  const lang = settings.language;
  const root = document.documentElement;
  root.lang = LANG_TAG[lang];
  root.classList.toggle('large-text', settings.largeText);
  root.classList.toggle('high-contrast', next.settings.highContrast);
  root.dataset.screen = next.screen;
  badge.paint(next, WORDS[lang], linkUp);
  controls.paint(next);
  const key = screenKey(next, lang);
  if (mounted?.key === key) return;
  mounted?.screen.dispose();
  const ctx: ScreenContext = {
    view: next,
    lang,
    w: WORDS[lang],
    api,
    refresh,
    speak: (text) => {
      if (next.settings.speech) speak(text, lang);
    },
  };
  const make = { paused: pausedScreen, idle: idleScreen, armed: armedScreen, details: detailsScreen, thanks: thanksScreen }[next.screen];
  const screen = make(ctx);
  stage.replaceChildren(controls.root, screen.root);
  mounted = { key, screen };
  noteInteractive();
}

/**
 * Re-read /api/state (after a reply, or when a timed screen overstays). Every view carries the
 * runtime's revision: an answer older than what is on screen (a push overtook it) is dropped, or it
 * would put an old screen back.
 */
function isNewer(v: DeviceView): boolean {
  return view === null || v.revision >= view.revision;
}
function refresh(): void {
  void api.state().then((v) => {
    if (v && isNewer(v)) render(v);
  });
}

const live = new LiveView(
  token,
  (v) => {
    if (isNewer(v)) render(v);
  },
  (up) => {
    linkUp = up;
    badge.paint(view, WORDS[view ? controls.effective(view).language : 'zh'], up);
  },
);
live.start();
// Do not wait for the socket if it is slow: one GET paints the first screen.
refresh();
