/**
 * Make and sign a device release (docs/UPDATE.md), on the build machine, after `npm run build`:
 *
 *   npm run release -- key --out /secure/place          make the hall's release key pair (once)
 *   npm run release -- make --version 0.2.0 --key /secure/place/release-key.pem [--dist dist]
 *        [--out releases] [--min-version 0.1.0] [--not-rollback-safe] [--with-node-modules] [--notes "…"]
 *
 * `make` copies the build output (without node_modules unless --with-node-modules: then run
 * `npm ci --omit=dev` in dist/ first, on a machine of the devices' architecture), stamps the
 * version into its package.json, packs it as hcp-device-<version>.tar.gz and writes the signed
 * manifest beside it as hcp-device-<version>.release.json. Upload both to the gateway.
 */
import { spawnSync } from 'node:child_process';
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type ReleaseManifest, ReleaseVersionSchema, releaseKeyId, signRelease } from '../device/contract/release.js';

const sha256File = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

function checkedVersion(option: string, value: string): string {
  const v = ReleaseVersionSchema.safeParse(value);
  if (!v.success) throw new Error(`${option} ${value}: ${v.error.issues[0]?.message ?? 'not a version'}`);
  return v.data;
}

export interface MakeReleaseOptions {
  dist: string;
  version: string;
  keyFile: string;
  outDir: string;
  minVersion?: string | undefined;
  rollbackSafe?: boolean;
  withNodeModules?: boolean;
  notes?: string | undefined;
}

/** Write the tarball and its signed manifest; answers their paths and the manifest. */
export function makeRelease(o: MakeReleaseOptions): { tarball: string; releaseFile: string; manifest: ReleaseManifest } {
  const version = checkedVersion('--version', o.version);
  if (!existsSync(join(o.dist, 'device', 'main.js'))) throw new Error(`${o.dist} has no device/main.js: run npm run build first`);
  if (o.withNodeModules && !existsSync(join(o.dist, 'node_modules'))) throw new Error(`--with-node-modules: ${o.dist}/node_modules is missing (run npm ci --omit=dev there)`);
  const privateKey = createPrivateKey(readFileSync(o.keyFile));
  const publicKey = createPublicKey(privateKey);
  const stage = mkdtempSync(join(tmpdir(), 'hcp-release-'));
  try {
    const skip = o.withNodeModules ? () => true : (src: string) => basename(src) !== 'node_modules' || resolve(src, '..') !== resolve(o.dist);
    cpSync(o.dist, stage, { recursive: true, filter: skip, verbatimSymlinks: true });
    const pkgFile = join(stage, 'package.json');
    writeFileSync(pkgFile, `${JSON.stringify({ ...JSON.parse(readFileSync(pkgFile, 'utf8')), version }, null, 2)}\n`);
    mkdirSync(o.outDir, { recursive: true });
    const tarball = join(o.outDir, `hcp-device-${version}.tar.gz`);
    const tar = spawnSync('tar', ['-czf', tarball, '--owner=0', '--group=0', '-C', stage, '.'], { encoding: 'utf8' });
    if (tar.status !== 0) throw new Error(`tar failed: ${tar.stderr}`);
    const manifest: ReleaseManifest = {
      format: 'hcp-device-release-1',
      version,
      sha256: sha256File(tarball),
      size: statSync(tarball).size,
      ...(o.minVersion ? { minVersion: checkedVersion('--min-version', o.minVersion) } : {}),
      rollbackSafe: o.rollbackSafe ?? true,
      lockSha256: sha256File(join(stage, 'package-lock.json')),
      bundlesNodeModules: o.withNodeModules ?? false,
      builtAt: new Date().toISOString(),
      ...(o.notes ? { notes: o.notes } : {}),
    };
    const releaseFile = join(o.outDir, `hcp-device-${version}.release.json`);
    writeFileSync(releaseFile, `${JSON.stringify(signRelease(manifest, privateKey, publicKey), null, 2)}\n`);
    return { tarball, releaseFile, manifest };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/** A new Ed25519 release key pair: the private key stays with whoever signs releases. */
export function makeReleaseKey(outDir: string): { privateFile: string; publicFile: string; keyId: string } {
  mkdirSync(outDir, { recursive: true });
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const privateFile = join(outDir, 'release-key.pem');
  const publicFile = join(outDir, 'release-key.pub.pem');
  if (existsSync(privateFile)) throw new Error(`${privateFile} exists already: a release key is made once`);
  writeFileSync(privateFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  writeFileSync(publicFile, publicKey.export({ type: 'spki', format: 'pem' }));
  return { privateFile, publicFile, keyId: releaseKeyId(publicKey) };
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      dist: { type: 'string', default: 'dist' },
      version: { type: 'string' },
      key: { type: 'string' },
      'min-version': { type: 'string' },
      'not-rollback-safe': { type: 'boolean', default: false },
      'with-node-modules': { type: 'boolean', default: false },
      notes: { type: 'string' },
    },
  });
  try {
    if (positionals[0] === 'key') {
      const k = makeReleaseKey(values.out ?? '.');
      process.stdout.write(`release key ${k.keyId}: private ${k.privateFile} (keep it offline), public ${k.publicFile} (goes to the gateway's and devices' config)\n`);
    } else if (positionals[0] === 'make') {
      if (!values.version || !values.key) throw new Error('make needs --version and --key');
      const r = makeRelease({
        dist: values.dist!,
        version: values.version,
        keyFile: values.key,
        outDir: values.out ?? 'releases',
        minVersion: values['min-version'],
        rollbackSafe: !values['not-rollback-safe'],
        withNodeModules: values['with-node-modules'],
        notes: values.notes,
      });
      process.stdout.write(`release ${r.manifest.version}: ${r.tarball} (${r.manifest.size} bytes, sha256 ${r.manifest.sha256})\n  signed manifest: ${r.releaseFile}\n`);
    } else {
      throw new Error('usage: make-release.ts key --out <dir> | make --version <v> --key <release-key.pem> [--dist dist] [--out releases] …');
    }
  } catch (err) {
    process.stderr.write(`make-release: ${(err as Error).message}\n`);
    process.exit(1);
  }
}
