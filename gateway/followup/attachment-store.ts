/**
 * Files kept beside follow-up events and appeals (photos of a fixed counter, a scanned letter):
 * on disk under `<dataDir>/followup-files/`, named by their sha256 (the same file kept once, and a
 * name that cannot be guessed or point elsewhere), written whole before they are named. Only
 * images and PDF, recognised by their first bytes, never by what the upload claims; each at most
 * `maxBytes`. An event names a file by its sha256; who may read the follow-up may fetch it.
 *
 * Several gateway workers need this folder shared (like the rest of the data directory).
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readSync, closeSync, renameSync, statSync, writeFileSync, createReadStream, type ReadStream } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { FollowupError } from './followup-error.js';
import { freeText } from './free-text.js';

const SIGNATURES: Array<{ type: string; test: (b: Buffer) => boolean }> = [
  { type: 'image/jpeg', test: (b) => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { type: 'image/png', test: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) },
  { type: 'image/webp', test: (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP' },
  { type: 'image/gif', test: (b) => /^GIF8[79]a/.test(b.subarray(0, 6).toString('latin1')) },
  { type: 'application/pdf', test: (b) => b.subarray(0, 5).toString('latin1') === '%PDF-' },
];

/** What the upload route takes (the parser hands any of them over as bytes; the bytes decide). */
export const UPLOAD_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'application/pdf', 'application/octet-stream'];

/** How a step names a file it keeps: the sha256 the upload answered, and a name to show. */
export const AttachmentRefSchema = z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/, 'sha256 must be the 64 hex digits the upload answered'), name: freeText(120) }).strict();
export type AttachmentRef = z.infer<typeof AttachmentRefSchema>;

/** What an event or appeal keeps of a file (followup_events.attachments). */
export interface Attachment {
  name: string;
  type: string;
  sha256: string;
  size: number;
}

export function sniffType(head: Buffer): string | null {
  return SIGNATURES.find((s) => s.test(head))?.type ?? null;
}

export class AttachmentStore {
  private readonly dir: string;

  constructor(
    dataDir: string,
    readonly maxBytes: number,
  ) {
    this.dir = join(dataDir, 'followup-files');
  }

  /** Keep the bytes; answers what an event will name. */
  save(bytes: Buffer): Omit<Attachment, 'name'> {
    if (bytes.length === 0) throw new FollowupError('invalid', 'the file is empty');
    if (bytes.length > this.maxBytes) throw new FollowupError('too-large', `a file may be at most ${(this.maxBytes / 1024 / 1024).toFixed(1)} MiB`);
    const type = sniffType(bytes);
    if (!type) throw new FollowupError('unsupported-type', 'only images (JPEG, PNG, WebP, GIF) and PDF are kept');
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const file = this.path(sha256);
    if (!existsSync(file)) {
      mkdirSync(join(this.dir, sha256.slice(0, 2)), { recursive: true, mode: 0o700 });
      const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
      writeFileSync(tmp, bytes, { mode: 0o600 });
      renameSync(tmp, file);
    }
    return { sha256, size: bytes.length, type };
  }

  /** The kept file as an event names it, or a 400 naming the one that was never uploaded. */
  resolve(refs: AttachmentRef[] | undefined): Attachment[] {
    return (refs ?? []).map((r, i) => {
      const file = this.path(r.sha256);
      if (!existsSync(file)) throw new FollowupError('invalid', `attachments.${i}.sha256: no file ${r.sha256.slice(0, 12)}… was uploaded (POST …/attachments first)`);
      const head = Buffer.alloc(16);
      const fd = openSync(file, 'r');
      try {
        readSync(fd, head, 0, 16, 0);
      } finally {
        closeSync(fd);
      }
      return { name: r.name, type: sniffType(head) ?? 'application/octet-stream', sha256: r.sha256, size: statSync(file).size };
    });
  }

  open(sha256: string): ReadStream | null {
    const file = this.path(sha256);
    return existsSync(file) ? createReadStream(file) : null;
  }

  private path(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new FollowupError('invalid', 'not a file id');
    return join(this.dir, sha256.slice(0, 2), sha256);
  }
}
