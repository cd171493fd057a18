/**
 * A small built-in pinyin dictionary for the comment keyboard: the common characters of each
 * syllable (most frequent first) and the words a citizen writes about a government service.
 * Small on purpose (no IME engine on a kiosk): it covers everyday text and the vocabulary of
 * 好差评 comments; the quick phrases cover the rest.
 */
const SYLLABLES: Record<string, string> = {
  a: '啊阿', ai: '爱哎矮碍', an: '安按暗案', ang: '昂', ao: '奥熬',
  ba: '吧把八爸拔', bai: '白百败摆', ban: '办半班版般搬', bang: '帮棒', bao: '报保包宝抱', bei: '被北备倍杯背', ben: '本笨', bi: '比必笔避闭', bian: '变边便遍编', biao: '表标', bie: '别', bin: '宾', bing: '并病兵冰', bo: '不波博播', bu: '不部步补布',
  ca: '擦', cai: '才材采菜财', can: '参残', cao: '草操', ce: '测策侧', ceng: '曾层', cha: '查差茶察', chan: '产', chang: '长常场厂唱', chao: '超朝吵', che: '车彻', chen: '陈沉', cheng: '成程承城乘', chi: '吃持迟尺', chong: '重冲充', chu: '出处除初', chuan: '传穿', chuang: '窗创', ci: '次此词辞', cong: '从聪', cu: '促粗', cuo: '错措',
  da: '大打达答', dai: '带待代袋', dan: '但单担', dang: '当党挡', dao: '到道导倒', de: '的得德地', deng: '等登灯', di: '地第低底递', dian: '点电店', diao: '调掉', ding: '定订', dong: '动东懂', dou: '都', du: '度读独', duan: '段短断', dui: '对队', duo: '多',
  e: '额饿恶', er: '而二儿',
  fa: '发法', fan: '反饭烦范', fang: '方放房访', fei: '非费飞', fen: '分份', feng: '风封', fu: '服复付负福副父府附',
  gai: '该改', gan: '感干赶敢', gang: '刚', gao: '告高搞', ge: '个各格', gei: '给', gen: '跟根', geng: '更', gong: '工公供共功', gou: '够', gu: '顾故', guan: '关管观', guang: '光', gui: '规贵', guo: '过国果',
  hai: '还孩', han: '汗', hang: '行', hao: '好号', he: '和合何', hen: '很', hou: '后候', hu: '户护乎', hua: '话化画', huan: '还换环', hui: '会回汇', huo: '或获火',
  ji: '及即机记急几级极集既', jia: '家加价假', jian: '件见简建检减', jiang: '将讲', jiao: '叫交较教', jie: '结接解节', jin: '进尽紧金今', jing: '经竟静', jiu: '就久旧', ju: '局据具居', jue: '觉决',
  kai: '开', kan: '看', ke: '可科课客', ken: '肯', kong: '空', kou: '口', kuai: '快', kun: '困',
  la: '拉啦', lai: '来', lao: '老劳', le: '了乐', lei: '累类', li: '里理立力利', lian: '联连', liang: '两量', liao: '了料', lin: '临', ling: '领另', liu: '流留', lu: '路录', lv: '律率', luan: '乱', lun: '论',
  ma: '吗妈马麻', mai: '买', man: '满慢', mang: '忙', mei: '没每美', men: '们门', mi: '密', mian: '面免', min: '民', ming: '明名', mo: '么', mu: '目',
  na: '那拿哪', nan: '难男', ne: '呢', nei: '内', neng: '能', ni: '你', nian: '年念', nin: '您', nv: '女',
  pai: '排派', pan: '盼判', pei: '配', pian: '片', piao: '票', pin: '品', ping: '评平', pu: '普',
  qi: '其起期气', qian: '前签钱', qiang: '强', qie: '且', qin: '亲', qing: '请情清', qiu: '求', qu: '去取区', que: '却确缺', qun: '群',
  ran: '然', rang: '让', re: '热', ren: '人认', reng: '仍', ri: '日', rong: '容', ru: '如', ruan: '软',
  san: '三', shang: '上', shao: '少', she: '设', shen: '什身申审', sheng: '生声省', shi: '是时事实市使十式示', shou: '手受收', shu: '书数', shuang: '双', shui: '谁水', shuo: '说', si: '四思', song: '送', su: '速诉', suan: '算', sui: '虽随', suo: '所',
  ta: '他她它', tai: '太态台', tan: '谈', tao: '套', te: '特', ti: '提题体', tian: '天填', tiao: '条', ting: '听停', tong: '同通', tou: '投头', tu: '图', tui: '推退', tuo: '拖',
  wai: '外', wan: '完晚万', wang: '网往望', wei: '为位未', wen: '问文', wo: '我', wu: '无务五误',
  xi: '系息希', xia: '下', xian: '先现', xiang: '想向项相', xiao: '小效', xie: '谢写些', xin: '心新信', xing: '行性形', xu: '需许续', xuan: '选', xue: '学',
  ya: '呀', yan: '严验', yao: '要', ye: '也业', yi: '一以已意议', yin: '因引', ying: '应影', yong: '用', you: '有又由优', yu: '与于预', yuan: '员原远愿', yue: '月约', yun: '允',
  zai: '在再', zan: '咱', zao: '早造', ze: '则责', zen: '怎', zeng: '增', zhan: '站', zhang: '张', zhao: '找照', zhe: '这着', zhen: '真', zheng: '证正政整', zhi: '只知之直指', zhong: '中重', zhou: '周', zhu: '主住注', zhuan: '转', zhun: '准', zi: '自字资', zong: '总', zou: '走', zui: '最', zuo: '做作坐',
};

