/**
 * The release tarballs on the gateway's disk (`<dataDir>/releases/<version>.tar.gz`). An upload is
 * streamed to a temporary file while its size and sha256 are counted, checked against the signed
 * manifest, and only then renamed into place: a refused upload leaves nothing behind.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, renameSync, rmSync, type ReadStream } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { randomUUID } from 'node:crypto';

/** The upload went past the size it was allowed. */
export class UploadTooLarge extends Error {}

export class ReleaseFiles {
  private readonly dir: string;

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'releases');
  }

  fileOf(version: string): string {
    return join(this.dir, `${version}.tar.gz`);
  }

  /** Stream `body` to a temporary file; answers its size, sha256 and a commit/discard pair. */
  async receive(body: Readable, maxBytes: number): Promise<{ size: number; sha256: string; keep(version: string): void; discard(): void }> {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const temp = join(this.dir, `.upload-${randomUUID()}`);
    const hash = createHash('sha256');
    let size = 0;
    const count = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > maxBytes) return done(new UploadTooLarge(`more than ${maxBytes} bytes`));
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(body, count, createWriteStream(temp, { mode: 0o600 }));
    } catch (err) {
      rmSync(temp, { force: true });
      throw err;
    }
    return {
      size,
      sha256: hash.digest('hex'),
      keep: (version) => renameSync(temp, this.fileOf(version)),
      discard: () => rmSync(temp, { force: true }),
    };
  }

  open(version: string): ReadStream {
    return createReadStream(this.fileOf(version));
  }
}
