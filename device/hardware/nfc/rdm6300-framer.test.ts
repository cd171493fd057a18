import { describe, expect, it } from 'vitest';
import { CardPresence } from './card-presence.js';
import { decodeFrame, encodeFrame, Rdm6300Framer, type Em4100Read } from './rdm6300-framer.js';

/** Feed chunks through a fresh framer and collect the UIDs it emits. */
async function frames(chunks: Buffer[]): Promise<{ uids: string[]; framer: Rdm6300Framer }> {
  const framer = new Rdm6300Framer();
  const uids: string[] = [];
  framer.on('data', (r: Em4100Read) => uids.push(r.uid));
  for (const c of chunks) framer.write(c);
  framer.end();
  await new Promise((res) => framer.once('finish', res));
  return { uids, framer };
}

describe('RDM6300 framer', () => {
  const good = encodeFrame('0a1b2c3d4e');

  it('encodes the frame the module sends (STX, 10 hex, XOR checksum, ETX)', () => {
    // 0x0A ^ 0x1B ^ 0x2C ^ 0x3D ^ 0x4E = 0x4E
    expect(good.toString('latin1')).toBe('\x020A1B2C3D4E4E\x03');
    expect(decodeFrame(good)).toEqual({ read: { uid: '0A1B2C3D4E' } });
  });

  it('decodes frames split at every byte boundary', async () => {
    for (let cut = 1; cut < good.length; cut++) {
      const { uids } = await frames([good.subarray(0, cut), good.subarray(cut)]);
      expect(uids, `cut at ${cut}`).toEqual(['0A1B2C3D4E']);
    }
    const { uids } = await frames([...good].map((b) => Buffer.from([b])));
    expect(uids).toEqual(['0A1B2C3D4E']);
  });

  it('drops a bad checksum and keeps the next good frame', async () => {
    const bad = Buffer.from(good);
    bad[11] = 0x30; // checksum digit changed
    const { uids, framer } = await frames([bad, good]);
    expect(uids).toEqual(['0A1B2C3D4E']);
    expect(framer.stats.badChecksum).toBe(1);
  });

  it('resyncs on garbage, including garbage that holds STX and ETX', async () => {
    const noise = Buffer.from([0x00, 0xff, 0x02, 0x41, 0x03, 0x02, 0x02, 0x30, 0x31, 0x7f, 0x03]);
    const { uids } = await frames([noise, good, noise, noise, good]);
    expect(uids).toEqual(['0A1B2C3D4E', '0A1B2C3D4E']);
  });

  it('finds a real frame that starts inside a truncated one', async () => {
    const truncated = good.subarray(0, 7);
    const { uids, framer } = await frames([Buffer.concat([truncated, good])]);
    expect(uids).toEqual(['0A1B2C3D4E']);
    expect(framer.stats.malformed).toBeGreaterThanOrEqual(1);
  });

  it('drops non-hex payloads and a missing ETX', async () => {
    const nonHex = Buffer.from('\x020A1B2C3D4G4E\x03', 'latin1');
    const noEtx = Buffer.from('\x020A1B2C3D4E4E\x04', 'latin1');
    const { uids } = await frames([nonHex, noEtx]);
    expect(uids).toEqual([]);
  });

  it('survives random bytes without emitting a frame whose checksum is wrong', async () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 8) & 0xff;
    const noise = Buffer.from(Array.from({ length: 50_000 }, rnd));
    const { uids } = await frames([noise, good]);
    // Anything decoded out of noise must itself be a checksum-valid frame; the real one comes through.
    expect(uids.at(-1)).toBe('0A1B2C3D4E');
    for (const u of uids) expect(u).toMatch(/^[0-9A-F]{10}$/);
  });
});

describe('card presence', () => {
  it('turns a held card (repeats every 100–500 ms) into one tap, and a lift into the next', () => {
    let t = 0;
    const p = new CardPresence(600, () => t);
    const taps: number[] = [];
    for (const at of [0, 120, 400, 900, 1400]) {
      t = at;
      if (p.seen('0A1B2C3D4E')) taps.push(at);
    }
    // Lifted for 700 ms (> 600): a second tap.
    t = 2100;
    if (p.seen('0A1B2C3D4E')) taps.push(t);
    expect(taps).toEqual([0, 2100]);
  });

  it('a different card is a new tap at once; reset forgets the held card', () => {
    let t = 0;
    const p = new CardPresence(600, () => t);
    expect(p.seen('0A1B2C3D4E')).toBe(true);
    t = 100;
    expect(p.seen('00DEADBEEF')).toBe(true);
    t = 200;
    expect(p.seen('00DEADBEEF')).toBe(false);
    p.reset();
    expect(p.seen('00DEADBEEF')).toBe(true);
  });
});
