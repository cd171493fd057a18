/**
 * Face signs for the five levels, drawn as inline SVG so no emoji font is needed (kiosks often
 * lack one: a missing glyph would be a tofu box). Mouth curve goes from a wide smile (5) to a frown (1).
 */
import type { RatingLevel } from '@hcp/contract';

const MOUTH: Record<RatingLevel, string> = {
  5: 'M30 60 Q50 82 70 60',
  4: 'M32 62 Q50 74 68 62',
  3: 'M34 66 L66 66',
  2: 'M32 70 Q50 60 68 70',
  1: 'M30 74 Q50 54 70 74',
};
const BROWS: Record<RatingLevel, string> = {
  5: '',
  4: '',
  3: '',
  2: '<path d="M28 30 L42 34 M72 30 L58 34" />',
  1: '<path d="M26 28 L42 36 M74 28 L58 36" />',
};

export function faceSvg(level: RatingLevel): string {
  return (
    `<svg viewBox="0 0 100 100" aria-hidden="true" focusable="false"><g fill="none" stroke="currentColor" stroke-width="6" stroke-linecap="round">` +
    `<circle cx="50" cy="50" r="44" />${BROWS[level]}<path d="${MOUTH[level]}" /></g>` +
    `<circle cx="36" cy="42" r="6" fill="currentColor" /><circle cx="64" cy="42" r="6" fill="currentColor" /></svg>`
  );
}
