/**
 * The versioned reason catalogue (docs/RULES.md R2, docs/NATIONAL-SPEC.md). Reasons are offered by the level
 * chosen: an item's level is the first digit of its code. Every stored rating names the catalogue
 * version it was made against; validation is always against that version.
 */
import { z } from 'zod';
import type { RatingLevel } from './levels.js';
import { CURRENT_REASON_VERSION, REASON_CATALOGUES } from './reason-words.js';

export interface CatalogueItem {
  code: number;
  zh: string;
  en: string;
  /**
   * Tibetan, for the kiosk's Tibetan mode (Ganzi, docs/RULES.md). Optional: an item without it is
   * shown in Chinese. Whether a native reader has checked these texts is the version's `boReview`.
   */
  bo?: string;
  /** Retired items are never offered, but stay decodable for old ratings. */
  retired: boolean;
}

/**
 * Where a version's Tibetan texts stand: drafted and waiting for a native reader, or checked by one.
 * Nothing may present draft texts as reviewed (docs/KIOSK.md "Tibetan").
 */
export type TibetanReview = 'awaiting-native-reader' | 'reviewed-by-native-reader';

export interface CatalogueVersion {
  version: string;
  items: CatalogueItem[];
  /** Absent when the version has no Tibetan texts. */
  boReview?: TibetanReview;
}

export const CatalogueVersionSchema = z.object({
  version: z.string().min(1).max(32),
  items: z
    .array(
      z.object({
        code: z.number().int().min(100).max(599),
        zh: z.string().min(1),
        en: z.string().min(1),
        bo: z.string().min(1).optional(),
        retired: z.boolean(),
      }),
    )
    .min(1),
  boReview: z.enum(['awaiting-native-reader', 'reviewed-by-native-reader']).optional(),
});

// One list of versions, kept in reason-words.ts (which browsers load without zod).
export const CATALOGUES: ReadonlyMap<string, CatalogueVersion> = REASON_CATALOGUES;

export const CURRENT_CATALOGUE_VERSION = CURRENT_REASON_VERSION;

export function levelOfReason(code: number): number {
  return Math.floor(code / 100);
}

export function getCatalogue(version: string): CatalogueVersion | undefined {
  return CATALOGUES.get(version);
}

/** The items a citizen may pick after choosing `level` (active items of that level only). */
export function reasonsForLevel(version: string, level: RatingLevel): CatalogueItem[] {
  const catalogue = getCatalogue(version);
  if (!catalogue) return [];
  return catalogue.items.filter((item) => !item.retired && levelOfReason(item.code) === level);
}

/** Describe an item of any version, retired ones included, for decoding old ratings. */
export function describeReason(version: string, code: number): CatalogueItem | undefined {
  return getCatalogue(version)?.items.find((item) => item.code === code);
}

/**
 * Why `codes` may not be attached to a rating of `level` under `version`, or null if they may.
 * Codes must exist in that version, be active, belong to the level, and not repeat.
 */
export function reasonCodesProblem(version: string, level: RatingLevel, codes: number[]): string | null {
  const catalogue = getCatalogue(version);
  if (!catalogue) return `unknown catalogue version "${version}"`;
  const seen = new Set<number>();
  for (const code of codes) {
    if (seen.has(code)) return `reason ${code} given twice`;
    seen.add(code);
    const item = catalogue.items.find((i) => i.code === code);
    if (!item) return `reason ${code} is not in catalogue ${version}`;
    if (item.retired) return `reason ${code} is retired in catalogue ${version}`;
    if (levelOfReason(code) !== level) return `reason ${code} belongs to level ${levelOfReason(code)}, not ${level}`;
  }
  return null;
}
