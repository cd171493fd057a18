/**
 * Install an offered release beside the running version (docs/UPDATE.md), checking everything
 * before a byte of it can run: the manifest's signature against the trusted release keys (before
 * the download), the tarball's size and sha256 against the signed manifest (after it), that the
 * running version may update to it, and that the unpacked folder is the version it claims to be.
 * A release without node_modules runs on the running version's, and only if the dependencies
 * (package-lock.json) are the same.
 */
import { createHash, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync, realpathSync, renameSync, rmSync, symlinkSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { ReleaseError, checkTarball, compareVersions, verifySignedRelease, type ReleaseManifest, type SignedRelease } from '../contract/release.js';
import { readInstalledVersion } from './installed-version.js';
import type { InstallLayout } from './install-layout.js';

/** Check the signed manifest and whether the running version may take it; throws ReleaseError. */
export function checkOffer(release: SignedRelease, trustedKeys: readonly KeyObject[], runningVersion: string): ReleaseManifest {
  const manifest = verifySignedRelease(release, trustedKeys);
  if (manifest.minVersion && runningVersion !== 'unknown' && compareVersions(runningVersion, manifest.minVersion) < 0) {
    throw new ReleaseError('too-old', `release ${manifest.version} needs at least ${manifest.minVersion} running; this device runs ${runningVersion}`);
  }
  return manifest;
}

const sha256File = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

function untar(file: string, dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    // GNU tar refuses members with '..' and strips a leading '/': nothing lands outside dir.
    const tar = spawn('tar', ['-xzf', file, '-C', dir, '--no-same-owner'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    tar.stderr.on('data', (d: Buffer) => (err += d.toString()));
    tar.on('error', reject);
    tar.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`tar could not unpack the release: ${err.trim().slice(0, 200)}`))));
  });
}

/**
 * Unpack a downloaded tarball whose bytes were counted as `got` into versions/<version>/ and make
 * it runnable; answers its folder. Throws ReleaseError (tampered) or Error (cannot install).
 */
export async function installRelease(o: { layout: InstallLayout; manifest: ReleaseManifest; tarball: string; got: { size: number; sha256: string } }): Promise<string> {
  const { layout, manifest } = o;
  checkTarball(manifest, o.got.size, o.got.sha256);
  const running = layout.currentDir();
  if (!manifest.bundlesNodeModules) {
    const lock = join(running, 'package-lock.json');
    if (!existsSync(lock) || sha256File(lock) !== manifest.lockSha256) {
      throw new Error(`release ${manifest.version} has no node_modules but its dependencies differ from the running version's: it must be made with --with-node-modules`);
    }
    if (!existsSync(join(running, 'node_modules'))) throw new Error('the running version has no node_modules to share');
  }
  const staging = join(layout.versionsDir, `.staging-${manifest.version}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    await untar(o.tarball, staging);
    const claimed = readInstalledVersion(staging);
    if (claimed !== manifest.version) throw new ReleaseError('tampered', `the tarball's package.json says ${claimed}; the signed manifest says ${manifest.version}`);
    if (!existsSync(join(staging, 'device', 'main.js'))) throw new Error('the release has no device/main.js');
    // The shared node_modules is the real folder (not a link to a link): removing an old version never takes it away.
    if (!manifest.bundlesNodeModules) symlinkSync(realpathSync(join(running, 'node_modules')), join(staging, 'node_modules'));
    const dir = layout.versionDir(manifest.version);
    if (existsSync(dir)) layout.discard(manifest.version);
    renameSync(staging, dir);
    return dir;
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
}
