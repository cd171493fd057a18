/**
 * Reason catalogue version "2020.1": the items in use of a provincial catalogue (docs/NATIONAL-SPEC.md,
 * "The reason catalogue"). Three-digit codes whose first digit is the level. Items are never deleted:
 * retired ranges stay here, marked retired, so that old ratings stay decodable (R2).
 *
 * The Tibetan texts (`bo`) are a careful first draft, short and plain, written for the kiosk's
 * Tibetan mode in Ganzi. They have NOT been checked by a native reader: `boReview` says so, and
 * must only change to 'reviewed-by-native-reader' once one has (docs/KIOSK.md "Tibetan").
 */
import type { CatalogueVersion } from './catalogue.js';

type Row = [code: number, zh: string, en: string, bo: string];

const active: Row[] = [
  [510, '一窗受理一次办结', 'One window, done in one visit', 'སྒེའུ་ཁུང་གཅིག་ཏུ་ལེན་ཞིང་ཐེངས་གཅིག་ལ་ཚར'],
  [511, '可以先受理后补材料', 'Accepted first, documents supplied later', 'སྔོན་ལ་ལེན་ནས་ཡིག་ཆ་རྗེས་སུ་ཁ་སྐོང་ཆོག'],
  [512, '不用提交证明', 'No certificates required', 'ར་སྤྲོད་ལག་ཁྱེར་འབུལ་མི་དགོས'],
  [513, '可以全程网上办理', 'Can be done fully online', 'ཡོངས་རྫོགས་དྲ་ཐོག་ནས་སྒྲུབ་ཆོག'],
  [514, '可以使用手机办理', 'Can be done on a phone', 'ལག་ཐོགས་ཁ་པར་ནས་སྒྲུབ་ཆོག'],
  [515, '可以就近办理', 'Can be done nearby', 'ཉེ་འཁོར་དུ་སྒྲུབ་ཆོག'],
  [516, '无需材料直接办理', 'Done without any documents', 'ཡིག་ཆ་མེད་པར་ཐད་ཀར་སྒྲུབ་ཆོག'],
  [517, '服务热情效率高', 'Warm and efficient service', 'ཞབས་ཞུ་སྙིང་ཉེ་ཞིང་ལས་ཆོད་མཐོ'],
  [406, '填写一张表单就可完成申报', 'One form was enough', 'རེའུ་མིག་གཅིག་བྲིས་ན་འགྲིག'],
  [407, '在线提交材料窗口核验', 'Documents sent online, checked at the window', 'ཡིག་ཆ་དྲ་ཐོག་ནས་ཕུལ་ཏེ་སྒེའུ་ཁུང་དུ་ཞིབ་བཤེར་བྱས'],
  [408, '一张清单告知全部申报材料', 'One list told me every document needed', 'ཐོ་གཅིག་ནང་དགོས་པའི་ཡིག་ཆ་ཚང་མ་གསལ'],
  [409, '用告知承诺减免申报材料', 'Fewer documents thanks to a written pledge', 'ཁས་ལེན་ཡི་གེ་ཕུལ་ནས་ཡིག་ཆ་ཉུང་དུ་བཏང'],
  [410, '可以在线预约办理', 'Could book online', 'དྲ་ཐོག་ནས་སྔོན་འཆར་བྱེད་ཆོག'],
  [411, '跑大厅一次办完', 'Done in one trip to the hall', 'ཚོགས་ཁང་དུ་ཐེངས་གཅིག་ཕྱིན་ནས་ཚར'],
  [412, '可以使用自助机办理', 'Could use a self-service machine', 'རང་སྤྱོད་འཕྲུལ་ཆས་ནས་སྒྲུབ་ཆོག'],
  [413, '服务态度较好', 'Good service attitude', 'ཞབས་ཞུའི་ཀུན་སྤྱོད་ཅུང་བཟང'],
  [307, '一次性告知需要补正的材料', 'Told at once what to add', 'ཁ་སྐོང་དགོས་པའི་ཡིག་ཆ་ཐེངས་གཅིག་ལ་བརྡ་ཁྱབ་བྱས'],
  [308, '提供申报材料样本', 'Sample documents provided', 'ཡིག་ཆའི་དཔེ་མཚོན་མཁོ་སྤྲོད་བྱས'],
  [309, '在承诺的时间内办结', 'Done within the promised time', 'ཁས་བླངས་པའི་དུས་ཚོད་ནང་ཚར'],
  [310, '办事指南指引准确', 'The service guide was accurate', 'ལས་དོན་ལམ་སྟོན་ཏག་ཏག་ཡིན'],
  [311, '按办事指南要求的材料即可办理', 'The documents in the guide were enough', 'ལས་དོན་ལམ་སྟོན་ནང་གི་ཡིག་ཆ་ཁོ་ནས་འགྲིག'],
  [312, '可以快递送达', 'Result can be delivered by post', 'མཇུག་འབྲས་མྱུར་སྐྱེལ་གྱིས་སྐྱེལ་ཆོག'],
  [313, '跑动次数与承诺的一致', 'Number of trips as promised', 'ཕྱིན་ཐེངས་ཁས་བླངས་པ་དང་མཐུན'],
  [314, '服务态度一般', 'Service attitude was average', 'ཞབས་ཞུའི་ཀུན་སྤྱོད་འབྲིང་པོ'],
  [207, '没有提供材料样本', 'No sample documents provided', 'ཡིག་ཆའི་དཔེ་མཚོན་མཁོ་སྤྲོད་མ་བྱས'],
  [208, '没有提供材料清单', 'No list of documents provided', 'ཡིག་ཆའི་ཐོ་མཁོ་སྤྲོད་མ་བྱས'],
  [209, '未在承诺时间内办结', 'Not done within the promised time', 'ཁས་བླངས་པའི་དུས་ཚོད་ནང་མ་ཚར'],
  [210, '同样内容的证明材料被要求多次提交', 'Asked for the same proof more than once', 'ར་སྤྲོད་ཡིག་ཆ་གཅིག་པ་ཐེངས་མང་འབུལ་དགོས་བྱུང'],
  [211, '承诺网办但无法在线办理', 'Promised online, but could not be done online', 'དྲ་ཐོག་ནས་སྒྲུབ་ཆོག་ཟེར་ཡང་སྒྲུབ་མ་ཐུབ'],
  [212, '在线预约办理后到实体大厅重复取号排队', 'Booked online, still had to queue again', 'དྲ་ཐོག་ནས་སྔོན་འཆར་བྱས་ཀྱང་ཚོགས་ཁང་དུ་ཡང་བསྐྱར་ཨང་གྲངས་བླངས་ནས་གྲལ་སྒྲིག་དགོས་བྱུང'],
  [213, '窗口人员业务不熟练', 'Window staff unfamiliar with the work', 'སྒེའུ་ཁུང་གི་ལས་བྱེད་པ་ལས་དོན་ལ་མ་གོམས'],
  [214, '服务态度生硬', 'Curt service attitude', 'ཞབས་ཞུའི་ཀུན་སྤྱོད་རྩུབ་པོ'],
  [108, '在办事指南之外增加新的审批条件', 'Conditions added beyond the service guide', 'ལས་དོན་ལམ་སྟོན་ནང་མེད་པའི་ཆོག་མཆན་ཆ་རྐྱེན་གསར་པ་བསྣན'],
  [109, '需提供办事指南之外的申报材料', 'Documents demanded beyond the service guide', 'ལས་དོན་ལམ་སྟོན་ནང་མེད་པའི་ཡིག་ཆ་འབུལ་དགོས་བྱུང'],
  [110, '无理由超过法定办理时间', 'Legal time limit exceeded without reason', 'རྒྱུ་མཚན་མེད་པར་ཁྲིམས་ལྡན་དུས་ཚད་བརྒལ'],
  [111, '办事指南提供样本有错', 'The sample in the service guide was wrong', 'ལས་དོན་ལམ་སྟོན་གྱི་དཔེ་མཚོན་ལ་ནོར་འཁྲུལ་ཡོད'],
  [112, '承诺在线收取申报材料实际无法收取', 'Promised online submission did not work', 'དྲ་ཐོག་ནས་ཡིག་ཆ་ལེན་ཆོག་ཟེར་ཡང་ལེན་མ་ཐུབ'],
  [113, '多头跑窗口和部门', 'Sent between many windows and departments', 'སྒེའུ་ཁུང་དང་སྡེ་ཚན་མང་པོར་འགྲོ་དགོས་བྱུང'],
  [114, '跑动次数与承诺的不一致', 'More trips than promised', 'ཕྱིན་ཐེངས་ཁས་བླངས་པ་དང་མི་མཐུན'],
  [115, '服务态度差效率低', 'Poor attitude and low efficiency', 'ཞབས་ཞུའི་ཀུན་སྤྱོད་ངན་ཞིང་ལས་ཆོད་དམའ'],
];

/** Retired ranges seen: 501–509, 401–405, 301–306, 201–206, 101–107 (texts not published). */
const retiredRanges: Array<[number, number]> = [
  [501, 509],
  [401, 405],
  [301, 306],
  [201, 206],
  [101, 107],
];

export const CATALOGUE_2020_1: CatalogueVersion = {
  version: '2020.1',
  boReview: 'awaiting-native-reader',
  items: [
    ...active.map(([code, zh, en, bo]) => ({ code, zh, en, bo, retired: false })),
    ...retiredRanges.flatMap(([from, to]) =>
      Array.from({ length: to - from + 1 }, (_, i) => ({
        code: from + i,
        zh: `已停用评价项 ${from + i}`,
        en: `Retired item ${from + i}`,
        retired: true,
      })),
    ),
  ],
};
