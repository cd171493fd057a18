/**
 * The launcher's calls to the gateway's releases feature: a one-time challenge, a check-in signed
 * with the device's enrolled key (it carries the reports and answers the offer), and the download
 * of an offered tarball, streamed to a file while its sha256 is counted. Over the hall CA's TLS
 * like every other device call (device/sync/gateway-http.ts).
 */
import { createHash, sign, type KeyObject } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ReleaseError, UpdateChallengeSchema, UpdateOfferAnswerSchema, updateCheckInText, type UpdateOfferAnswer, type UpdateReport } from '../contract/release.js';
import { answerMessage, postJson } from '../sync/gateway-http.js';

export interface UpdateClientOptions {
  url: string;
  deviceId: string;
  privateKey: KeyObject;
  ca?: Buffer | undefined;
}

export class UpdateClient {
  constructor(private readonly o: UpdateClientOptions) {}

  private base(): string {
    return `${this.o.url.replace(/\/$/, '')}/api/releases/device/${encodeURIComponent(this.o.deviceId)}`;
  }

  /** Deliver `reports` and learn the offer; throws with the gateway's reason when it refuses. */
  async checkIn(runningVersion: string, reports: UpdateReport[], signal: AbortSignal): Promise<UpdateOfferAnswer['offer']> {
    const http = { signal, ...(this.o.ca ? { ca: this.o.ca } : {}) };
    const c = await postJson(`${this.base()}/challenge`, undefined, http);
    if (c.status !== 200) throw new Error(`no update challenge from the gateway: HTTP ${c.status} ${answerMessage(c.body) ?? ''}`.trim());
    const { challenge } = UpdateChallengeSchema.parse(c.body);
    const signature = sign(null, Buffer.from(updateCheckInText(this.o.deviceId, challenge)), this.o.privateKey).toString('base64');
    const r = await postJson(`${this.base()}/check-in`, { challenge, signature, runningVersion, reports }, http);
    if (r.status !== 200) throw new Error(`the gateway refused the update check-in: HTTP ${r.status} ${answerMessage(r.body) ?? ''}`.trim());
    const answer = UpdateOfferAnswerSchema.safeParse(r.body);
    if (!answer.success) throw new Error('the check-in answer does not match the contract (UpdateOfferAnswerSchema)');
    return answer.data.offer;
  }

  /** Stream the offered tarball to `file`; answers its size and sha256 (checked by the caller). */
  download(path: string, token: string, file: string, maxBytes: number, signal: AbortSignal): Promise<{ size: number; sha256: string }> {
    const u = new URL(path, this.o.url);
    const request = u.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, rejectWith) => {
      // In transit (network, HTTP status) is worth another try; a wrong file (ReleaseError) is not.
      const reject = (err: Error) => rejectWith(err instanceof ReleaseError ? err : Object.assign(err, { transient: true }));
      const req = request(
        u,
        { method: 'GET', headers: { 'x-hcp-device': this.o.deviceId, 'x-hcp-download-token': token }, signal, timeout: 30_000, ...(this.o.ca ? { ca: this.o.ca } : {}) },
        (res) => {
          if (res.statusCode !== 200) {
            res.resume();
            return reject(new Error(`the gateway did not serve the release: HTTP ${res.statusCode}`));
          }
          const hash = createHash('sha256');
          let size = 0;
          const count = new Transform({
            transform(chunk: Buffer, _e, done) {
              size += chunk.length;
              if (size > maxBytes) return done(new ReleaseError('tampered', 'the download is larger than the signed manifest says'));
              hash.update(chunk);
              done(null, chunk);
            },
          });
          pipeline(res, count, createWriteStream(file, { mode: 0o600 }))
            .then(() => resolve({ size, sha256: hash.digest('hex') }))
            .catch(reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error('the download stalled')));
      req.on('error', reject);
      req.end();
    });
  }
}
