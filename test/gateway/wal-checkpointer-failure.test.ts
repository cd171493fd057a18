/**
 * The checkpointing thread failing under the real gateway program (docs/OPERATIONS.md, "WAL
 * checkpoints"): the gateway logs one `error` line, `WAL checkpoints run in commits again`, shows
 * it on `/metrics`, and goes on storing. test/support/failing-thread-open.c (LD_PRELOAD) refuses
 * the database file to every thread but the main one: the store's connection opens it, the
 * checkpointing thread's connection cannot. The gateway's code has no hook for this.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startGateway, writeGatewayConfig, type RunningGateway } from '../../scripts/lib/gateway-process.js';
import { waitFor } from '../../scripts/lib/wait-until.js';
import { REPO_ROOT } from '../support/device-process.js';

const dir = mkdtempSync(join(tmpdir(), 'wal-ckpt-failure-'));
const shim = join(dir, 'failing-thread-open.so');
let gw: RunningGateway | null = null;
afterAll(async () => {
  if (gw && gw.child.exitCode === null) await gw.kill9();
});

const errorLines = (stderr: string) =>
  stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { level: number; msg: string })
    .filter((l) => l.level === 50 && l.msg.startsWith('WAL checkpoints run in commits again'));

it('a failed checkpointing thread: one error line, the /metrics flag, and the gateway goes on storing', { timeout: 120_000 }, async () => {
  const cc = spawnSync('gcc', ['-shared', '-fPIC', '-O2', '-o', shim, join(REPO_ROOT, 'test/support/failing-thread-open.c'), '-ldl'], { encoding: 'utf8' });
  expect(cc.status, cc.stderr).toBe(0);
  const configFile = writeGatewayConfig(join(dir, 'gw'));
  const dataDir = join(dir, 'gw', 'data');
  gw = await startGateway(configFile, dataDir, { env: { LD_PRELOAD: shim } });
  const running = gw;
  const addWindow = async (n: number) => expect((await running.api('PUT', '/api/windows', { windowId: `w-0${n}`, number: `0${n}`, department: '市场监管局' })).status).toBe(200);
  await addWindow(1);
  await waitFor(() => errorLines(running.stderr()).length > 0, { what: "the gateway's error line" });
  const metrics = await (await fetch(`${running.http}/metrics`)).text();
  expect(metrics).toMatch(/^hcp_sqlite_wal_checkpoint_thread_failed 1$/m);
  // Still storing, and still one line however many commits follow.
  for (const n of [2, 3, 4]) await addWindow(n);
  const windows = await running.api('GET', '/api/windows');
  expect(windows.body.map((w: { windowId: string }) => w.windowId)).toEqual(expect.arrayContaining(['w-01', 'w-04']));
  expect(errorLines(running.stderr())).toHaveLength(1);
  // A gateway that stops leaves no WAL (OPERATIONS.md): its connection copied the rest on closing.
  await running.stop();
  expect(existsSync(join(dataDir, 'gateway.db-wal'))).toBe(false);
});
