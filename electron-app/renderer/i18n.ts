/**
 * The kiosk's words in the three languages of the device setting (DeviceView.settings.language):
 * Simplified Chinese (default), English, Tibetan (Ganzi is a Tibetan prefecture, docs/RULES.md).
 * Level names come from the contract (device/contract/levels.ts), never a second copy.
 * The Tibetan strings want a review by a native reader before deployment (docs/KIOSK.md "Tibetan").
 */
import { type CatalogueItem, LEVELS, type Language, type RatingLevel } from '@hcp/contract';

export interface Words {
  paused: string;
  pausedHint: string;
  window: string;
  staffNo: string;
  post: string;
  title: string;
  scanToRate: string;
  pleaseRate: string;
  item: string;
  caseNo: string;
  scanCase: string;
  saving: string;
  pressFailed: string;
  detailsTitle: string;
  reasons: string;
  comment: string;
  commentPlaceholder: string;
  consent: string;
  phone: string;
  phonePlaceholder: string;
  phoneInvalid: string;
  submit: string;
  skip: string;
  done: string;
  clear: string;
  thanks: string;
  thanksCommitted: string;
  thanksBad: string;
  gatewayOnline: string;
  gatewayOffline: string;
  panelConnected: string;
  panelDisconnected: string;
  uiOffline: string;
  secondsLeft: (n: number) => string;
  quickPhrases: string;
  keyboard: string;
  numberPad: string;
  backspace: string;
  space: string;
  privacy: string;
  /** The citizen's controls (citizen-controls.ts): their group, the language group, the text-size toggle. */
  citizenControls: string;
  language: string;
  largeText: string;
  /** The candidate bar's page turns (screen-reader names of ‹ and ›). */
  previousCandidates: string;
  moreCandidates: string;
}

