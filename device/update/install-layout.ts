/**
 * Where the update launcher keeps versions (docs/UPDATE.md):
 *
 *   <installRoot>/versions/<version>/   one unpacked release each (device/main.js, package.json, …)
 *   <installRoot>/current  → the version that runs      <installRoot>/previous → the one before
 *   <installRoot>/downloads/            tarballs while they are checked
 *   <installRoot>/launcher-state.json   a switch in progress, reports not yet delivered
 *
 * The first time, `current` points at the factory install (the folder the launcher runs from,
 * /opt/hcp), so nothing is copied. Pointers are swapped by renaming a new symlink over the old one,
 * which is atomic: after a power cut `current` names one version or the other, never neither.
 */
import { existsSync, mkdirSync, readdirSync, readlinkSync, realpathSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { compareVersions } from '../contract/release.js';
import { readInstalledVersion } from './installed-version.js';

export class InstallLayout {
  readonly versionsDir: string;
  readonly downloadsDir: string;
  readonly stateFile: string;

  constructor(
    readonly root: string,
    private readonly factoryDir: string,
  ) {
    this.versionsDir = join(root, 'versions');
    this.downloadsDir = join(root, 'downloads');
    this.stateFile = join(root, 'launcher-state.json');
  }

  /**
   * Make the folders; point `current` at the factory install if nothing is there yet, or if hall IT
   * installed a newer version there by hand (docs/INSTALL.md "Updating"): a manual install wins.
   */
  prepare(): void {
    mkdirSync(this.versionsDir, { recursive: true, mode: 0o750 });
    mkdirSync(this.downloadsDir, { recursive: true, mode: 0o700 });
    const factory = resolve(this.factoryDir);
    if (!this.exists('current')) {
      this.point('current', factory);
      return;
    }
    const installed = readInstalledVersion(factory);
    const running = this.currentVersion();
    if (installed !== 'unknown' && running !== 'unknown' && compareVersions(installed, running) > 0) this.point('current', factory);
  }

  private exists(name: 'current' | 'previous'): boolean {
    try {
      readlinkSync(join(this.root, name));
      return existsSync(join(this.root, name));
    } catch {
      return false;
    }
  }

  /** The folder a pointer names (resolved), or null. */
  dirOf(name: 'current' | 'previous'): string | null {
    return this.exists(name) ? realpathSync(join(this.root, name)) : null;
  }

  /** The folder that runs now. */
  currentDir(): string {
    const dir = this.dirOf('current');
    if (!dir) throw new Error(`${join(this.root, 'current')} points nowhere: run prepare() first`);
    return dir;
  }

  currentVersion(): string {
    return readInstalledVersion(this.currentDir());
  }

  versionDir(version: string): string {
    return join(this.versionsDir, version);
  }

  /** Swap a pointer atomically (a new link renamed over the old). */
  point(name: 'current' | 'previous', target: string): void {
    const link = join(this.root, name);
    const temp = `${link}.new`;
    rmSync(temp, { force: true });
    symlinkSync(target, temp);
    renameSync(temp, link);
  }

  /**
   * Remove the versions neither `current` nor `previous` needs: not theirs, and not the one whose
   * node_modules they run on (a release without node_modules shares an earlier one's). Answers
   * the versions removed.
   */
  prune(): string[] {
    const keep = new Set<string>();
    for (const name of ['current', 'previous'] as const) {
      const dir = this.dirOf(name);
      if (!dir) continue;
      keep.add(dir);
      const modules = join(dir, 'node_modules');
      if (existsSync(modules)) keep.add(dirname(realpathSync(modules)));
    }
    const removed: string[] = [];
    for (const entry of readdirSync(this.versionsDir, { withFileTypes: true })) {
      const dir = join(this.versionsDir, entry.name);
      if (!entry.isDirectory() || keep.has(dir)) continue;
      rmSync(dir, { recursive: true, force: true });
      removed.push(entry.name);
    }
    return removed;
  }

  /** Remove a version folder that does not run (a failed unpack, or one replaced). */
  discard(version: string): void {
    const dir = this.versionDir(version);
    if (this.dirOf('current') === dir) throw new Error(`version ${version} is running: it cannot be removed`);
    rmSync(dir, { recursive: true, force: true });
  }
}
