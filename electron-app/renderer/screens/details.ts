/**
 * After a 差评 (R1, R2): the reasons of that level from the catalogue version the device runs,
 * multi-select; an optional comment (on-screen pinyin keyboard); an optional call-back number,
 * enabled only after an explicit consent tick (R10). Submit → /api/details, skip → /api/details/skip.
 * The rating itself is already committed; timing out loses nothing but these details.
 */
import { CatalogueVersionSchema, getCatalogue, reasonsForLevel, levelOfReason, type CatalogueItem, type CatalogueVersion } from '@hcp/contract';
import { h } from '../dom.js';
import { levelName, reasonName } from '../i18n.js';
import { openNumberPad } from '../input/number-pad.js';
import type { Sheet } from '../input/sheet.js';
import { openTextKeyboard } from '../input/text-keyboard.js';
import { countdown, type Screen, type ScreenContext } from './context.js';

const PHONE = /^1[3-9]\d{9}$/;

/** The citizen's unsent answers, kept across re-renders of the same rating (e.g. a language push). */
interface Draft {
  ratingId: string;
  reasons: Set<number>;
  comment: string;
  consent: boolean;
  phone: string;
  startedAt: number;
}
let draft: Draft | null = null;

export function detailsScreen(c: ScreenContext): Screen {
  const { view, w, lang } = c;
  const rating = view.lastRating!;
  if (draft?.ratingId !== rating.id) draft = { ratingId: rating.id, reasons: new Set(), comment: '', consent: false, phone: '', startedAt: Date.now() };
  const d = draft;
  let sheet: Sheet | null = null;
  let sending = false;
  let disposed = false;

  const reasonBox = h('div', { class: 'reasons', role: 'group', 'aria-labelledby': 'reasons-label' });
  const paintReasons = (items: CatalogueItem[], boReview: CatalogueVersion['boReview']) => {
    // For the record and for tests, not for the citizen: Tibetan reason texts a native reader has not
    // yet checked are marked as such, and nothing on screen says otherwise.
    if (lang === 'bo') reasonBox.dataset.translation = boReview === 'reviewed-by-native-reader' ? 'reviewed' : 'unreviewed';
    reasonBox.replaceChildren(
      ...items.map((item) => {
        const b = h(
          'button',
          { type: 'button', class: 'reason', role: 'checkbox', 'aria-checked': String(d.reasons.has(item.code)) },
          h('span', { class: 'tick', 'aria-hidden': 'true' }),
          h('span', lang === 'bo' && !item.bo ? { lang: 'zh-CN' } : {}, reasonName(item, lang)),
        );
        b.addEventListener('click', () => {
          if (d.reasons.has(item.code)) d.reasons.delete(item.code);
          else d.reasons.add(item.code);
          b.setAttribute('aria-checked', String(d.reasons.has(item.code)));
        });
        return b;
      }),
    );
  };
  const bundled = reasonsForLevel(view.catalogueVersion, rating.level);
  if (bundled.length > 0) paintReasons(bundled, getCatalogue(view.catalogueVersion)?.boReview);
  else {
    // A catalogue version newer than this build: ask the device for it.
    void c.api.catalogue(view.catalogueVersion).then((raw) => {
      const parsed = CatalogueVersionSchema.safeParse(raw);
      if (parsed.success)
        paintReasons(
          parsed.data.items.filter((i) => !i.retired && levelOfReason(i.code) === rating.level),
          parsed.data.boReview,
        );
    });
  }

  const commentBtn = h('button', { type: 'button', class: 'field', 'aria-labelledby': 'comment-label comment-value' }, h('span', { id: 'comment-value' }));
  const paintComment = () => {
    const v = commentBtn.firstElementChild as HTMLElement;
    v.textContent = d.comment || w.commentPlaceholder;
    commentBtn.classList.toggle('empty', !d.comment);
  };
  commentBtn.addEventListener('click', () => {
    sheet?.close();
    sheet = openTextKeyboard({
      label: w.comment,
      value: d.comment,
      english: lang === 'en',
      w,
      onChange: (v) => {
        d.comment = v;
        paintComment();
        stillTyping();
      },
    });
  });

  const consentBtn = h(
    'button',
    { type: 'button', class: 'consent', role: 'checkbox', 'aria-checked': String(d.consent) },
    h('span', { class: 'tick', 'aria-hidden': 'true' }),
    h('span', {}, w.consent),
  );
  const phoneBtn = h('button', { type: 'button', class: 'field', 'aria-labelledby': 'phone-label phone-value' }, h('span', { id: 'phone-value' }));
  const phoneError = h('p', { class: 'field-error', role: 'alert' });
  const paintPhone = () => {
    consentBtn.setAttribute('aria-checked', String(d.consent));
    phoneBtn.toggleAttribute('disabled', !d.consent);
    (phoneBtn.firstElementChild as HTMLElement).textContent = d.consent ? d.phone || '1__ ____ ____' : w.phonePlaceholder;
    phoneBtn.classList.toggle('empty', !d.phone);
  };
  consentBtn.addEventListener('click', () => {
    d.consent = !d.consent;
    if (!d.consent) d.phone = ''; // withdrawing consent forgets the number at once (R10)
    phoneError.textContent = '';
    paintPhone();
  });
  phoneBtn.addEventListener('click', () => {
    if (!d.consent) return;
    sheet?.close();
    sheet = openNumberPad({
      label: w.phone,
      value: d.phone,
      maxLength: 11,
      w,
      onChange: (v) => {
        d.phone = v;
        paintPhone();
        stillTyping();
      },
      onDone: () => undefined,
    });
  });

  const submitBtn = h('button', { type: 'button', class: 'primary' }, w.submit);
  const skipBtn = h('button', { type: 'button', class: 'secondary' }, w.skip);
  submitBtn.addEventListener('click', () => void submit());
  skipBtn.addEventListener('click', () => void skip());

  async function submit(): Promise<void> {
    if (sending) return;
    const phone = d.consent && d.phone ? d.phone : undefined;
    if (phone !== undefined && !PHONE.test(phone)) {
      phoneError.textContent = w.phoneInvalid;
      return;
    }
    sending = true;
    submitBtn.setAttribute('aria-busy', 'true');
    const body = {
      ratingId: d.ratingId,
      reasons: [...d.reasons],
      consent: phone !== undefined,
      ...(d.comment.trim() ? { comment: d.comment.trim() } : {}),
      ...(phone ? { phone } : {}),
    };
    let reply = await c.api.post('/api/details', body);
    // The hall has no call-back key configured: keep the reasons and comment, drop the number.
    if (!reply.ok && reply.body.error === 'callback-unavailable') {
      const { phone: _p, ...rest } = body;
      reply = await c.api.post('/api/details', { ...rest, consent: false });
    }
    sending = false;
    submitBtn.removeAttribute('aria-busy');
    if (reply.ok) {
      draft = null;
      sheet?.close();
    }
    c.refresh();
  }
  async function skip(): Promise<void> {
    draft = null;
    sheet?.close();
    await c.api.post('/api/details/skip', { ratingId: rating.id });
    c.refresh();
  }

  paintComment();
  paintPhone();
  const left = h('p', { class: 'countdown' });
  // The runtime enforces the timeout; skip ourselves a little after it in case its push is lost.
  const startCountdown = () =>
    countdown(left, d.startedAt + view.timeouts.detailsSec * 1000, w.secondsLeft, () =>
      window.setTimeout(() => {
        if (!disposed) void skip();
      }, 2000),
    );
  let stopCountdown = startCountdown();
  const stop = () => stopCountdown();
  // An elderly citizen typing slowly must not be timed out mid-sentence: each keystroke (at most
  // every 5 s) gives the form its full time again, on the runtime and on screen.
  let lastActivity = 0;
  function stillTyping(): void {
    if (Date.now() - lastActivity < 5000) return;
    lastActivity = Date.now();
    d.startedAt = lastActivity;
    stopCountdown();
    stopCountdown = startCountdown();
    void c.api.post('/api/details/activity', { ratingId: rating.id });
  }
  const root = h(
    'main',
    { class: 'screen details', 'aria-labelledby': 'details-title' },
    h('header', { class: 'details-head' }, h('h1', { id: 'details-title' }, w.detailsTitle), h('p', { class: `chosen level-${rating.level}` }, levelName(rating.level, lang))),
    h(
      'div',
      { class: 'details-body' },
      h('h2', { id: 'reasons-label' }, w.reasons),
      reasonBox,
      h('h2', { id: 'comment-label' }, w.comment),
      commentBtn,
      // Only where the hall can take a call-back (its contact key is configured) is a number asked for.
      ...(view.callbackAvailable ? [consentBtn, h('h2', { id: 'phone-label' }, w.phone), phoneBtn, phoneError] : []),
      h('p', { class: 'privacy' }, w.privacy),
    ),
    h('footer', { class: 'details-foot' }, skipBtn, left, submitBtn),
  );
  c.speak(w.detailsTitle);
  return {
    root,
    dispose: () => {
      disposed = true;
      stop();
      sheet?.close();
    },
  };
}
