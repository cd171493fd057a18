/**
 * The README's command lines added with remote update and the SMS channel, run as written (through
 * tsx, as `npm run` does): `npm run release -- key` and `-- make` make a release the devices'
 * check accepts, and `npm run sms-sim` serves a simulator that says where it is. The bundle commands
 * run as processes in test/village/bundle-checks.test.ts and six-week-drill.test.ts.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash, createPublicKey } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { expect, it } from 'vitest';
import { checkTarball, verifySignedRelease } from '@hcp/contract/release';
import { createSmsNotifier } from '../../gateway/sms/providers/index.js';
import { SmsProviderSchema } from '../../gateway/sms/sms-config.js';
import { REPO_ROOT } from '../support/device-process.js';

const tsx = (script: string, args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, script), ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });

it('npm run release -- key, then -- make: a signed release the device-side check accepts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hcp-readme-release-'));
  // A stand-in for `npm run build`'s dist/: what `make` needs of it.
  const dist = join(dir, 'dist');
  mkdirSync(join(dist, 'device'), { recursive: true });
  writeFileSync(join(dist, 'device', 'main.js'), '// the device runtime\n');
  writeFileSync(join(dist, 'package.json'), JSON.stringify({ name: 'hcp', version: '0.1.0' }));
  writeFileSync(join(dist, 'package-lock.json'), JSON.stringify({ lockfileVersion: 3 }));

  const key = tsx('scripts/make-release.ts', ['key', '--out', join(dir, 'keys')]);
  expect(key.status, key.stderr).toBe(0);
  const made = tsx('scripts/make-release.ts', ['make', '--version', '0.2.0', '--key', join(dir, 'keys', 'release-key.pem'), '--dist', dist, '--out', join(dir, 'out')]);
  expect(made.status, made.stderr).toBe(0);
  expect(made.stdout).toMatch(/release 0\.2\.0: .*hcp-device-0\.2\.0\.tar\.gz/);

  const manifest = verifySignedRelease(JSON.parse(readFileSync(join(dir, 'out', 'hcp-device-0.2.0.release.json'), 'utf8')), [
    createPublicKey(readFileSync(join(dir, 'keys', 'release-key.pub.pem'))),
  ]);
  expect(manifest.version).toBe('0.2.0');
  const tarball = readFileSync(join(dir, 'out', 'hcp-device-0.2.0.tar.gz'));
  expect(() => checkTarball(manifest, tarball.length, createHash('sha256').update(tarball).digest('hex'))).not.toThrow();
});

it('npm run sms-sim serves a simulator and says where', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'scripts/sms-sim.ts'), '--protocol', 'tencent', '--port', '0'], { cwd: REPO_ROOT });
  try {
    const lines = createInterface({ input: child.stdout! });
    let url = '';
    for await (const line of lines) {
      const m = /SMS simulator \(tencent\) at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(line);
      if (m) {
        url = m[1]!;
        break;
      }
    }
    expect(url).not.toBe('');
    // The gateway's own Tencent adapter, with the credentials the simulator prints, gets a send accepted.
    const adapter = createSmsNotifier(
      SmsProviderSchema.parse({ kind: 'tencent', endpoint: url, secretId: 'AKIDsim', secretKey: 'sim-secret-key', smsSdkAppId: '1400000001', signName: 's', templateId: '1' }),
      2000,
    );
    const sent = await adapter.send({ outId: 'out-readme-1', phone: '13800138000', hall: '大厅', link: 'https://hall.example/c/x', text: '请评价' }, Date.now());
    expect(sent.kind).toBe('accepted');
  } finally {
    child.kill('SIGTERM');
  }
});
