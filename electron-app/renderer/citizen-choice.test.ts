import type { DeviceView, Screen } from '@hcp/contract';
import { describe, expect, it } from 'vitest';
import { effectiveSettings, visitEnds } from './citizen-choice.js';

const view = (screen: Screen, language: DeviceView['settings']['language'] = 'zh') =>
  ({ screen, settings: { language, largeText: false, highContrast: false, speech: false } }) as DeviceView;

describe("a citizen's language and text size", () => {
  it('end with the visit: back to idle or paused, or a new invitation after a rating', () => {
    const ends = (from: Screen, to: Screen) => visitEnds(view(from), view(to));
    expect(ends('thanks', 'idle')).toBe(true);
    expect(ends('armed', 'idle')).toBe(true); // the invitation expired
    expect(ends('details', 'paused')).toBe(true);
    expect(ends('idle', 'paused')).toBe(true); // logout
    expect(ends('thanks', 'armed')).toBe(true); // the next citizen
    expect(ends('details', 'armed')).toBe(true);
  });
  it('last through one rating, and past a choice made on idle before the invitation', () => {
    const ends = (from: Screen, to: Screen) => visitEnds(view(from), view(to));
    expect(ends('idle', 'armed')).toBe(false);
    expect(ends('armed', 'details')).toBe(false);
    expect(ends('armed', 'thanks')).toBe(false);
    expect(ends('details', 'thanks')).toBe(false);
    expect(ends('idle', 'idle')).toBe(false);
    expect(visitEnds(null, view('idle'))).toBe(false);
  });
  it('lie over the hall defaults only where chosen', () => {
    expect(effectiveSettings(view('armed', 'bo'), {})).toEqual({ language: 'bo', largeText: false });
    expect(effectiveSettings(view('armed', 'bo'), { language: 'zh' })).toEqual({ language: 'zh', largeText: false });
    expect(effectiveSettings(view('armed'), { largeText: true })).toEqual({ language: 'zh', largeText: true });
  });
});
