import { describe, expect, it, vi } from 'vitest';
import type { PanelCommand } from './panel-ipc.js';
import { PanelLights } from './panel-lights.js';

describe('panel lights follow the runtime, not the presses', () => {
  it('blinks please-rate while armed; lights the level and beeps on commit; goes dark after', () => {
    vi.useFakeTimers();
    const sent: PanelCommand[] = [];
    const lights = new PanelLights((c) => sent.push(c), 3000, 120);
    lights.armed();
    expect(sent.at(-1)).toEqual({ t: 'leds', levels: [], pleaseRate: 'blink' });
    lights.committed(5);
    expect(sent.slice(-2)).toEqual([
      { t: 'leds', levels: [5], pleaseRate: 'off' },
      { t: 'beep', ms: 120 },
    ]);
    lights.disarmed();
    expect(sent.at(-1)).toEqual({ t: 'leds', levels: [5], pleaseRate: 'off' });
    vi.advanceTimersByTime(3000);
    expect(sent.at(-1)).toEqual({ t: 'leds', levels: [], pleaseRate: 'off' });
    vi.useRealTimers();
  });

  it('the next invitation puts out the previous level; resend repeats the whole state', () => {
    const sent: PanelCommand[] = [];
    const lights = new PanelLights((c) => sent.push(c));
    lights.committed(2);
    lights.armed();
    expect(sent.at(-1)).toEqual({ t: 'leds', levels: [], pleaseRate: 'blink' });
    lights.resend();
    expect(sent.at(-1)).toEqual({ t: 'leds', levels: [], pleaseRate: 'blink' });
    lights.allOff();
    expect(sent.at(-1)).toEqual({ t: 'leds', levels: [], pleaseRate: 'off' });
    lights.stop();
  });
});