export const WORDS: Record<Language, Words> = {
  zh: {
    paused: '暂停服务',
    pausedHint: '本窗口暂停服务，请到其他窗口办理',
    window: '窗口',
    staffNo: '工号',
    post: '岗位',
    title: '职务',
    scanToRate: '手机扫码评价',
    pleaseRate: '请您对本次服务进行评价',
    item: '办理事项',
    caseNo: '办件编号',
    scanCase: '也可扫码在手机上评价',
    saving: '正在记录…',
    pressFailed: '未能记录，请再按一次',
    detailsTitle: '很抱歉让您不满意',
    reasons: '请选择原因（可多选）',
    comment: '意见（选填）',
    commentPlaceholder: '点此输入您的意见',
    consent: '我同意工作人员致电回访',
    phone: '手机号码（选填）',
    phonePlaceholder: '勾选同意后可填写',
    phoneInvalid: '请输入11位手机号码',
    submit: '提交',
    skip: '不填了',
    done: '完成',
    clear: '清空',
    thanks: '感谢您的评价',
    thanksCommitted: '您的评价已记录',
    thanksBad: '我们会认真整改并回复',
    gatewayOnline: '联网',
    gatewayOffline: '离线',
    panelConnected: '按键正常',
    panelDisconnected: '按键断开',
    uiOffline: '正在重新连接',
    secondsLeft: (n) => `${n} 秒后返回`,
    quickPhrases: '常用语',
    keyboard: '拼音键盘',
    numberPad: '数字键盘',
    backspace: '删除',
    space: '空格',
    privacy: '您的评价匿名保存，工作人员看不到您的号码',
    citizenControls: '语言和字号',
    language: '语言',
    largeText: '大字',
    previousCandidates: '上一页候选字',
    moreCandidates: '更多候选字',
  },
  en: {
    paused: 'Window paused',
    pausedHint: 'This window is not serving now. Please go to another window.',
    window: 'Window',
    staffNo: 'Staff no.',
    post: 'Post',
    title: 'Title',
    scanToRate: 'Scan to rate on your phone',
    pleaseRate: 'Please rate our service',
    item: 'Service',
    caseNo: 'Case no.',
    scanCase: 'Or scan to rate on your phone',
    saving: 'Saving…',
    pressFailed: 'Not saved. Please press again.',
    detailsTitle: 'We are sorry you were not satisfied',
    reasons: 'Choose the reasons (any number)',
    comment: 'Comment (optional)',
    commentPlaceholder: 'Tap here to write',
    consent: 'I agree to a call-back from the hall',
    phone: 'Mobile number (optional)',
    phonePlaceholder: 'Tick the consent first',
    phoneInvalid: 'Enter an 11-digit mobile number',
    submit: 'Submit',
    skip: 'Skip',
    done: 'Done',
    clear: 'Clear',
    thanks: 'Thank you for your rating',
    thanksCommitted: 'Your rating has been recorded',
    thanksBad: 'We will put it right and answer you',
    gatewayOnline: 'Online',
    gatewayOffline: 'Offline',
    panelConnected: 'Buttons OK',
    panelDisconnected: 'Buttons off',
    uiOffline: 'Reconnecting',
    secondsLeft: (n) => `Back in ${n} s`,
    quickPhrases: 'Phrases',
    keyboard: 'Pinyin keyboard',
    numberPad: 'Number pad',
    backspace: 'Delete',
    space: 'Space',
    privacy: 'Your rating is anonymous; staff never see your number',
    citizenControls: 'Language and text size',
    language: 'Language',
    largeText: 'Large text',
    previousCandidates: 'Previous candidates',
    moreCandidates: 'More candidates',
  },
  bo: {
    paused: 'ཞབས་ཞུ་གནས་སྐབས་མཚམས་འཇོག',
    pausedHint: 'སྒེའུ་ཁུང་འདིར་ཞབས་ཞུ་མཚམས་བཞག་ཡོད། སྒེའུ་ཁུང་གཞན་དུ་ཕེབས་རོགས།',
    window: 'སྒེའུ་ཁུང་',
    staffNo: 'ལས་བྱེད་ཨང་།',
    post: 'ལས་གནས།',
    title: 'ལས་མིང་།',
    scanToRate: 'ཁ་པར་གྱིས་བཤེར་ནས་དཔྱད་བརྗོད།',
    pleaseRate: 'ཞབས་ཞུ་འདིར་དཔྱད་བརྗོད་གནང་རོགས།',
    item: 'ཞབས་ཞུའི་རྣམ་གྲངས།',
    caseNo: 'ལས་དོན་ཨང་།',
    scanCase: 'ཁ་པར་གྱིས་བཤེར་ནས་དཔྱད་བརྗོད་ཀྱང་ཆོག',
    saving: 'ཉར་བཞིན་པ།',
    pressFailed: 'ཉར་མ་ཐུབ། ཡང་བསྐྱར་མནན་རོགས།',
    detailsTitle: 'ཁྱེད་ཡིད་མ་ཚིམ་པར་དགོངས་དག',
    reasons: 'རྒྱུ་མཚན་འདེམས་རོགས། (མང་པོ་འདེམས་ཆོག)',
    comment: 'བསམ་འཆར། (འདོད་ན)',
    commentPlaceholder: 'འདིར་མནན་ནས་འབྲི་རོགས།',
    consent: 'ལས་བྱེད་པས་ཁ་པར་བཏང་ནས་ལན་འདེབས་བྱེད་པར་མོས་མཐུན་ཡོད།',
    phone: 'ཁ་པར་ཨང་གྲངས། (འདོད་ན)',
    phonePlaceholder: 'མོས་མཐུན་རྟགས་རྒྱབ་རྗེས་འབྲི་ཆོག',
    phoneInvalid: 'ཨང་གྲངས་ ༡༡ འབྲི་རོགས།',
    submit: 'ཕུལ།',
    skip: 'དགོས་མེད།',
    done: 'ཚར།',
    clear: 'བསུབ།',
    thanks: 'ཐུགས་རྗེ་ཆེ།',
    thanksCommitted: 'ཁྱེད་ཀྱི་དཔྱད་བརྗོད་ཉར་ཟིན།',
    thanksBad: 'ང་ཚོས་ལེགས་བཅོས་བྱས་ནས་ལན་འདེབས་བྱེད།',
    gatewayOnline: 'དྲ་ཐོག་ཡོད།',
    gatewayOffline: 'དྲ་ཐོག་མེད།',
    panelConnected: 'མནན་གནོན་བདེ།',
    panelDisconnected: 'མནན་གནོན་ཆད།',
    uiOffline: 'ཡང་བསྐྱར་འབྲེལ་བཞིན།',
    secondsLeft: (n) => `སྐར་ཆ་ ${n} རྗེས་ལོག`,
    quickPhrases: 'རྒྱུན་སྤྱོད།',
    keyboard: 'པིན་ཡིན་མཐེབ་གཞོང་།',
    numberPad: 'གྲངས་ཀའི་མཐེབ།',
    backspace: 'བསུབ།',
    space: 'བར་སྟོང་།',
    privacy: 'ཁྱེད་ཀྱི་དཔྱད་བརྗོད་མིང་མེད་ཉར་ཡོད། ལས་བྱེད་པས་ཁྱེད་ཀྱི་ཨང་གྲངས་མཐོང་མི་ཐུབ།',
    citizenControls: 'སྐད་ཡིག་དང་ཡིག་གཟུགས།',
    language: 'སྐད་ཡིག',
    largeText: 'ཡིག་གཟུགས་ཆེ་བ།',
    previousCandidates: 'སྔོན་མའི་ཤོག་ངོས།',
    moreCandidates: 'རྗེས་མའི་ཤོག་ངོས།',
  },
};

export function levelName(level: RatingLevel, lang: Language): string {
  return LEVELS[level][lang];
}

/** BCP 47 tags for `lang` attributes (fonts, hyphenation, screen readers) and speech. */
export const LANG_TAG: Record<Language, string> = { zh: 'zh-CN', en: 'en', bo: 'bo' };

/** The citizen's language buttons, in the order of the hall (Chinese, Tibetan, English), each named in its own script. */
export const CITIZEN_LANGUAGES: readonly Language[] = ['zh', 'bo', 'en'];
export const LANGUAGE_NAMES: Record<Language, string> = { zh: '中文', bo: 'བོད་ཡིག', en: 'English' };

/**
 * A reason in the citizen's language. An item without Tibetan (a newer catalogue pushed without it)
 * falls back to Chinese, the language every hall reads. The Tibetan texts carry their catalogue's
 * review state (CatalogueVersion.boReview); the kiosk never claims they were reviewed.
 */
export function reasonName(item: CatalogueItem, lang: Language): string {
  if (lang === 'en') return item.en;
  if (lang === 'bo') return item.bo ?? item.zh;
  return item.zh;
}
