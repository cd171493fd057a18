/**
 * The README's `npm run bench:city` runs as written, at a small size (its own header names these
 * settings): 3 gateway workers on a throw-away PostgreSQL and Mosquitto, simulated devices, and
 * the count at the end — every rating sent stored exactly once, else it exits 1.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../support/device-process.js';

it('npm run bench:city (small): 3 workers store every rating once and print their figures', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'scripts/bench-city.ts')], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 240_000,
    env: { ...process.env, CITY_DEVICES: '60', CITY_RATINGS: '3000', CITY_RATE: '30', CITY_SECONDS: '3', CITY_ROUNDS: '1', BENCH_QUIET_WAIT_S: '0' },
  });
  expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
  expect(r.stdout).toMatch(/ratings\/s stored and acked by 3 workers/);
  expect(r.stdout).toMatch(/press→ack at a steady 30 ratings\/s .* p99 [\d.]+ ms/);
  expect(r.stdout).toMatch(/in the database: 3,090 records, 3,090 distinct ids, 3,090 ratings sent: each exactly once/);
  expect(r.stdout).toMatch(/writes run again after a serialization failure or deadlock, per worker \d[\d,]* \/ \d[\d,]* \/ \d[\d,]* \|/);
}, 300_000);
