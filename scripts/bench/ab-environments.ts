/** The two sides' environments of an A/B of this checkout against an older commit (code-ab.ts). */
import { applySetting, serviceEnvironment } from '../lib/systemd-unit.js';

export interface AbEnvironments {
  /** This checkout's side: the unit's environment with the setting applied. */
  now: Record<string, string>;
  /** The older commit's side: the unit's environment as it is. */
  base: Record<string, string>;
  /** The names whose values differ between the sides, sorted. */
  changed: string[];
}

/**
 * UNIT_SETTING (`applySetting`'s syntax) applies to this checkout's side only, so that with
 * BASE=HEAD the two sides differ by the setting alone; "unit" leaves both as the unit has them.
 */
export function abEnvironments(unitFile: string, setting: string): AbEnvironments {
  const base = serviceEnvironment(unitFile);
  const now = applySetting(base, setting);
  const changed = [...new Set([...Object.keys(base), ...Object.keys(now)])].filter((k) => base[k] !== now[k]).sort();
  return { now, base, changed };
}
