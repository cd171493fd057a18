/**
 * Framer for the RDM6300-style 125 kHz EM4100 reader's UART protocol (9600 8N1):
 *
 *   0x02 | 10 ASCII hex: version byte + 4-byte card id | 2 ASCII hex: XOR of those 5 bytes | 0x03
 *
 * A pure stream.Transform from bytes to frames (docs/STYLE.md §4): it resyncs on line noise by scanning
 * for STX, and drops frames with a bad checksum, non-hex characters or a missing ETX. A dropped
 * candidate gives up only its STX, so a real frame that began inside it is still found.
 */
import { Transform, type TransformCallback } from 'node:stream';

export const STX = 0x02;
export const ETX = 0x03;
export const FRAME_LENGTH = 14;

/** One valid read: the 10-hex-digit EM4100 id (version byte + card number), upper-case. */
export interface Em4100Read {
  uid: string;
}

export interface FramerStats {
  frames: number;
  badChecksum: number;
  malformed: number;
  noiseBytes: number;
}

const HEX = /^[0-9A-Fa-f]+$/;

/** Check one 14-byte candidate starting with STX; null when it is not a valid frame. */
export function decodeFrame(frame: Buffer): { read: Em4100Read } | { problem: 'malformed' | 'checksum' } {
  if (frame.length !== FRAME_LENGTH || frame[0] !== STX || frame[FRAME_LENGTH - 1] !== ETX) return { problem: 'malformed' };
  const ascii = frame.subarray(1, 13).toString('latin1');
  if (!HEX.test(ascii)) return { problem: 'malformed' };
  const data = Buffer.from(ascii.slice(0, 10), 'hex');
  const checksum = parseInt(ascii.slice(10, 12), 16);
  const xor = data.reduce((acc, b) => acc ^ b, 0);
  if (xor !== checksum) return { problem: 'checksum' };
  return { read: { uid: ascii.slice(0, 10).toUpperCase() } };
}

/** Encode a frame as the reader module sends it (used by the tests and the reader emulator's checks). */
export function encodeFrame(uid: string): Buffer {
  if (!/^[0-9A-Fa-f]{10}$/.test(uid)) throw new Error(`EM4100 id must be 10 hex digits, got ${uid}`);
  const data = Buffer.from(uid, 'hex');
  const xor = data.reduce((acc, b) => acc ^ b, 0);
  return Buffer.concat([Buffer.from([STX]), Buffer.from(uid.toUpperCase() + xor.toString(16).toUpperCase().padStart(2, '0'), 'latin1'), Buffer.from([ETX])]);
}

export class Rdm6300Framer extends Transform {
  private pending: Buffer = Buffer.alloc(0);
  readonly stats: FramerStats = { frames: 0, badChecksum: 0, malformed: 0, noiseBytes: 0 };

  constructor() {
    super({ readableObjectMode: true });
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    let buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    for (;;) {
      const start = buf.indexOf(STX);
      if (start < 0) {
        this.stats.noiseBytes += buf.length;
        buf = Buffer.alloc(0);
        break;
      }
      this.stats.noiseBytes += start;
      buf = buf.subarray(start);
      if (buf.length < FRAME_LENGTH) {
        // A frame split across reads: wait for the rest, unless something already rules it out.
        const ruled = buf.subarray(1).findIndex((b) => b === STX || b === ETX);
        if (ruled < 0) break;
      }
      const result = decodeFrame(buf.subarray(0, FRAME_LENGTH));
      if ('read' in result) {
        this.stats.frames += 1;
        this.push(result.read);
        buf = buf.subarray(FRAME_LENGTH);
      } else {
        if (result.problem === 'checksum') this.stats.badChecksum += 1;
        else this.stats.malformed += 1;
        buf = buf.subarray(1);
      }
    }
    this.pending = Buffer.from(buf);
    done();
  }

  override _flush(done: TransformCallback): void {
    // A partial frame at the end of the stream (reader unplugged mid-frame) is dropped.
    if (this.pending.length) this.stats.malformed += 1;
    this.pending = Buffer.alloc(0);
    done();
  }
}
