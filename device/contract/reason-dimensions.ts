/**
 * The dimension (评价维度) of each reason in the catalogue, for the monthly statistics "by dimension"
 * (docs/RULES.md R16; Ganzi §7.1: 效率、态度、环境等不同维度; Ganzi §4 and Langfang art. 16 name them).
 * The national catalogue does not tag its items (docs/NATIONAL-SPEC.md "The reason catalogue"), so
 * this table is hcp's, one per catalogue version, written out item by item — never derived from a
 * code's digits — and pinned by reason-dimensions.test.ts. An item may touch two dimensions (517
 * 服务热情效率高 is attitude and efficiency). A retired item, whose text was never published, has
 * none: a rating that carries one is counted as "unclassified".
 */
import type { CatalogueVersion } from './catalogue.js';
import { CATALOGUE_2020_1 } from './catalogue-2020.js';

/** The six dimensions of R2/R16, in the order reports print them. */
export const REASON_DIMENSIONS = ['attitude', 'efficiency', 'quality', 'guide', 'discipline', 'environment'] as const;
export type ReasonDimension = (typeof REASON_DIMENSIONS)[number];

/** What each dimension covers, as the reports print it. */
export const DIMENSION_INFO: Record<ReasonDimension, { zh: string; en: string; covers: string }> = {
  attitude: { zh: '服务态度', en: 'Service attitude', covers: '待人态度 — how the rater was treated' },
  efficiency: { zh: '办事效率', en: 'Efficiency', covers: '时间与跑动次数 — how fast, in how few trips and steps' },
  quality: {
    zh: '办事质量',
    en: 'Quality of handling',
    covers: '办理本身 — competence, what was asked of the applicant, whether the promised ways to apply (online, phone, machine, post, nearby) worked',
  },
  guide: { zh: '办事指南', en: 'Service guide', covers: '告知与指引 — lists, samples, an accurate guide, being told at once what is missing' },
  discipline: { zh: '工作纪律', en: 'Work discipline', covers: '违反规定 — conditions or documents beyond the guide, legal time limits broken without reason' },
  environment: { zh: '办事环境', en: 'Environment', covers: '大厅环境与设施 — the hall and its facilities (catalogue 2020.1 has no such item)' },
};

type Table = Readonly<Record<number, readonly ReasonDimension[]>>;

/** Catalogue 2020.1, item by item (texts in catalogue-2020.ts). */
const DIMENSIONS_2020_1: Table = {
  510: ['efficiency'], // 一窗受理一次办结
  511: ['efficiency'], // 可以先受理后补材料
  512: ['quality'], // 不用提交证明
  513: ['quality'], // 可以全程网上办理
  514: ['quality'], // 可以使用手机办理
  515: ['quality'], // 可以就近办理
  516: ['quality'], // 无需材料直接办理
  517: ['attitude', 'efficiency'], // 服务热情效率高
  406: ['quality'], // 填写一张表单就可完成申报
  407: ['quality'], // 在线提交材料窗口核验
  408: ['guide'], // 一张清单告知全部申报材料
  409: ['quality'], // 用告知承诺减免申报材料
  410: ['quality'], // 可以在线预约办理
  411: ['efficiency'], // 跑大厅一次办完
  412: ['quality'], // 可以使用自助机办理
  413: ['attitude'], // 服务态度较好
  307: ['guide'], // 一次性告知需要补正的材料
  308: ['guide'], // 提供申报材料样本
  309: ['efficiency'], // 在承诺的时间内办结
  310: ['guide'], // 办事指南指引准确
  311: ['guide'], // 按办事指南要求的材料即可办理
  312: ['quality'], // 可以快递送达
  313: ['efficiency'], // 跑动次数与承诺的一致
  314: ['attitude'], // 服务态度一般
  207: ['guide'], // 没有提供材料样本
  208: ['guide'], // 没有提供材料清单
  209: ['efficiency'], // 未在承诺时间内办结
  210: ['quality'], // 同样内容的证明材料被要求多次提交
  211: ['quality'], // 承诺网办但无法在线办理
  212: ['efficiency'], // 在线预约办理后到实体大厅重复取号排队
  213: ['quality'], // 窗口人员业务不熟练
  214: ['attitude'], // 服务态度生硬
  108: ['discipline'], // 在办事指南之外增加新的审批条件
  109: ['discipline'], // 需提供办事指南之外的申报材料
  110: ['discipline', 'efficiency'], // 无理由超过法定办理时间
  111: ['guide'], // 办事指南提供样本有错
  112: ['quality'], // 承诺在线收取申报材料实际无法收取
  113: ['efficiency'], // 多头跑窗口和部门
  114: ['efficiency'], // 跑动次数与承诺的不一致
  115: ['attitude', 'efficiency'], // 服务态度差效率低
};

/** Per catalogue version: its table. A new catalogue version brings its own table here. */
export const DIMENSION_TABLES: ReadonlyMap<string, Table> = new Map([[CATALOGUE_2020_1.version, DIMENSIONS_2020_1]]);

/** The dimensions of one reason under `version`; empty for a retired or unknown item. */
export function dimensionsOfReason(version: string | null, code: number): readonly ReasonDimension[] {
  return (version !== null ? DIMENSION_TABLES.get(version)?.[code] : undefined) ?? [];
}

/** Every active item of `catalogue` without a dimension, or with one not in the list (for the tests). */
export function untaggedReasons(catalogue: CatalogueVersion): number[] {
  const table = DIMENSION_TABLES.get(catalogue.version) ?? {};
  return catalogue.items.filter((i) => !i.retired && !(table[i.code]?.length && table[i.code]!.every((d) => REASON_DIMENSIONS.includes(d)))).map((i) => i.code);
}
