/**
 * The drills' shared clock (tests only). A drill that must move a hall's time forward by days —
 * to see the R7 default of unrated cases, and ratings pressed before it that arrive after — points
 * the gateway and every device at one file (HCP_CLOCK_FILE) holding a number of milliseconds; each
 * adds it to its clock, re-reading the file when it changes. Everyone's time jumps together, as
 * the days would pass for all of them. Node-only; read only in the programs' entry files.
 */
import { readFileSync, statSync } from 'node:fs';

/** The offset in the file now (0 if there is no file or it holds no number). */
export function worldClockOffset(file: string): () => number {
  let seen = -1;
  let offset = 0;
  return () => {
    try {
      const m = statSync(file).mtimeMs;
      if (m !== seen) {
        seen = m;
        offset = Number(readFileSync(file, 'utf8').trim()) || 0;
      }
    } catch {
      offset = 0;
    }
    return offset;
  };
}
