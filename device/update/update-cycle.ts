/**
 * One check-in with the gateway and what follows from its answer (docs/UPDATE.md): deliver the
 * reports waiting, and if a release is offered that this device has not tried — check its
 * signature, say "downloading", fetch it, check its bytes, unpack it beside the running version,
 * say "installed", and switch (./launcher.ts). A release that fails a check is refused and reported;
 * it is never run. Runs every `checkEveryMs` and never two at once.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import type { Logger } from 'pino';
import { ReleaseError, ReleaseVersionSchema, type ReleaseManifest, type SignedRelease } from '../contract/release.js';
import type { UpdateLauncher } from './launcher.js';
import type { InstallLayout } from './install-layout.js';
import { checkOffer, installRelease } from './release-install.js';
import type { UpdateClient } from './update-client.js';

export interface UpdateCycleOptions {
  launcher: UpdateLauncher;
  layout: InstallLayout;
  /** null until the device has enrolled (no key or credentials yet): nothing to check in with. */
  client: () => UpdateClient | null;
  trustedKeys: readonly KeyObject[];
  checkEveryMs: number;
  logger: Logger;
}

/** The version a manifest claims, read before its signature is checked: only to name it in a report. */
function claimedVersion(release: SignedRelease): string | null {
  try {
    const v = ReleaseVersionSchema.safeParse((JSON.parse(release.manifest) as { version?: unknown }).version);
    return v.success ? v.data : null;
  } catch {
    return null;
  }
}

export class UpdateCycle {
  private timer: NodeJS.Timeout | null = null;
  private controller = new AbortController();
  private current: Promise<void> = Promise.resolve();
  private stopped = true;

  constructor(private readonly o: UpdateCycleOptions) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.controller = new AbortController();
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.controller.abort();
    await this.current;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.current = this.once()
        .catch((err: unknown) => this.o.logger.warn({ err: (err as Error).message }, 'update check-in failed: trying again later'))
        .finally(() => this.schedule(this.o.checkEveryMs));
    }, ms);
  }

  /** Check in: deliver the reports; answers the offer (null for none). */
  private async checkIn() {
    const client = this.o.client();
    if (!client) return undefined;
    const reports = [...this.o.launcher.state.reports];
    const offer = await client.checkIn(this.o.layout.currentVersion(), reports, this.controller.signal);
    // Delivered: only those sent (a report queued meanwhile waits for the next check-in).
    this.o.launcher.state.reports = this.o.launcher.state.reports.slice(reports.length);
    this.o.launcher.save();
    return offer;
  }

  async once(): Promise<void> {
    const launcher = this.o.launcher;
    const first = await this.checkIn();
    if (!first) return;
    const version = claimedVersion(first.release);
    if (!version) return;
    const before = launcher.state.outcomes[version];
    if (before && before !== 'healthy') {
      // Offered again after it failed here: the gateway hears so again rather than waiting forever.
      launcher.queueReport({ version, state: before, reason: `this device tried ${version} before (${before}): make a new release` });
      return void (await this.checkIn());
    }
    const running = this.o.layout.currentVersion();
    if (version === running) {
      launcher.queueReport({ version, state: 'healthy' });
      return void (await this.checkIn());
    }
    let manifest: ReleaseManifest;
    try {
      manifest = checkOffer(first.release, this.o.trustedKeys, running);
    } catch (err) {
      return this.refuse(version, err);
    }
    launcher.queueReport({ version, state: 'downloading' });
    // This check-in delivers "downloading" and hands out the token the download uses.
    const offer = await this.checkIn();
    if (!offer || claimedVersion(offer.release) !== version) return;
    const tarball = join(this.o.layout.downloadsDir, `${version}.tar.gz`);
    try {
      // A download that fails in transit is tried again at the next check-in; a wrong one is refused.
      let dir: string;
      try {
        const got = await this.download(offer.downloadPath, offer.downloadToken, tarball, manifest.size);
        dir = await installRelease({ layout: this.o.layout, manifest, tarball, got });
      } catch (err) {
        if (!(err instanceof ReleaseError) && (err as { transient?: boolean }).transient) throw err;
        return await this.refuse(version, err);
      }
      launcher.queueReport({ version, state: 'installed' });
      this.o.logger.info({ version }, 'release installed beside the running version');
      await this.checkIn().catch(() => undefined);
      await launcher.switchTo({ version, dir, rollbackSafe: manifest.rollbackSafe });
      await this.checkIn().catch(() => undefined);
    } finally {
      rmSync(tarball, { force: true });
    }
  }

  private download(path: string, token: string, file: string, size: number) {
    const client = this.o.client();
    if (!client) throw new Error('not enrolled');
    return client.download(path, token, file, size, this.controller.signal);
  }

  private async refuse(version: string, err: unknown): Promise<void> {
    const reason = err instanceof ReleaseError ? err.message : `cannot install it: ${(err as Error).message}`;
    this.o.logger.error({ version, why: reason }, 'an offered release was refused');
    this.o.launcher.queueReport({ version, state: 'refused', reason: reason.slice(0, 300) });
    await this.checkIn().catch(() => undefined);
  }
}
