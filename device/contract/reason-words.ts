/**
 * The reason catalogues in words, without zod: what a browser bundle (the hall console) needs to
 * show a rating's reason codes, at a few kB instead of the contract index's ~100 kB of validators.
 * The same catalogues and current version as catalogue.ts (which validates); nothing here checks.
 */
import type { CatalogueItem, CatalogueVersion } from './catalogue.js';
import { CATALOGUE_2020_1 } from './catalogue-2020.js';

/** Every catalogue version by name (catalogue.ts validates against these same ones). */
export const REASON_CATALOGUES: ReadonlyMap<string, CatalogueVersion> = new Map([[CATALOGUE_2020_1.version, CATALOGUE_2020_1]]);

/** The version new ratings are made against (catalogue.ts CURRENT_CATALOGUE_VERSION). */
export const CURRENT_REASON_VERSION = CATALOGUE_2020_1.version;

/** An item of any version, retired ones included (old ratings stay decodable, R2). */
export function reasonWords(version: string, code: number): CatalogueItem | undefined {
  return REASON_CATALOGUES.get(version)?.items.find((item) => item.code === code);
}
