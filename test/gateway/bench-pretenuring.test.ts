/**
 * docs/POSTGRES.md measures V8's allocation-site pretenuring with scripts/bench/pretenuring.mjs,
 * preloaded through UNIT_SETTING as the page's commands write it. Each of those settings, applied to
 * the unit's environment as profile-latency.ts and code-ab.ts apply it and run from the repository
 * as they run the gateway, does what the page says: `trace` prints V8's per-site decisions, `off`
 * leaves V8 no decision to take. A program whose objects outlive the young heap (a ring of them)
 * gets sites pretenured without the preload, so each case can fail.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../../scripts/lib/device-process.js';
import { applySetting, serviceEnvironment } from '../../scripts/lib/systemd-unit.js';

const RING = `
const N = 300000; const ring = new Array(N); let k = 0;
function make(i) { return { x: [i], y: { z: i } }; }
for (let i = 0; i < 2e7; i++) { ring[k] = make(i); k = (k + 1) % N; }
`;
const doc = readFileSync(join(REPO_ROOT, 'docs/POSTGRES.md'), 'utf8').replace(/\s+/g, ' ');
const settings = [...doc.matchAll(/UNIT_SETTING="([^"]*pretenuring\.mjs[^"]*)"/g)].map((m) => m[1]!);
const unit = serviceEnvironment(join(REPO_ROOT, 'deploy/systemd/hcp-gateway.service'));

/** RING's stdout, run from the repository with a setting's NODE_OPTIONS and HCP_PRETENURING, and `flags` on node's command line. */
function run(setting: string, flags: string[] = []): { stdout: string; stderr: string; status: number | null } {
  const env = applySetting(unit, setting);
  const r = spawnSync(process.execPath, [...flags, '-e', RING], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, NODE_OPTIONS: env.NODE_OPTIONS, ...(env.HCP_PRETENURING ? { HCP_PRETENURING: env.HCP_PRETENURING } : {}) },
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

it('the page gives both settings, trace and off', () => {
  expect(settings.map((s) => /HCP_PRETENURING=(\w+)/.exec(s)?.[1]).sort()).toEqual(['off', 'trace']);
});

it("trace prints V8's decisions, site by site", () => {
  const trace = settings.find((s) => s.includes('HCP_PRETENURING=trace'))!;
  const r = run(trace);
  expect(r.status, r.stderr).toBe(0);
  // V8 says "maybe tenure" first when the young heap has not yet grown to its largest (how soon it
  // does depends on the machine's load), "tenure" once it has.
  expect(r.stdout).toMatch(/pretenuring: AllocationSite\(0x[0-9a-f]+\): \(created, found, ratio\) \(\d+, \d+, [\d.]+\) (?:undecided|maybe tenure) => (?:maybe )?tenure/);
}, 60_000);

it('off leaves V8 no site to pretenure, where the unit as it is has some', () => {
  const statistics = ['--trace-pretenuring-statistics'];
  expect(run('unit', statistics).stdout).toMatch(/=> (?:maybe )?tenure/);
  const off = run(settings.find((s) => s.includes('HCP_PRETENURING=off'))!, statistics);
  expect(off.status, off.stderr).toBe(0);
  expect(off.stdout).not.toMatch(/pretenuring: AllocationSite/);
}, 60_000);

it('refuses to run without a mode, naming the variable', () => {
  const r = run('NODE_OPTIONS+=--import=./scripts/bench/pretenuring.mjs');
  expect(r.status).not.toBe(0);
  expect(r.stderr).toContain('HCP_PRETENURING must be off or trace, not unset');
});
