/**
 * The citizen's own controls, at the top of every screen a citizen meets (idle, armed, details,
 * thanks): the language (中文, བོད་ཡིག, English, each named in its own script so a reader finds
 * theirs) and large text. What is chosen lives here only (citizen-choice.ts) and goes back to the
 * hall's defaults when the visit ends.
 */
import type { DeviceView, Language } from '@hcp/contract';
import { type CitizenChoice, type Effective, effectiveSettings, IDLE_CHOICE_MS, visitEnds } from './citizen-choice.js';
import { h } from './dom.js';
import { CITIZEN_LANGUAGES, LANG_TAG, LANGUAGE_NAMES, WORDS } from './i18n.js';

export interface CitizenControls {
  root: HTMLElement;
  /** The settings in force for `next`, after ending the choice if `prev` → `next` ends the visit. */
  settle(prev: DeviceView | null, next: DeviceView): Effective;
  /** The settings in force for `view` now. */
  effective(view: DeviceView): Effective;
  /** Show the controls for `view` (none while paused: no citizen is served). */
  paint(view: DeviceView): void;
}

export function citizenControls(onChange: () => void): CitizenControls {
  let choice: CitizenChoice = {};
  let shown: DeviceView | null = null;
  let idleTimer: number | undefined;

  const forget = () => {
    clearTimeout(idleTimer);
    idleTimer = undefined;
    choice = {};
  };
  // On idle a choice lasts while someone is touching the screen; then it is the next citizen's screen.
  const armIdleTimer = () => {
    clearTimeout(idleTimer);
    idleTimer = undefined;
    if (shown?.screen !== 'idle' || (choice.language === undefined && choice.largeText === undefined)) return;
    idleTimer = window.setTimeout(() => {
      forget();
      onChange();
    }, IDLE_CHOICE_MS);
  };
  document.addEventListener('pointerdown', () => {
    if (idleTimer !== undefined) armIdleTimer();
  });

  const choose = (c: CitizenChoice) => {
    choice = { ...choice, ...c };
    onChange();
  };
  const langButtons = CITIZEN_LANGUAGES.map((lang: Language) =>
    h('button', { type: 'button', class: 'citizen-lang', lang: LANG_TAG[lang], 'data-lang': lang, onclick: () => choose({ language: lang }) }, LANGUAGE_NAMES[lang]),
  );
  const sizeLabel = h('span', {});
  const sizeButton = h(
    'button',
    { type: 'button', class: 'citizen-size', onclick: () => choose({ largeText: !(shown && effectiveSettings(shown, choice).largeText) }) },
    h('span', { class: 'size-glyph', 'aria-hidden': 'true' }, 'A'),
    sizeLabel,
  );
  const langGroup = h('div', { class: 'citizen-langs', role: 'group' }, ...langButtons);
  const root = h('nav', { class: 'citizen-bar' }, langGroup, sizeButton);

  return {
    root,
    settle(prev, next) {
      if (visitEnds(prev, next)) forget();
      return effectiveSettings(next, choice);
    },
    effective: (view) => effectiveSettings(view, choice),
    paint(view) {
      shown = view;
      const eff = effectiveSettings(view, choice);
      const w = WORDS[eff.language];
      root.hidden = view.screen === 'paused';
      root.setAttribute('aria-label', w.citizenControls);
      langGroup.setAttribute('aria-label', w.language);
      for (const b of langButtons) b.setAttribute('aria-pressed', String(b.dataset.lang === eff.language));
      sizeLabel.textContent = w.largeText;
      sizeButton.setAttribute('aria-pressed', String(eff.largeText));
      armIdleTimer();
    },
  };
}
