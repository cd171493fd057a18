/**
 * The phone pages, rendered on the server: plain HTML forms that work without JavaScript on an
 * old phone, one stylesheet from this gateway (phone-style.ts), nothing from anywhere else. Chinese
 * first, English under it in smaller type; large touch targets. Nothing personal is asked.
 */
import { LEVELS, RATING_LEVELS, reasonsForLevel, type RatingLevel } from '@hcp/contract';
import type { PhoneTarget, RatedPlace } from './phone-target.js';

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ESC[c]!);

/** Zh and En of one message. */
export interface Words {
  zh: string;
  en: string;
}

const both = (w: Words, tag = 'p') => `<${tag} class="zh">${esc(w.zh)}</${tag}><p class="en" lang="en">${esc(w.en)}</p>`;

/** `css` is the stylesheet's path relative to the page (pages live at different depths under a possible prefix). */
function layout(css: string, title: string, body: string): string {
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${esc(title)}</title>
<link rel="stylesheet" href="${esc(css)}">
</head><body><main>
${body}
</main></body></html>`;
}

function place(hallName: string, p: RatedPlace, itemName?: string | null): string {
  return `<header><p class="hall">${esc(hallName)}</p>
<p class="window">${esc(p.windowNumber)} 号窗口 · ${esc(p.department)}<span class="en" lang="en">Window ${esc(p.windowNumber)}</span></p>
${itemName ? `<p class="item">办理事项：${esc(itemName)}</p>` : ''}</header>`;
}

type Open = Exclude<PhoneTarget, { kind: 'closed' }>;

/** Step 1: the five levels, each a submit button of one form. */
export function levelsPage(o: { css: string; hallName: string; target: Open; token: string }): string {
  const t = o.target;
  const buttons = RATING_LEVELS.map(
    (l) =>
      `<button class="level l${l}" type="submit" name="level" value="${l}"><span class="zh">${esc(LEVELS[l].zh)}</span><span class="en" lang="en">${esc(LEVELS[l].en)}</span></button>`,
  ).join('\n');
  const intro = t.kind === 'case' ? { zh: '请为本次办件评价', en: 'Please rate this service' } : { zh: '请为本窗口的服务评价', en: "Please rate this window's service" };
  return layout(
    o.css,
    '好差评 · 评价',
    `${place(o.hallName, t, t.kind === 'case' ? t.itemName : null)}
${both(intro, 'h1')}
<form method="post" class="levels">
<input type="hidden" name="token" value="${esc(o.token)}">
${buttons}
</form>
<p class="note">不需要填写姓名或电话。<span class="en" lang="en">No name or phone number is asked.</span></p>`,
  );
}

/** Step 2 after a 差评: the reasons of that level and an optional comment, as the kiosk asks. */
export function reasonsPage(o: { css: string; hallName: string; target: Open; token: string; level: RatingLevel; catalogueVersion: string }): string {
  const t = o.target;
  const reasons = reasonsForLevel(o.catalogueVersion, o.level)
    .map(
      (r) =>
        `<label class="reason"><input type="checkbox" name="reasons" value="${r.code}"><span class="zh">${esc(r.zh)}</span><span class="en" lang="en">${esc(r.en)}</span></label>`,
    )
    .join('\n');
  return layout(
    o.css,
    '好差评 · 原因',
    `${place(o.hallName, t, t.kind === 'case' ? t.itemName : null)}
<p class="chosen">您的评价：<strong>${esc(LEVELS[o.level].zh)}</strong> <span class="en" lang="en">${esc(LEVELS[o.level].en)}</span></p>
${both({ zh: '请选择不满意的原因（可多选，可不选）', en: 'What went wrong? (choose any, or none)' }, 'h1')}
<form method="post" class="reasons">
<input type="hidden" name="token" value="${esc(o.token)}">
<input type="hidden" name="level" value="${o.level}">
<input type="hidden" name="step" value="details">
${reasons}
<label class="comment"><span class="zh">其他意见（选填）</span><span class="en" lang="en">Anything else (optional)</span>
<textarea name="comment" maxlength="500" rows="4"></textarea></label>
<button class="submit" type="submit"><span class="zh">提交评价</span><span class="en" lang="en">Send my rating</span></button>
</form>`,
  );
}

export function thanksPage(o: { css: string; hallName: string; bad: boolean }): string {
  const after = o.bad
    ? { zh: '您的意见已转交大厅跟进处理。', en: 'Your comments have gone to the hall for follow-up.' }
    : { zh: '欢迎再次评价我们的服务。', en: 'You are welcome to rate us again next time.' };
  return layout(
    o.css,
    '好差评 · 谢谢',
    `<header><p class="hall">${esc(o.hallName)}</p></header>${both({ zh: '感谢您的评价！', en: 'Thank you for your rating!' }, 'h1')}${both(after)}`,
  );
}

const CLOSED: Record<string, { title: Words; body: Words }> = {
  rated: {
    title: { zh: '已评价', en: 'Already rated' },
    body: { zh: '此件已经评价过了（在窗口评价器或手机上），每件只评一次。', en: 'This service has been rated already (at the window or on a phone); each is rated once.' },
  },
  'card-rated': {
    title: { zh: '已评价', en: 'Already rated' },
    body: { zh: '这张评议卡已经评价过了，每张卡只评一次。', en: 'This rating card has been used already; each card is rated once.' },
  },
  withdrawn: { title: { zh: '已撤回', en: 'Withdrawn' }, body: { zh: '此件已被撤回，无需评价。', en: 'This case was withdrawn; there is nothing to rate.' } },
  expired: {
    title: { zh: '链接已过期', en: 'This link has expired' },
    body: { zh: '此评价链接已过期。如需评价，请在窗口评价器上评价。', en: 'This rating link has expired. You can rate at the window instead.' },
  },
  unknown: {
    title: { zh: '找不到此评价', en: 'Not found' },
    body: { zh: '找不到这个评价页面，请检查二维码或链接。', en: 'This rating page does not exist. Please check the code or link.' },
  },
};

export function closedPage(o: { css: string; hallName: string; why: keyof typeof CLOSED | string }): string {
  const c = CLOSED[o.why] ?? CLOSED.unknown!;
  return layout(o.css, `好差评 · ${c.title.zh}`, `<header><p class="hall">${esc(o.hallName)}</p></header><section class="closed">${both(c.title, 'h1')}${both(c.body)}</section>`);
}

export type Refusal = 'too-soon' | 'token-expired' | 'bad-token' | 'replayed' | 'browser-limit' | 'address-limit' | 'bad-form';

const REFUSED: Record<Refusal, Words> = {
  'too-soon': { zh: '提交太快了，请稍等几秒后重新评价。', en: 'That was sent too fast. Please wait a few seconds and rate again.' },
  'token-expired': { zh: '页面打开太久已失效，请重新扫码评价。', en: 'This page was open too long. Please scan the code again.' },
  'bad-token': { zh: '页面无效，请重新扫码评价。', en: 'This page is not valid. Please scan the code again.' },
  replayed: { zh: '这份评价已经提交过了，不能重复提交。', en: 'This rating form was sent already; it cannot be sent twice.' },
  'browser-limit': { zh: '您刚刚评价过本窗口，请稍后再评。', en: 'You rated this window a short while ago. Please try again later.' },
  'address-limit': { zh: '本网络这一小时内对本窗口的评价已达上限，请稍后再评。', en: 'Too many ratings of this window came from this network this hour. Please try later.' },
  'bad-form': { zh: '评价内容不完整，请重新评价。', en: 'The rating was incomplete. Please rate again.' },
};

/** A refused submission: a plain page saying why, and the way back. */
export function refusedPage(o: { css: string; hallName: string; why: Refusal; again: string | null }): string {
  const back = o.again !== null ? `<p><a class="again" href="${esc(o.again)}">重新评价 <span lang="en">Rate again</span></a></p>` : '';
  return layout(
    o.css,
    '好差评 · 未提交',
    `<header><p class="hall">${esc(o.hallName)}</p></header><section class="refused">${both({ zh: '评价未提交', en: 'Rating not sent' }, 'h1')}${both(REFUSED[o.why])}${back}</section>`,
  );
}
