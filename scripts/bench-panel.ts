/**
 * Press → committed rating through the virtual panel (issue 5; target p99 ≤ 30 ms), from one run:
 *
 *  - panel: the harness raises the button pin (its wall-clock stamp) → the firmware debounces it
 *    and sends a BUTTON_EVENT over the 57600-baud link → the panel worker's johnny-five Button →
 *    IPC to the device program → the runtime commits the rating (hash, sign, SQLite FULL sync);
 *  - LED: the same press → the level's LED lit on the panel (what the citizen sees confirmed);
 *  - baseline, measured in the same run: the runtime alone, press submitted in-process → committed.
 *
 * Each citizen: "please rate" on the panel, then one level. Usage: npm run bench:panel [-- --n 200]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { RatingLevel } from '../device/contract/index.js';
import { PanelRig, waitUntil, wallUs } from './lib/panel-rig.js';

const { values } = parseArgs({ options: { n: { type: 'string', default: '200' } } });
const N = Number(values.n);

function stats(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { n: s.length, p50: q(0.5), p95: q(0.95), p99: q(0.99), max: s.at(-1)! };
}
const row = (name: string, st: ReturnType<typeof stats>) =>
  `${name.padEnd(34)} ${String(st.n).padStart(5)} ${[st.p50, st.p95, st.p99, st.max].map((x) => x.toFixed(2).padStart(8)).join(' ')}`;

const rig = new PanelRig({ dir: mkdtempSync(join(tmpdir(), 'bench-panel-')), deviceId: 'dev-bench-panel' });
await rig.start();
if (!(await rig.tapBadge())) throw new Error('badge login failed');

const pressToCommit: number[] = [];
const pressToLed: number[] = [];
let lost = 0;
for (let i = 0; i < N + 10; i++) {
  if (!(await rig.pleaseRate())) throw new Error(`not armed at citizen ${i}`);
  const level = ((i % 5) + 1) as RatingLevel;
  const led = `led${level}` as const;
  const ledEventsBefore = rig.panel.pinEvents.length;
  const commit = await rig.rate(level);
  if (!commit) {
    lost += 1;
    continue;
  }
  const down = rig.panel.buttonEvents.filter((e) => e.name === String(level) && e.down).at(-1)!;
  await waitUntil(() => rig.panel.pinEvents.slice(ledEventsBefore).some((e) => e.name === led && e.value === 1), 2000);
  const lit = rig.panel.pinEvents.slice(ledEventsBefore).find((e) => e.name === led && e.value === 1);
  if (i < 10) continue; // warm-up
  pressToCommit.push((commit.wallUs - down.wall_us) / 1000);
  if (lit) pressToLed.push((lit.wall_us - down.wall_us) / 1000);
}

// Baseline: the same runtime, the press submitted in-process (no panel, no link, no worker).
const baseline: number[] = [];
for (let i = 0; i < N; i++) {
  await rig.runtime.submit({ kind: 'please-rate', source: 'test' });
  const t0 = wallUs();
  const count = rig.commits.length;
  await rig.runtime.submit({ kind: 'press', level: ((i % 5) + 1) as RatingLevel, source: 'test' });
  if (rig.commits.length > count) baseline.push((rig.commits[count]!.wallUs - t0) / 1000);
}
await rig.stop();

const panel = stats(pressToCommit);
const base = stats(baseline);
console.log(`\nbench:panel — ${N} citizens through the virtual panel (hcp-panel firmware in simavr), ms`);
console.log(`${''.padEnd(34)} ${'n'.padStart(5)} ${['p50', 'p95', 'p99', 'max'].map((h) => h.padStart(8)).join(' ')}`);
console.log(row('press → committed rating', panel));
console.log(row('press → its LED lit', stats(pressToLed)));
console.log(row('baseline: runtime press → commit', base));
console.log(`presses that never became a rating: ${lost}`);
console.log(
  `p99 press → commit: ${panel.p99.toFixed(2)} ms (target ≤ 30 ms: ${panel.p99 <= 30 ? 'met' : 'MISSED'}); ` +
    `the panel path adds ${(panel.p50 - base.p50).toFixed(2)} ms at p50 over the runtime alone (${(panel.p50 / base.p50).toFixed(1)}×)`,
);
console.log(JSON.stringify({ bench: 'panel', n: N, pressToCommit: panel, pressToLed: stats(pressToLed), baseline: base, lost }));
process.exit(0);
