/**
 * Reason catalogue version "2020.1": the items in use of a provincial catalogue (docs/NATIONAL-SPEC.md,
 * "The reason catalogue"). Three-digit codes whose first digit is the level. Items are never deleted:
 * retired ranges stay here, marked retired, so that old ratings stay decodable (R2).
 */
import type { CatalogueVersion } from './catalogue.js';

type Row = [code: number, zh: string, en: string];

const active: Row[] = [
  [510, '一窗受理一次办结', 'One window, done in one visit'],
  [511, '可以先受理后补材料', 'Accepted first, documents supplied later'],
  [512, '不用提交证明', 'No certificates required'],
  [513, '可以全程网上办理', 'Can be done fully online'],
  [514, '可以使用手机办理', 'Can be done on a phone'],
  [515, '可以就近办理', 'Can be done nearby'],
  [516, '无需材料直接办理', 'Done without any documents'],
  [517, '服务热情效率高', 'Warm and efficient service'],
  [406, '填写一张表单就可完成申报', 'One form was enough'],
  [407, '在线提交材料窗口核验', 'Documents sent online, checked at the window'],
  [408, '一张清单告知全部申报材料', 'One list told me every document needed'],
  [409, '用告知承诺减免申报材料', 'Fewer documents thanks to a written pledge'],
  [410, '可以在线预约办理', 'Could book online'],
  [411, '跑大厅一次办完', 'Done in one trip to the hall'],
  [412, '可以使用自助机办理', 'Could use a self-service machine'],
  [413, '服务态度较好', 'Good service attitude'],
  [307, '一次性告知需要补正的材料', 'Told at once what to add'],
  [308, '提供申报材料样本', 'Sample documents provided'],
  [309, '在承诺的时间内办结', 'Done within the promised time'],
  [310, '办事指南指引准确', 'The service guide was accurate'],
  [311, '按办事指南要求的材料即可办理', 'The documents in the guide were enough'],
  [312, '可以快递送达', 'Result can be delivered by post'],
  [313, '跑动次数与承诺的一致', 'Number of trips as promised'],
  [314, '服务态度一般', 'Service attitude was average'],
  [207, '没有提供材料样本', 'No sample documents provided'],
  [208, '没有提供材料清单', 'No list of documents provided'],
  [209, '未在承诺时间内办结', 'Not done within the promised time'],
  [210, '同样内容的证明材料被要求多次提交', 'Asked for the same proof more than once'],
  [211, '承诺网办但无法在线办理', 'Promised online, but could not be done online'],
  [212, '在线预约办理后到实体大厅重复取号排队', 'Booked online, still had to queue again'],
  [213, '窗口人员业务不熟练', 'Window staff unfamiliar with the work'],
  [214, '服务态度生硬', 'Curt service attitude'],
  [108, '在办事指南之外增加新的审批条件', 'Conditions added beyond the service guide'],
  [109, '需提供办事指南之外的申报材料', 'Documents demanded beyond the service guide'],
  [110, '无理由超过法定办理时间', 'Legal time limit exceeded without reason'],
  [111, '办事指南提供样本有错', 'The sample in the service guide was wrong'],
  [112, '承诺在线收取申报材料实际无法收取', 'Promised online submission did not work'],
  [113, '多头跑窗口和部门', 'Sent between many windows and departments'],
  [114, '跑动次数与承诺的不一致', 'More trips than promised'],
  [115, '服务态度差效率低', 'Poor attitude and low efficiency'],
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
  items: [
    ...active.map(([code, zh, en]) => ({ code, zh, en, retired: false })),
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
