/**
 * The five rating levels of the scheme (docs/RULES.md R1). Internally 5 = 非常满意 … 1 = 非常不满意,
 * the direction of the provincial interfaces and of the reason catalogue's first digit.
 * GB/T 39046-2020 codes run the other way (1 = 非常满意); map with `toNationalStandardCode`,
 * never by assumption (docs/NATIONAL-SPEC.md).
 */
import { z } from 'zod';

export const RATING_LEVELS = [5, 4, 3, 2, 1] as const;
export type RatingLevel = (typeof RATING_LEVELS)[number];

export const RatingLevelSchema = z.number().int().min(1, 'rating level must be 1..5').max(5, 'rating level must be 1..5') as unknown as z.ZodType<RatingLevel>;

export interface LevelInfo {
  level: RatingLevel;
  zh: string;
  en: string;
  bo: string;
  /** 差评: 不满意 and 非常不满意 (R1). */
  bad: boolean;
}

export const LEVELS: Record<RatingLevel, LevelInfo> = {
  5: { level: 5, zh: '非常满意', en: 'Very satisfied', bo: 'ཧ་ཅང་ཡིད་ཚིམ།', bad: false },
  4: { level: 4, zh: '满意', en: 'Satisfied', bo: 'ཡིད་ཚིམ།', bad: false },
  3: { level: 3, zh: '基本满意', en: 'Fairly satisfied', bo: 'གཞི་རྩའི་ཆ་ནས་ཡིད་ཚིམ།', bad: false },
  2: { level: 2, zh: '不满意', en: 'Dissatisfied', bo: 'ཡིད་མ་ཚིམ།', bad: true },
  1: { level: 1, zh: '非常不满意', en: 'Very dissatisfied', bo: 'ཧ་ཅང་ཡིད་མ་ཚིམ།', bad: true },
};

export function isBadRating(level: RatingLevel): boolean {
  return LEVELS[level].bad;
}

/** GB/T 39046-2020 满意度代码: 1 = 非常满意 … 5 = 非常不满意. */
export function toNationalStandardCode(level: RatingLevel): 1 | 2 | 3 | 4 | 5 {
  return (6 - level) as 1 | 2 | 3 | 4 | 5;
}

/** The level a case gets when not rated within the deadline (docs/RULES.md R7). */
export const DEFAULT_LEVEL_FOR_UNRATED: RatingLevel = 3;
