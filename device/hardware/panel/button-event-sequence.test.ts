import { describe, expect, it } from 'vitest';
import { ButtonEventSequence } from './button-event-sequence.js';

const down = (pin: number, seq: number) => ({ pin, level: 0 as const, seq });
const up = (pin: number, seq: number) => ({ pin, level: 1 as const, seq });

describe('BUTTON_EVENT sequence', () => {
  it('reports nothing while the numbers follow on, across the wrap from 127 to 0', () => {
    const s = new ButtonEventSequence();
    for (const e of [down(22, 126), up(22, 127), down(23, 0), up(23, 1)]) expect(s.take(e)).toBeNull();
  });

  it('a release whose press went missing is a lost press', () => {
    const s = new ButtonEventSequence();
    s.take(down(22, 10));
    s.take(up(22, 11));
    expect(s.take(up(24, 13))).toEqual({ missed: 1, pressLost: true });
  });

  it('a gap before a press, or before the release of a press that was seen, loses no press of that button', () => {
    const s = new ButtonEventSequence();
    s.take(down(22, 5));
    expect(s.take(up(22, 8))).toEqual({ missed: 2, pressLost: false });
    expect(s.take(down(25, 12))).toEqual({ missed: 3, pressLost: false });
  });

  it('a button already down when the link came up: its release is nothing, and nothing was lost', () => {
    const s = new ButtonEventSequence();
    expect(s.take(up(27, 40))).toBeNull();
    expect(s.take(down(27, 41))).toBeNull();
  });

  it('after the board restarts, its count begins again: no loss', () => {
    const s = new ButtonEventSequence();
    s.take(down(22, 57));
    s.restart();
    expect(s.take(up(22, 0))).toBeNull();
  });
});
