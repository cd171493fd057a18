/**
 * The benches that say they run the gateway "as hcp-gateway.service runs it" (bench:gateway,
 * code-ab.ts, unit-env-ab.ts, profile-latency.ts) give it the unit's environment and nothing of the
 * shell they were started from, as systemd does; and code-ab.ts's UNIT_SETTING changes this
 * checkout's side only, so that with BASE=HEAD the two sides differ by the setting alone
 * (docs/OPERATIONS.md, "Memory"). Read from the running gateways' /proc/<pid>/environ.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { abEnvironments } from '../../scripts/bench/ab-environments.js';
import { REPO_ROOT } from '../../scripts/lib/device-process.js';
import { type RunningGateway, startGateway, writeGatewayConfig } from '../../scripts/lib/gateway-process.js';
import { applySetting, serviceEnvironment, SYSTEMD_PATH } from '../../scripts/lib/systemd-unit.js';

const UNIT_FILE = join(REPO_ROOT, 'deploy/systemd/hcp-gateway.service');
const dir = mkdtempSync(join(tmpdir(), 'hcp-unit-env-'));
const running: RunningGateway[] = [];
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  for (const gw of running.splice(0)) await gw.stop();
  delete process.env.HCP_BENCH_STRAY;
});

/** A running process's environment, as the kernel holds it. */
function environOf(pid: number): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean)) {
    const eq = entry.indexOf('=');
    env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

async function gatewayAsUnit(name: string, unitEnv: Record<string, string>): Promise<Record<string, string>> {
  const gw = await startGateway(writeGatewayConfig(join(dir, name), { logLevel: 'error' }), join(dir, name, 'data'), { unitEnv });
  running.push(gw);
  return environOf(gw.child.pid!);
}

describe("a bench's gateway run as the unit runs it", () => {
  it("has the unit's environment and systemd's PATH, and nothing of the shell's: a setting that removes a name removes it", async () => {
    // vitest runs with NODE_ENV=test: a gateway that inherited it would still have it with -NODE_ENV.
    expect(process.env.NODE_ENV).toBe('test');
    process.env.HCP_BENCH_STRAY = 'from the shell';
    const unit = applySetting(serviceEnvironment(UNIT_FILE), '-NODE_ENV');
    expect(await gatewayAsUnit('removed', unit)).toEqual({ PATH: SYSTEMD_PATH, ...unit });
  });

  it("code-ab.ts's UNIT_SETTING reaches this checkout's side only: the two gateways differ by the setting alone", async () => {
    const sides = abEnvironments(UNIT_FILE, 'NODE_OPTIONS+=--v8-pool-size=1');
    const [now, base] = [await gatewayAsUnit('now', sides.now), await gatewayAsUnit('base', sides.base)];
    expect(base).toEqual({ PATH: SYSTEMD_PATH, ...serviceEnvironment(UNIT_FILE) });
    expect(now).toEqual({ ...base, NODE_OPTIONS: `${base.NODE_OPTIONS} --v8-pool-size=1` });
    expect(sides.changed).toEqual(['NODE_OPTIONS']);
    // Without a setting the two sides are the same unit.
    expect(abEnvironments(UNIT_FILE, 'unit')).toEqual({ now: sides.base, base: sides.base, changed: [] });
  });
});
