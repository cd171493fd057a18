/**
 * docs/POSTGRES.md: `HCP_PROFILE=promoted npx tsx scripts/bench/profile-ingest.ts 500`, read with
 * summarise-promoted.ts, gives a heap profile of what the burst moved into the old heap; without
 * HCP_PROFILE it gives a CPU profile, which summarise-profile.ts reads. The gateway is run as the
 * unit runs it, with the unit's environment alone, so the script must pass HCP_PROFILE on: a
 * small real burst (2 devices, two batches of 500 each) into the built gateway shows it does.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { REPO_ROOT } from '../../scripts/lib/device-process.js';

const dir = mkdtempSync(join(tmpdir(), 'hcp-profile-ingest-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function profileIngest(env: Record<string, string>): { out: string; file: string } {
  const out = execFileSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'scripts/bench/profile-ingest.ts'), '2', '2000'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, HCP_PROF_DIR: dir, ...env },
  });
  expect(out).toMatch(/^2 devices, 2000 ratings in \d+\.\d\d s/m);
  const file = /^profile: (\S+)$/m.exec(out)?.[1];
  expect(file, out).toBeDefined();
  return { out, file: file! };
}

it('HCP_PROFILE=promoted writes a heap profile that summarise-promoted.ts reads', () => {
  const { file } = profileIngest({ HCP_PROFILE: 'promoted' });
  expect(file).toMatch(new RegExp(`^${dir}/gateway-\\d+-0\\.heapprofile$`));
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { head: { children: unknown[] }; samples: unknown[] };
  expect(profile.head.children.length).toBeGreaterThan(0);
  const summary = execFileSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'scripts/bench/summarise-promoted.ts'), file, '5'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  expect(summary).toMatch(/^\d+\.\d MiB sampled$/m);
  expect(summary.trim().split('\n').length).toBeGreaterThan(1);
}, 180_000);

it('without HCP_PROFILE, writes a CPU profile', () => {
  const { file } = profileIngest({ HCP_PROFILE: '' });
  expect(file).toMatch(/\.cpuprofile$/);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: unknown[]; samples: unknown[] };
  expect(profile.nodes.length).toBeGreaterThan(0);
  expect(profile.samples.length).toBeGreaterThan(0);
  // docs/POSTGRES.md reads the collector's share of the main thread from this summary.
  const summary = execFileSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'scripts/bench/summarise-profile.ts'), file], { cwd: REPO_ROOT, encoding: 'utf8' });
  expect(summary).toMatch(/^total \d+\.\d\d s sampled$/m);
  expect(summary).toMatch(/^\s*\d+\.\d%\s+\(garbage collector\) /m);
}, 180_000);
