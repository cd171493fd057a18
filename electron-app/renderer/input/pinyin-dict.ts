/**
 * The pinyin dictionary of the comment keyboard. Characters come from simple-keyboard-layouts'
 * Chinese layout (its `layoutCandidates`: the 6,763 characters of GB 2312 under 400-odd toneless
 * syllables, most frequent first, from the pinyinjs project). On top of it, a few words a citizen
 * writes about a government service, offered first when the whole buffer spells one; and the quick
 * phrases an elderly citizen can tap instead of typing.
 */
import chineseLayout from 'simple-keyboard-layouts/build/layouts/chinese.js';

/**
 * The layout file is an ES module that the bundler and Node load as such; its declaration file sits
 * in a package without `"type": "module"`, so TypeScript would type the default import as the module
 * namespace. Read the one field we use, and check its shape rather than trust either.
 */
function syllableTable(layout: unknown): Record<string, string[]> {
  const raw = (layout as { layoutCandidates?: unknown } | null)?.layoutCandidates;
  if (!raw || typeof raw !== 'object') throw new Error('simple-keyboard-layouts: the Chinese layout has no layoutCandidates');
  const table: Record<string, string[]> = {};
  for (const [syllable, chars] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof chars === 'string' && /^[a-z]+$/.test(syllable)) table[syllable] = chars.split(' ').filter(Boolean);
  }
  return table;
}
const SYLLABLES = syllableTable(chineseLayout);

/** Words, keyed by their toneless pinyin without spaces. */
const WORDS: Record<string, string[]> = {
  dengdai: ['等待'],
  shijian: ['时间', '事件'],
  taidu: ['态度'],
  fuwu: ['服务'],
  xiaolv: ['效率'],
  cailiao: ['材料'],
  chuangkou: ['窗口'],
  gongzuo: ['工作'],
  renyuan: ['人员'],
  gongzuorenyuan: ['工作人员'],
  banli: ['办理'],
  banshi: ['办事'],
  paidui: ['排队'],
  tai: ['太', '态'],
  man: ['慢', '满'],
  feichang: ['非常'],
  manyi: ['满意'],
  bumanyi: ['不满意'],
  xiwang: ['希望'],
  gaijin: ['改进'],
  jianyi: ['建议'],
  wenti: ['问题'],
  zhengming: ['证明'],
  shenqing: ['申请'],
  tijiao: ['提交'],
  yaoqiu: ['要求'],
  shuoming: ['说明'],
  qingchu: ['清楚'],
  buqingchu: ['不清楚'],
  mafan: ['麻烦'],
  zhinan: ['指南'],
  banshizhinan: ['办事指南'],
  jiaoyu: ['教育'],
  xiexie: ['谢谢'],
  haode: ['好的'],
  women: ['我们'],
  nimen: ['你们'],
  zhege: ['这个'],
  meiyou: ['没有'],
  keyi: ['可以'],
  xuyao: ['需要'],
  yijing: ['已经'],
  keneng: ['可能'],
  dianhua: ['电话'],
  shouji: ['手机'],
  wangshang: ['网上'],
  yuyue: ['预约'],
  zizhu: ['自助'],
  qianzi: ['签字'],
  huanjing: ['环境'],
  zhixu: ['秩序'],
  jilv: ['纪律'],
  chidao: ['迟到'],
  zaotui: ['早退'],
  wanjiao: ['玩手机'],
  wanshouji: ['玩手机'],
  paoleyitang: ['跑了一趟'],
  duocipao: ['多次跑'],
  yicixing: ['一次性'],
  gaozhi: ['告知'],
  renzhen: ['认真'],
  naixin: ['耐心'],
  bunaixin: ['不耐心'],
  reqing: ['热情'],
  shengying: ['生硬'],
  haoping: ['好评'],
  chaping: ['差评'],
  huifang: ['回访'],
  laoren: ['老人'],
  xuyaobangzhu: ['需要帮助'],
  bangzhu: ['帮助'],
  zhidao: ['知道'],
  bu: ['不'],
  haobu: ['好不'],
};

export const QUICK_PHRASES: Record<'zh' | 'en', string[]> = {
  zh: ['等待时间太长', '工作人员态度不好', '材料要求说得不清楚', '要跑好几次', '办事指南和实际不一致', '希望多一些耐心', '请尽快办结', '环境需要改进'],
  en: ['Waited too long', 'Staff were unfriendly', 'Unclear about documents', 'Had to come several times', 'Guide did not match practice', 'Please be more patient'],
};

/** Every text the keyboard can show (for the missing-glyph check of the kiosk suite). */
export const DICTIONARY_TEXT = [...Object.values(SYLLABLES).flat(), ...Object.values(WORDS).flat(), ...QUICK_PHRASES.zh, ...QUICK_PHRASES.en].join('');

const KEYS = Object.keys(SYLLABLES).sort((a, b) => b.length - a.length);

/** Split toneless pinyin into syllables, longest first; the tail may be an incomplete syllable. */
export function segment(input: string): string[] {
  const out: string[] = [];
  let rest = input;
  while (rest.length > 0) {
    const hit = KEYS.find((k) => rest.startsWith(k));
    if (!hit) {
      out.push(rest);
      break;
    }
    out.push(hit);
    rest = rest.slice(hit.length);
  }
  return out;
}

export interface Candidate {
  text: string;
  /** How many letters of the buffer the candidate consumes. */
  consumes: number;
}

/** Candidates for a pinyin buffer: whole words first, then every character of the first syllable (the keyboard pages them). */
export function candidates(buffer: string, limit = Number.POSITIVE_INFINITY): Candidate[] {
  if (!buffer) return [];
  const out: Candidate[] = [];
  const seen = new Set<string>();
  const add = (text: string, consumes: number) => {
    if (!seen.has(text) && out.length < limit) {
      seen.add(text);
      out.push({ text, consumes });
    }
  };
  // Whole-buffer words, then words of the longest prefix that is a word.
  for (let end = buffer.length; end >= 2; end--) for (const w of WORDS[buffer.slice(0, end)] ?? []) add(w, end);
  const [first] = segment(buffer);
  if (first && SYLLABLES[first]) for (const ch of SYLLABLES[first]) add(ch, first.length);
  else if (first) {
    // An incomplete syllable ("zh", "sh", "x"): offer the first characters of the syllables it starts.
    for (const k of Object.keys(SYLLABLES)) if (k.startsWith(first)) add(SYLLABLES[k]![0]!, first.length);
  }
  return out;
}
