import { describe, expect, it } from 'vitest';
import { FIRST_BATCH_BYTES, LinkPace } from '../../device/sync/link-pace.js';

describe('LinkPace: the bytes a batch may hold on a link', () => {
  it('starts small, before the link has carried or stalled a batch', () => {
    expect(new LinkPace(30_000).batchBytes()).toBe(FIRST_BATCH_BYTES);
  });

  it('bounds a batch to what the link carried in a third of the keepalive, from the latest batch', () => {
    const pace = new LinkPace(30_000);
    pace.carried(80_000, 10_000); // 8 kB/s: a 64 kbit/s link
    expect(pace.batchBytes()).toBe(80_000);
    pace.carried(1_000_000, 100); // a fast link: far above the contract's own bound
    expect(pace.batchBytes()).toBe(100_000_000);
  });

  it('halves the pace a stalled batch shows, and never raises it on a stall', () => {
    const pace = new LinkPace(30_000);
    // 370 kB still on the link after 45 s: the link carries under 8.2 kB/s; half of it, for 10 s.
    expect(pace.stalled(370_000, 45_000)).toBe(Math.floor((370_000 / 45 / 2) * 10));
    pace.carried(10_000, 10_000); // 1 kB/s
    // A stall that would say 4 kB/s keeps the slower pace measured, halved.
    expect(pace.stalled(200_000, 50_000)).toBe(5_000);
  });
});
