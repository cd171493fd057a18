/**
 * What each integrity flag of a rating means, in plain words for the console (R11). The device
 * sets the flags (device/runtime/integrity-facts.ts: FAST_PRESS_MS 800, BURST_RATINGS_PER_MINUTE
 * 4, UNARMED_PRESSES_FLAG 3 — the numbers below are those); a flag is a reason to look, never a
 * verdict, and no rating is dropped for one.
 */
import { IntegrityFactsSchema } from '@hcp/contract';

export type IntegrityFlag = (typeof INTEGRITY_FLAGS)[number];

/** Every flag the contract knows, in its order. */
export const INTEGRITY_FLAGS = IntegrityFactsSchema.shape.flags.element.options;

/** Chinese and English for each flag: what happened, then what it may mean. */
export const FLAG_EXPLANATIONS: Record<IntegrityFlag, { zh: string; en: string }> = {
  'fast-press': {
    zh: '邀请后不到 0.8 秒即按下 — 可能是工作人员代按',
    en: "pressed within 0.8 s of the invitation — maybe the staff's own finger",
  },
  burst: {
    zh: '同一设备一分钟内的第 4 次或更多次评价 — 可能是集中刷评',
    en: 'the 4th or later rating from this device within one minute — maybe ratings made in a row by one person',
  },
  'unarmed-presses': {
    zh: '评价前有 3 次以上未邀请时的按键 — 可能有人反复试按，或用好评“补”误按',
    en: 'at least 3 presses while no rating was invited before this one — someone trying the buttons, or making up for a press with happy ones',
  },
  'no-staff': {
    zh: '按下时窗口无工作人员登录 — 不清楚评价的是谁',
    en: 'no staff was logged in at the window — whom the rating is about is unclear',
  },
};