/** Words, keyed by their toneless pinyin without spaces. */
const WORDS: Record<string, string[]> = {
  dengdai: ['等待'], shijian: ['时间', '事件'], taidu: ['态度'], fuwu: ['服务'], xiaolv: ['效率'], cailiao: ['材料'],
  chuangkou: ['窗口'], gongzuo: ['工作'], renyuan: ['人员'], gongzuorenyuan: ['工作人员'], banli: ['办理'], banshi: ['办事'],
  paidui: ['排队'], tai: ['太', '态'], man: ['慢', '满'], feichang: ['非常'], manyi: ['满意'], bumanyi: ['不满意'],
  xiwang: ['希望'], gaijin: ['改进'], jianyi: ['建议'], wenti: ['问题'], zhengming: ['证明'], shenqing: ['申请'],
  tijiao: ['提交'], yaoqiu: ['要求'], shuoming: ['说明'], qingchu: ['清楚'], buqingchu: ['不清楚'], mafan: ['麻烦'],
  zhinan: ['指南'], banshizhinan: ['办事指南'], jiaoyu: ['教育'], xiexie: ['谢谢'], haode: ['好的'], women: ['我们'],
  nimen: ['你们'], zhege: ['这个'], meiyou: ['没有'], keyi: ['可以'], xuyao: ['需要'], yijing: ['已经'], keneng: ['可能'],
  dianhua: ['电话'], shouji: ['手机'], wangshang: ['网上'], yuyue: ['预约'], zizhu: ['自助'], qianzi: ['签字'],
  huanjing: ['环境'], zhixu: ['秩序'], jilv: ['纪律'], chidao: ['迟到'], zaotui: ['早退'], wanjiao: ['玩手机'],
  wanshouji: ['玩手机'], paoleyitang: ['跑了一趟'], duocipao: ['多次跑'], yicixing: ['一次性'], gaozhi: ['告知'],
  renzhen: ['认真'], naixin: ['耐心'], bunaixin: ['不耐心'], reqing: ['热情'], shengying: ['生硬'], haoping: ['好评'],
  chaping: ['差评'], huifang: ['回访'], laoren: ['老人'], xuyaobangzhu: ['需要帮助'], bangzhu: ['帮助'], zhidao: ['知道'],
  bu: ['不'], haobu: ['好不'],
};

export const QUICK_PHRASES: Record<'zh' | 'en', string[]> = {
  zh: ['等待时间太长', '工作人员态度不好', '材料要求说得不清楚', '要跑好几次', '办事指南和实际不一致', '希望多一些耐心', '请尽快办结', '环境需要改进'],
  en: ['Waited too long', 'Staff were unfriendly', 'Unclear about documents', 'Had to come several times', 'Guide did not match practice', 'Please be more patient'],
};

/** Every text the keyboard can show (for the missing-glyph check of the kiosk suite). */
export const DICTIONARY_TEXT = [...Object.values(SYLLABLES), ...Object.values(WORDS).flat(), ...QUICK_PHRASES.zh, ...QUICK_PHRASES.en].join('');

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

/** Candidates for a pinyin buffer: whole words first, then characters of the first syllable. */
export function candidates(buffer: string, limit = 12): Candidate[] {
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
    for (const k of Object.keys(SYLLABLES)) if (k.startsWith(first)) add(SYLLABLES[k]!.charAt(0), first.length);
  }
  return out;
}
