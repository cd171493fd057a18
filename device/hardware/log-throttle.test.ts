import { describe, expect, it } from 'vitest';
import { LogThrottle } from './log-throttle.js';

describe('LogThrottle', () => {
  it('logs the first at once, then one line per period with what it skipped', () => {
    let t = 0;
    const lines: number[] = [];
    const throttle = new LogThrottle(1000, () => t);
    for (; t < 2500; t += 100) throttle.hit((skipped) => lines.push(skipped));
    expect(lines).toEqual([0, 9, 9]);
  });
});
