/**
 * The language and text size a citizen picks on screen, over the hall's defaults (DeviceView.settings).
 * Held in this renderer's memory only: never sent to the runtime, never stored with a rating,
 * never logged, never put in storage (docs/KIOSK.md "Citizen controls"). It ends with the citizen:
 * when the rating flow ends (idle or paused returns, or a new invitation follows a rating), and
 * after a quiet minute on the idle screen (someone who chose and walked away).
 */
import type { DeviceView, Language, Screen } from '@hcp/contract';

export interface CitizenChoice {
  language?: Language;
  largeText?: boolean;
}

export interface Effective {
  language: Language;
  largeText: boolean;
}

/** How long a choice made on the idle screen survives without a touch. */
export const IDLE_CHOICE_MS = 60_000;

const AFTER_RATING: ReadonlySet<Screen> = new Set(['details', 'thanks']);

/** Whether moving from `prev` to `next` ends one citizen's visit, and so their choice. */
export function visitEnds(prev: DeviceView | null, next: DeviceView): boolean {
  if (!prev || prev.screen === next.screen) return false;
  if (next.screen === 'paused') return true;
  // Idle returns after an invitation or a rating; a choice made on idle itself is kept for the rating.
  if (next.screen === 'idle') return true;
  // A new invitation straight after a rating is the next citizen.
  return next.screen === 'armed' && AFTER_RATING.has(prev.screen);
}

export function effectiveSettings(view: DeviceView, choice: CitizenChoice): Effective {
  return { language: choice.language ?? view.settings.language, largeText: choice.largeText ?? view.settings.largeText };
}
